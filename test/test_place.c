/*****************************************************************************\
 *  test_place.c - exact topopack placements on small fabrics.
 *
 *  Each row: a generated fabric, a state written as "node:GPUs taken"
 *  (x: exclusive, d: down, r: reserved), a request and the exact nodes
 *  expected, or "" when the request must wait.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topopack.h"

typedef struct {
	const char *name;
	tp_gen_t gen;
	const char *state;	/* "gpu001:8 gpu002:x gpu003:d ..." */
	tp_request_t req;
	const char *expect;	/* "gpu001,gpu002" or "" */
} _case_t;

/* 2 leaves x 4 nodes x 8 GPUs under one spine level */
#define SMALL { .levels = 1, .leaves = 2, .nodes_per_leaf = 4, \
		.gpus_per_node = 8, .nvl_nodes = 1 }
/* same with NVLink domains of 2 nodes */
#define NVL2 { .levels = 1, .leaves = 2, .nodes_per_leaf = 4, \
	       .gpus_per_node = 8, .nvl_nodes = 2 }
/* 3 leaves x 4 nodes */
#define THREE { .levels = 1, .leaves = 3, .nodes_per_leaf = 4, \
		.gpus_per_node = 8, .nvl_nodes = 1 }
/* 6 leaves of 2 nodes, pods of 3 leaves, a core level */
#define PODS3 { .levels = 2, .leaves = 6, .nodes_per_leaf = 2, \
		.gpus_per_node = 8, .leaves_per_pod = 3, .nvl_nodes = 1 }
/* 4 leaves of 2 nodes, pods of 2 leaves, a core level */
#define PODS { .levels = 2, .leaves = 4, .nodes_per_leaf = 2, \
	       .gpus_per_node = 8, .leaves_per_pod = 2, .nvl_nodes = 1 }

static const _case_t _cases[] = {
	{ "single GPU takes the tightest node, not the first",
	  SMALL, "gpu001:4 gpu006:7", { .nodes = 1, .gpus_per_node = 1 },
	  "gpu006" },
	{ "single GPU among equal holes: the fuller leaf",
	  SMALL, "gpu001:7 gpu002:8 gpu006:7",
	  { .nodes = 1, .gpus_per_node = 1 }, "gpu001" },
	{ "single GPU: the fullest leaf before a tighter node elsewhere",
	  SMALL, "gpu001:7 gpu005:8 gpu006:8 gpu007:4",
	  { .nodes = 1, .gpus_per_node = 1 }, "gpu007" },
	{ "single GPU of a type: the same order when nodes are scanned",
	  SMALL, "gpu001:7 gpu005:8 gpu006:8 gpu007:4",
	  { .nodes = 1, .gpus_per_node = 1, .exclusive = false,
	    .usable = (const uint8_t[8]) { 1, 1, 1, 1, 1, 1, 1, 1 } },
	  "gpu007" },
	{ "whole node goes to the fuller leaf",
	  SMALL, "gpu005:8", { .nodes = 1, .gpus_per_node = 8 }, "gpu006" },
	{ "two nodes in one leaf, tightest leaf",
	  SMALL, "gpu001:8 gpu002:8 gpu005:1",
	  { .nodes = 2, .gpus_per_node = 8 }, "gpu003,gpu004" },
	{ "a job that fits one leaf never spans two",
	  SMALL, "gpu001:8 gpu006:8 gpu007:8",
	  { .nodes = 3, .gpus_per_node = 8 }, "gpu002,gpu003,gpu004" },
	{ "five nodes: fewest leaves, fullest leaf filled first",
	  SMALL, "gpu001:8 gpu002:8", { .nodes = 5, .gpus_per_node = 8 },
	  "gpu003,gpu004,gpu005,gpu006,gpu007" },
	{ "partial GPUs: nodes with the fewest spare GPUs",
	  SMALL, "gpu002:4 gpu003:6 gpu004:2",
	  { .nodes = 2, .gpus_per_node = 2 }, "gpu002,gpu003" },
	{ "down, exclusive and reserved nodes are skipped",
	  SMALL, "gpu001:d gpu002:x gpu003:r", { .nodes = 1,
	  .gpus_per_node = 8 }, "gpu004" },
	{ "reserved nodes when the request may use them",
	  SMALL, "gpu001:d gpu002:x gpu003:r gpu005:1",
	  { .nodes = 2, .gpus_per_node = 4, .use_reserved = true },
	  "gpu003,gpu004" },
	{ "exclusive needs idle nodes",
	  SMALL, "gpu001:1 gpu002:1 gpu003:1 gpu005:1",
	  { .nodes = 2, .gpus_per_node = 1, .exclusive = true },
	  "gpu006,gpu007" },
	{ "NVLink: two nodes of one domain",
	  NVL2, "gpu002:8 gpu003:1", { .nodes = 2, .gpus_per_node = 4 },
	  "gpu003,gpu004" },
	{ "NVLink: fewest domains before tightest nodes",
	  NVL2, "gpu001:4 gpu003:4", { .nodes = 2, .gpus_per_node = 4 },
	  "gpu001,gpu002" },
	{ "GPU total: fewest nodes (leaf 1 would need 8+2+2)",
	  SMALL, "gpu001:6 gpu002:6 gpu003:6", { .total_gpus = 12 },
	  "gpu005,gpu006" },
	{ "GPU total on one node: tightest hole",
	  SMALL, "gpu001:4 gpu002:5 gpu006:5", { .total_gpus = 3 },
	  "gpu002" },
	{ "GPU total split that keeps whole nodes",
	  SMALL, "gpu001:4 gpu002:4 gpu003:4 gpu004:4 gpu005:8 gpu006:8 gpu007:8",
	  { .total_gpus = 12 }, "gpu001,gpu002,gpu003" },
	{ "pods: stays in one pod",
	  PODS, "gpu001:8 gpu005:8", { .nodes = 3, .gpus_per_node = 8 },
	  "gpu002,gpu003,gpu004" },
	{ "pods: three levels crossed only when needed",
	  PODS, "gpu001:8 gpu002:8 gpu005:8",
	  { .nodes = 5, .gpus_per_node = 8 },
	  "gpu003,gpu004,gpu006,gpu007,gpu008" },
	{ "switches=1 waits rather than span two leaves",
	  SMALL, "gpu001:8 gpu005:8", { .nodes = 4, .gpus_per_node = 8,
	  .max_leaves = 1 }, "" },
	{ "switches=2 allows two leaves",
	  SMALL, "gpu001:8 gpu005:8", { .nodes = 4, .gpus_per_node = 8,
	  .max_leaves = 2 }, "gpu002,gpu003,gpu004,gpu006" },
	{ "max nodes: two leaves of one node rather than four nodes of one",
	  THREE, "gpu001:4 gpu002:4 gpu003:4 gpu004:4 gpu006:8 gpu007:8 "
	  "gpu008:8 gpu010:8 gpu011:8 gpu012:8",
	  { .total_gpus = 16, .max_nodes = 2 }, "gpu005,gpu009" },
	{ "max nodes: no way within it waits",
	  THREE, "gpu001:4 gpu002:4 gpu003:4 gpu004:4 gpu006:8 gpu007:8 "
	  "gpu008:8 gpu010:8 gpu011:8 gpu012:8",
	  { .total_gpus = 24, .max_nodes = 2 }, "" },
	{ "switches=2: two leaves in two pods rather than three in one",
	  PODS3, "gpu002:8 gpu006:8 gpu009:8 gpu010:8 gpu011:8 gpu012:8",
	  { .nodes = 4, .gpus_per_node = 8, .max_leaves = 2 },
	  "gpu003,gpu004,gpu007,gpu008" },
	{ "no switch limit: one pod, three leaves",
	  PODS3, "gpu002:8 gpu006:8 gpu009:8 gpu010:8 gpu011:8 gpu012:8",
	  { .nodes = 4, .gpus_per_node = 8 },
	  "gpu001,gpu003,gpu004,gpu005" },
	{ "more than is free waits",
	  SMALL, "gpu001:8 gpu002:8 gpu003:8", { .nodes = 6,
	  .gpus_per_node = 8 }, "" },
};

static tp_fabric_t *_fabric;
static tp_state_t *_state;

static int _node(const char *name)
{
	int n = tp_fabric_node_index(_fabric, name);

	ck_assert_msg(n >= 0, "unknown node %s in test", name);
	return n;
}

static void _apply_state(const char *spec)
{
	char buf[512], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *tok = strtok_r(buf, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(tok, ':');
		int n;

		ck_assert_ptr_nonnull(colon);
		*colon++ = '\0';
		n = _node(tok);
		if (*colon == 'd')
			ck_assert_int_eq(tp_state_set_avail(_state, n,
					 TP_NODE_DOWN), 0);
		else if (*colon == 'r')
			ck_assert_int_eq(tp_state_set_avail(_state, n,
					 TP_NODE_RESERVED), 0);
		else if (*colon == 'x')
			ck_assert_int_eq(tp_state_alloc(_state, n,
				tp_fabric_node_gpus(_fabric, n), true), 0);
		else
			ck_assert_int_eq(tp_state_alloc(_state, n, atoi(colon),
							false), 0);
	}
}

START_TEST(test_exact)
{
	const _case_t *c = &_cases[_i];
	tp_placement_t p;
	tp_error_t err;
	char got[512] = "";
	int rc;

	_fabric = tp_fabric_generate(&c->gen, &err);
	ck_assert_msg(_fabric != NULL, "%s", err.text);
	_state = tp_state_new(_fabric);
	_apply_state(c->state);
	rc = tp_place(_state, TP_POLICY_TOPOPACK, &c->req, &p, &err);
	if (rc == 0) {
		for (int i = 0; i < p.count; i++) {
			strcat(got, i ? "," : "");
			strcat(got, tp_fabric_node_name(_fabric, p.node[i]));
		}
		tp_placement_clear(&p);
	} else {
		ck_assert_int_eq(errno, EAGAIN);
	}
	ck_assert_msg(!strcmp(got, c->expect), "%s: got '%s', expected '%s'",
		      c->name, got, c->expect);
	tp_state_free(_state);
	tp_fabric_free(_fabric);
}
END_TEST

START_TEST(test_apply_and_release)
{
	tp_gen_t gen = SMALL;
	tp_request_t req = { .nodes = 2, .gpus_per_node = 3 };
	tp_placement_t p;
	tp_error_t err;

	_fabric = tp_fabric_generate(&gen, &err);
	_state = tp_state_new(_fabric);
	ck_assert_int_eq(tp_place(_state, TP_POLICY_TOPOPACK, &req, &p, &err),
			 0);
	ck_assert_int_eq(tp_state_apply(_state, &p, false), 0);
	ck_assert_int_eq(tp_state_block_free_gpus(_state, p.node[0],
						  TP_LVL_LEAF), 32 - 6);
	ck_assert_int_eq(tp_state_node_users(_state, p.node[0]), 1);
	ck_assert_int_eq(tp_state_unapply(_state, &p, false), 0);
	ck_assert_int_eq(tp_state_block_free_gpus(_state, p.node[0],
						  TP_LVL_LEAF), 32);
	/* releasing twice is refused and changes nothing */
	ck_assert_int_eq(tp_state_unapply(_state, &p, false), -1);
	ck_assert_int_eq(tp_state_block_free_gpus(_state, p.node[0],
						  TP_LVL_LEAF), 32);
	tp_placement_clear(&p);
	tp_state_free(_state);
	tp_fabric_free(_fabric);
}
END_TEST

START_TEST(test_usable_mask_and_bad_requests)
{
	tp_gen_t gen = SMALL;
	uint8_t usable[8] = { 0, 0, 0, 0, 0, 1, 0, 1 };
	tp_request_t req = { .nodes = 2, .gpus_per_node = 8,
			     .usable = usable };
	tp_request_t bad = { .nodes = 0 };
	tp_request_t huge = { .nodes = 9 };
	tp_request_t uneven = { .total_gpus = 10, .nodes = 3,
				.max_nodes = 3 };
	tp_placement_t p;
	tp_error_t err;

	_fabric = tp_fabric_generate(&gen, &err);
	_state = tp_state_new(_fabric);
	ck_assert_int_eq(tp_place(_state, TP_POLICY_TOPOPACK, &req, &p, &err),
			 0);
	ck_assert_int_eq(p.count, 2);
	ck_assert_str_eq(tp_fabric_node_name(_fabric, p.node[0]), "gpu006");
	ck_assert_str_eq(tp_fabric_node_name(_fabric, p.node[1]), "gpu008");
	tp_placement_clear(&p);
	ck_assert_int_eq(tp_place(_state, TP_POLICY_TOPOPACK, &bad, &p, &err),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(tp_place(_state, TP_POLICY_TOPOPACK, &huge, &p,
				  &err), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(err.text, "exceeds"));
	ck_assert_int_eq(tp_place(_state, TP_POLICY_TOPOPACK, &uneven, &p,
				  &err), -1);
	ck_assert_int_eq(errno, EINVAL);
	tp_state_free(_state);
	tp_fabric_free(_fabric);
}
END_TEST

START_TEST(test_gpu_type)
{
	tp_gen_t gen = SMALL;
	tp_request_t req = { .nodes = 1, .gpus_per_node = 1,
			     .gpu_type = "h100" };
	tp_placement_t p;
	tp_error_t err;

	/* generated nodes carry no GPU type: a typed request is refused,
	 * as slurmctld refuses a GRES type no node has */
	_fabric = tp_fabric_generate(&gen, &err);
	_state = tp_state_new(_fabric);
	ck_assert_int_eq(tp_place(_state, TP_POLICY_TOPOPACK, &req, &p, &err),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(err.text, "no node has GPU type h100"));
	tp_state_free(_state);
	tp_fabric_free(_fabric);
}
END_TEST

/*
 * The case that found max_nodes checked after the search: a spine over
 * leafa (a1-a4, 4 free GPUs each), leafb (b1, 8 free) and leafc (c1, 8
 * free); "--gpus=16 -N1-2" fitted only b1,c1, which the stock model
 * placed while topopack, whose best pick was the four nodes of leafa,
 * gave up.
 */
START_TEST(test_max_nodes_regression)
{
	tp_request_t req = { .total_gpus = 16, .max_nodes = 2 };
	tp_placement_t p;
	tp_error_t err;

	_fabric = tp_fabric_load(tp_test_data("conf", "limits.topology.conf"),
				 tp_test_data("conf", "limits.topopack.conf"),
				 &err);
	ck_assert_msg(_fabric, "%s", err.text);
	_state = tp_state_new(_fabric);
	_apply_state("a1:4 a2:4 a3:4 a4:4");
	ck_assert_msg(!tp_place(_state, TP_POLICY_TOPOPACK, &req, &p, &err),
		      "%s", err.text);
	ck_assert_int_eq(p.count, 2);
	ck_assert_str_eq(tp_fabric_node_name(_fabric, p.node[0]), "b1");
	ck_assert_str_eq(tp_fabric_node_name(_fabric, p.node[1]), "c1");
	ck_assert_int_eq(p.gpus[0] + p.gpus[1], 16);
	tp_placement_clear(&p);
	/* without the limit, one leaf */
	req.max_nodes = 0;
	ck_assert_int_eq(tp_place(_state, TP_POLICY_TOPOPACK, &req, &p, &err),
			 0);
	ck_assert_int_eq(p.count, 4);
	tp_placement_clear(&p);
	tp_state_free(_state);
	tp_fabric_free(_fabric);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("place");
	TCase *tc = tcase_create("exact");

	tcase_add_loop_test(tc, test_exact, 0,
			    sizeof(_cases) / sizeof(_cases[0]));
	tcase_add_test(tc, test_max_nodes_regression);
	tcase_add_test(tc, test_apply_and_release);
	tcase_add_test(tc, test_usable_mask_and_bad_requests);
	tcase_add_test(tc, test_gpu_type);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
