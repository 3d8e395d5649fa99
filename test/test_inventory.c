/*****************************************************************************\
 *  test_inventory.c - GPUs from the resource manager's inventory: they
 *  complete a topology.conf alone, win over topopack.conf, and each node
 *  where the two differ is told exactly once.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <string.h>

#include "fabric/fabric_private.h"
#include "topopack.h"

#define BASIC "good-basic.topology.conf"

static const char *_path(const char *name)
{
	return tp_test_data("conf", name);
}

typedef struct {
	int count;
	char text[8][320];
} _told_t;

static void _differs(void *arg, const char *text)
{
	_told_t *told = arg;

	ck_assert_int_lt(told->count, 8);
	snprintf(told->text[told->count++], sizeof(told->text[0]), "%s",
		 text);
}

static const char *_type(const tp_fabric_t *f, const char *name)
{
	int t = f->nodes[tp_fabric_node_index(f, name)].gpu_type;

	return (t < 0) ? "" : f->gpu_types[t];
}

/* Slurm's gpu[001-008]: 8 GPUs, h100, except gpu008 (4, untyped); gpu999
 * is a Slurm node outside the fabric. */
static const tp_node_gpus_t _slurm[] = {
	{ "gpu001", 8, "h100" }, { "gpu002", 8, "h100" },
	{ "gpu003", 8, "h100" }, { "gpu004", 8, "h100" },
	{ "gpu005", 8, "h100" }, { "gpu006", 8, "h100" },
	{ "gpu007", 8, "h100" }, { "gpu008", 4, NULL },
	{ "gpu999", 8, "h100" },
};

/* topology.conf and Slurm's inventory: a complete fabric. */
START_TEST(test_topology_and_inventory)
{
	_told_t told = { 0 };
	tp_inventory_t inv = { _slurm, 9, _differs, &told };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_load_inventory(_path(BASIC), NULL, &inv,
						  &err);

	ck_assert_msg(f, "%s", err.text);
	ck_assert_int_eq(tp_fabric_gpu_count(f), 60);
	ck_assert_int_eq(tp_fabric_node_gpus(f, tp_fabric_node_index(f, "gpu008")), 4);
	ck_assert_str_eq(_type(f, "gpu001"), "h100");
	ck_assert_str_eq(_type(f, "gpu008"), "");
	ck_assert_int_eq(tp_fabric_node_index(f, "gpu999"), -1);
	ck_assert_int_eq(told.count, 0);
	tp_fabric_free(f);
}
END_TEST

/*
 * good-defaults.topopack.conf gives gpu001 4 untyped GPUs (the last
 * DEFAULT count), gpu002 2 h100, gpu003..gpu008 4 a100: all eight differ
 * from Slurm's. Slurm's counts win everywhere; each node is told once.
 */
START_TEST(test_inventory_wins)
{
	_told_t told = { 0 };
	tp_inventory_t inv = { _slurm, 9, _differs, &told };
	tp_error_t err;
	tp_fabric_t *plain = tp_fabric_load(_path(BASIC),
					    _path("good-defaults.topopack.conf"),
					    &err);
	tp_fabric_t *f = tp_fabric_load_inventory(
		_path(BASIC), _path("good-defaults.topopack.conf"), &inv, &err);
	int differ = 0;

	ck_assert_msg(plain && f, "%s", err.text);
	for (int n = 0; n < 8; n++) {
		const char *name = _slurm[n].name;
		int i = tp_fabric_node_index(plain, name);
		const char *t = _slurm[n].gpu_type ? _slurm[n].gpu_type : "";

		differ += tp_fabric_node_gpus(plain, i) != _slurm[n].gpus ||
			strcmp(_type(plain, name), t);
		ck_assert_int_eq(tp_fabric_node_gpus(f, i), _slurm[n].gpus);
		ck_assert_str_eq(_type(f, name), t);
	}
	ck_assert_int_eq(told.count, differ);
	ck_assert_int_eq(told.count, 8);
	ck_assert_str_eq(told.text[1],
			 "node gpu002: topopack.conf gives 2 GPUs of type h100, Slurm 8 of type h100 (slurm.conf/gres.conf); Slurm's are used");
	ck_assert_str_eq(told.text[7],
			 "node gpu008: topopack.conf gives 4 GPUs of type a100, Slurm 4 (slurm.conf/gres.conf); Slurm's are used");
	/* NICs and speeds stay topopack.conf's. */
	ck_assert(f->nodes[tp_fabric_node_index(f, "gpu001")].nic_gbps == 100);
	tp_fabric_free(plain);
	tp_fabric_free(f);
}
END_TEST

/* A topopack.conf that says nothing of GPUs has nothing to disagree
 * with; one that agrees is silent too. */
START_TEST(test_silent_when_nothing_differs)
{
	_told_t told = { 0 };
	tp_node_gpus_t same[8];
	tp_inventory_t inv = { _slurm, 8, _differs, &told };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_load_inventory(
		_path("good-nvl72.topology.conf"), NULL, &inv, &err);

	ck_assert_msg(f, "%s", err.text);
	tp_fabric_free(f);
	f = tp_fabric_load_inventory(_path(BASIC),
				     _path("good-basic.topopack.conf"), &inv,
				     &err);
	ck_assert_msg(f, "%s", err.text);
	ck_assert_int_eq(told.count, 1);	/* gpu008: a100 there */
	tp_fabric_free(f);

	told.count = 0;
	memcpy(same, _slurm, sizeof(same));
	same[7].gpu_type = "a100";
	inv.node = same;
	f = tp_fabric_load_inventory(_path(BASIC),
				     _path("good-basic.topopack.conf"), &inv,
				     &err);
	ck_assert_msg(f, "%s", err.text);
	ck_assert_int_eq(told.count, 0);
	tp_fabric_free(f);
}
END_TEST

/* Nodes whose GPUs topopack.conf does not state have nothing to
 * disagree with, even when another node's are stated. */
START_TEST(test_only_stated_counts_differ)
{
	_told_t told = { 0 };
	tp_inventory_t inv = { _slurm, 9, _differs, &told };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_load_inventory(
		_path(BASIC), _path("good-one-node.topopack.conf"), &inv, &err);

	ck_assert_msg(f, "%s", err.text);
	ck_assert_int_eq(told.count, 1);
	ck_assert_str_eq(told.text[0],
			 "node gpu003: topopack.conf gives 4 GPUs, Slurm 8 of type h100 (slurm.conf/gres.conf); Slurm's are used");
	ck_assert_int_eq(tp_fabric_gpu_count(f), 60);
	tp_fabric_free(f);
}
END_TEST

START_TEST(test_bad_inventory)
{
	tp_node_gpus_t bad[] = { { "gpu003", 5000, NULL } };
	tp_inventory_t inv = { bad, 1, NULL, NULL };
	tp_error_t err;

	ck_assert_ptr_null(tp_fabric_load_inventory(_path(BASIC), NULL, &inv,
						    &err));
	ck_assert_str_eq(err.text,
			 "node gpu003: 5000 GPUs in the inventory, out of range 0..1024");
}
END_TEST

/* The block counts placement reads, recounted from the nodes by hand. */
static void _check_counts(const tp_fabric_t *f)
{
	int total = 0;

	for (int b = 0; b < f->nblocks; b++) {
		int gpus = 0;

		for (int o = f->blocks[b].lo; o < f->blocks[b].hi; o++)
			gpus += f->nodes[f->order_node[o]].gpus;
		ck_assert_int_eq(f->blocks[b].gpus, gpus);
	}
	for (int n = 0; n < f->nnodes; n++)
		total += f->nodes[n].gpus;
	ck_assert_int_eq(tp_fabric_gpu_count(f), total);
}

/* An inventory applied to a loaded fabric, again and again (slurmctld
 * reconfigures), gives what a fresh load with it gives. */
START_TEST(test_set_inventory_again)
{
	_told_t told = { 0 };
	tp_node_gpus_t fewer[9];
	tp_inventory_t inv = { _slurm, 9, _differs, &told };
	tp_inventory_t inv2 = { fewer, 9, _differs, &told };
	tp_error_t err;
	tp_fabric_t *f, *fresh;

	memcpy(fewer, _slurm, sizeof(fewer));
	fewer[0].gpus = 2;
	fewer[0].gpu_type = "l40s";
	f = tp_fabric_load(_path(BASIC), _path("good-defaults.topopack.conf"),
			   &err);
	fresh = tp_fabric_load_inventory(_path(BASIC),
					 _path("good-defaults.topopack.conf"),
					 &inv2, &err);
	ck_assert_msg(f && fresh, "%s", err.text);
	told.count = 0;
	ck_assert_int_eq(tp_fabric_set_inventory(f, &inv, &err), 0);
	ck_assert_int_eq(tp_fabric_gpu_count(f), 60);
	_check_counts(f);
	told.count = 0;
	ck_assert_int_eq(tp_fabric_set_inventory(f, &inv2, &err), 0);
	ck_assert_int_eq(told.count, 8);	/* told again: a new load */
	ck_assert_str_eq(told.text[0],
			 "node gpu001: topopack.conf gives 4 GPUs, Slurm 2 of type l40s (slurm.conf/gres.conf); Slurm's are used");
	ck_assert_int_eq(tp_fabric_gpu_count(f), tp_fabric_gpu_count(fresh));
	for (int n = 0; n < f->nnodes; n++) {
		ck_assert_int_eq(f->nodes[n].gpus, fresh->nodes[n].gpus);
		ck_assert_str_eq(_type(f, f->nodes[n].name),
				 _type(fresh, f->nodes[n].name));
	}
	ck_assert_int_eq(f->max_gpus, fresh->max_gpus);
	ck_assert_int_eq(f->min_gpus, fresh->min_gpus);
	for (int l = 0; l < f->nlevels; l++)
		ck_assert_int_eq(f->level_max_gpus[l],
				 fresh->level_max_gpus[l]);
	_check_counts(f);
	/* No inventory at all: topopack.conf's counts again. */
	inv.count = 0;
	ck_assert_int_eq(tp_fabric_set_inventory(f, &inv, &err), 0);
	ck_assert_int_eq(f->nodes[tp_fabric_node_index(f, "gpu002")].gpus, 2);
	_check_counts(f);
	tp_fabric_free(fresh);
	tp_fabric_free(f);
}
END_TEST

/* A count out of range changes nothing. */
START_TEST(test_set_inventory_refused)
{
	tp_node_gpus_t bad[] = { { "gpu001", 2, NULL },
				 { "gpu003", -1, NULL } };
	tp_inventory_t good = { _slurm, 9, NULL, NULL };
	tp_inventory_t inv = { bad, 2, NULL, NULL };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_load(_path(BASIC), NULL, &err);

	ck_assert_msg(f, "%s", err.text);
	ck_assert_int_eq(tp_fabric_set_inventory(f, &good, &err), 0);
	ck_assert_int_eq(tp_fabric_set_inventory(f, &inv, &err), -1);
	ck_assert_str_eq(err.text,
			 "node gpu003: -1 GPUs in the inventory, out of range 0..1024");
	ck_assert_int_eq(tp_fabric_node_gpus(f, tp_fabric_node_index(f, "gpu001")), 8);
	ck_assert_int_eq(tp_fabric_gpu_count(f), 60);
	tp_fabric_free(f);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("inventory");
	TCase *tc = tcase_create("inventory");

	tcase_add_test(tc, test_topology_and_inventory);
	tcase_add_test(tc, test_inventory_wins);
	tcase_add_test(tc, test_silent_when_nothing_differs);
	tcase_add_test(tc, test_only_stated_counts_differ);
	tcase_add_test(tc, test_bad_inventory);
	tcase_add_test(tc, test_set_inventory_again);
	tcase_add_test(tc, test_set_inventory_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
