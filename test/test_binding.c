/*****************************************************************************\
 *  test_binding.c - GPU:NIC:CPU pairing on recorded machines.
 *
 *  Each row names an hwloc XML export under $TOPOPACK_TEST_DATA/hwloc and
 *  the pairing expected for it, GPUs in PCI bus order; rows that must fail
 *  give the errno and a piece of the message instead. The expected pairs
 *  were read off the recorded machines (lstopo-no-graphics --input FILE).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp_check.h"

#include "bind/binding_private.h"

static const char *_path(const char *name)
{
	return tp_test_data("hwloc", name);
}

#define MAXG 16

typedef struct {
	const char *busid;
	int numa;
	const char *cpus;
	const char *nic;	/* NULL: no NIC */
	int dist;
} gpu_row_t;

typedef struct {
	const char *file;
	int ngpu;
	int nnic;
	int no_local;		/* GPUs without a NIC on their NUMA node */
	gpu_row_t gpu[MAXG];
	int err_errno;		/* != 0: loading must fail so */
	const char *err_text;	/* ... with a message containing this */
} row_t;

#define P TP_BIND_PCI
#define N TP_BIND_NUMA
#define K TP_BIND_PACKAGE
#define S TP_BIND_SYSTEM
#define X TP_BIND_NONE

static const row_t rows[] = {
	/* One A100 and one HDR HCA behind the same PCIe switch on each
	 * of NUMA 1, 3, 5, 7. */
	{ "juwels-booster-4xA100-4xCX6.xml", 4, 4, 0, {
		{ "0000:03:00.0", 3, "18-23,66-71", "mlx5_0", P },
		{ "0000:44:00.0", 1, "6-11,54-59", "mlx5_1", P },
		{ "0000:84:00.0", 7, "42-47,90-95", "mlx5_2", P },
		{ "0000:c4:00.0", 5, "30-35,78-83", "mlx5_3", P } }, 0, NULL },
	/* Two HCAs, each beside one GPU (NUMA 1 and 7); the GPUs of
	 * NUMA 3 and 5 share the HCA of their own package. */
	{ "meluxina-4xA100-2xCX6.xml", 4, 2, 2, {
		{ "0000:03:00.0", 3, "24-31,88-95", "mlx5_0", K },
		{ "0000:44:00.0", 1, "8-15,72-79", "mlx5_0", P },
		{ "0000:84:00.0", 7, "56-63,120-127", "mlx5_1", P },
		{ "0000:c3:00.0", 5, "40-47,104-111", "mlx5_1", K } }, 0, NULL },
	/* Two V100 and one EDR HCA behind one PCIe switch per socket. */
	{ "juwels-cluster-4xV100-2xCX4.xml", 4, 2, 0, {
		{ "0000:5d:00.0", 0, "0-19,40-59", "mlx5_0", P },
		{ "0000:5e:00.0", 0, "0-19,40-59", "mlx5_0", P },
		{ "0000:88:00.0", 1, "20-39,60-79", "mlx5_1", P },
		{ "0000:89:00.0", 1, "20-39,60-79", "mlx5_1", P } }, 0, NULL },
	/* Eight MI50 (RSMI names out of bus order), one mlx5 on package 1
	 * sharing a host bridge with the GPU at c3:00.0: the four GPUs of
	 * package 0 have no local NIC. */
	{ "corona-8xMI50-1xmlx5.xml", 8, 1, 4, {
		{ "0000:03:00.0", 0, "0-23,48-71", "mlx5_0", S },
		{ "0000:27:00.0", 0, "0-23,48-71", "mlx5_0", S },
		{ "0000:43:00.0", 0, "0-23,48-71", "mlx5_0", S },
		{ "0000:63:00.0", 0, "0-23,48-71", "mlx5_0", S },
		{ "0000:83:00.0", 1, "24-47,72-95", "mlx5_0", N },
		{ "0000:a3:00.0", 1, "24-47,72-95", "mlx5_0", N },
		{ "0000:c3:00.0", 1, "24-47,72-95", "mlx5_0", N },
		{ "0000:e3:00.0", 1, "24-47,72-95", "mlx5_0", N } }, 0, NULL },
	/* Sixteen V100, no NIC at all. */
	{ "dgx2-16xV100-nvswitch.xml", 16, 0, 16, {
		{ "0000:34:00.0", 0, "0-1", NULL, X },
		{ "0000:36:00.0", 0, "0-1", NULL, X },
		{ "0000:39:00.0", 0, "0-1", NULL, X },
		{ "0000:3b:00.0", 0, "0-1", NULL, X },
		{ "0000:57:00.0", 0, "0-1", NULL, X },
		{ "0000:59:00.0", 0, "0-1", NULL, X },
		{ "0000:5c:00.0", 0, "0-1", NULL, X },
		{ "0000:5e:00.0", 0, "0-1", NULL, X },
		{ "0000:b7:00.0", 1, "24-25", NULL, X },
		{ "0000:b9:00.0", 1, "24-25", NULL, X },
		{ "0000:bc:00.0", 1, "24-25", NULL, X },
		{ "0000:be:00.0", 1, "24-25", NULL, X },
		{ "0000:e0:00.0", 1, "24-25", NULL, X },
		{ "0000:e2:00.0", 1, "24-25", NULL, X },
		{ "0000:e5:00.0", 1, "24-25", NULL, X },
		{ "0000:e7:00.0", 1, "24-25", NULL, X } }, 0, NULL },
	/* Failures. */
	{ "synthetic-2numa-no-gpu.xml", 0, 0, 0, { { 0 } }, .err_errno = ENODEV,
	  .err_text = "no GPU" },
	{ "missing.xml", 0, 0, 0, { { 0 } }, .err_errno = ENOENT,
	  .err_text = "missing.xml: No such file" },
	{ "../SOURCES", 0, 0, 0, { { 0 } }, .err_errno = EINVAL, .err_text = "not an hwloc XML export" },
};

#define N_ROWS ((int) (sizeof(rows) / sizeof(rows[0])))

START_TEST(test_pairing)
{
	const row_t *r = &rows[_i];
	tp_error_t err = { "" };
	tp_node_topo_t *t;
	int i, no_local = 0;

	errno = 0;
	t = tp_node_topo_load(_path(r->file), &err);
	if (r->err_errno) {
		ck_assert_msg(!t, "%s: loaded", r->file);
		ck_assert_int_eq(errno, r->err_errno);
		ck_assert_msg(strstr(err.text, r->err_text),
			      "%s: message \"%s\"", r->file, err.text);
		return;
	}
	ck_assert_msg(t, "%s: %s", r->file, err.text);
	ck_assert_int_eq(tp_node_topo_gpu_count(t), r->ngpu);
	ck_assert_int_eq(tp_node_topo_nic_count(t), r->nnic);
	for (i = 0; i < r->ngpu; i++) {
		const tp_bind_gpu_t *g = tp_node_topo_gpu(t, i);
		const tp_bind_nic_t *n = tp_node_topo_nic(t, g->nic);
		const gpu_row_t *e = &r->gpu[i];

		ck_assert_str_eq(g->busid, e->busid);
		ck_assert_int_eq(g->numa, e->numa);
		ck_assert_str_eq(g->cpus, e->cpus);
		ck_assert_msg(tp_bind_dist_name(g->dist) ==
				      tp_bind_dist_name(e->dist),
			      "%s GPU %d: distance %s, expected %s", r->file,
			      i, tp_bind_dist_name(g->dist),
			      tp_bind_dist_name(e->dist));
		if (e->nic) {
			ck_assert_ptr_nonnull(n);
			ck_assert_str_eq(n->name, e->nic);
		} else {
			ck_assert_int_eq(g->nic, -1);
		}
		ck_assert(g->nic_local == (e->dist == P || e->dist == N));
		no_local += !g->nic_local;
	}
	ck_assert_int_eq(no_local, r->no_local);
	ck_assert_ptr_null(tp_node_topo_gpu(t, r->ngpu));
	ck_assert_ptr_null(tp_node_topo_gpu(t, -1));
	tp_node_topo_free(t);
}
END_TEST

/* The same file read twice, or from a buffer, gives the same pairing. */
START_TEST(test_deterministic)
{
	tp_error_t err;
	tp_node_topo_t *a, *b;
	char *buf;
	long len;
	FILE *f;
	int i;

	f = fopen(_path("meluxina-4xA100-2xCX6.xml"), "r");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc(len);
	ck_assert_int_eq(fread(buf, 1, len, f), len);
	fclose(f);
	a = tp_node_topo_load(_path("meluxina-4xA100-2xCX6.xml"), &err);
	b = tp_node_topo_load_buffer(buf, len, &err);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	for (i = 0; i < tp_node_topo_gpu_count(a); i++)
		ck_assert_mem_eq(tp_node_topo_gpu(a, i), tp_node_topo_gpu(b, i),
				 sizeof(tp_bind_gpu_t));
	for (i = 0; i < tp_node_topo_nic_count(a); i++)
		ck_assert_int_eq(tp_node_topo_nic(a, i)->gpus, 2);
	tp_node_topo_free(a);
	tp_node_topo_free(b);
	free(buf);
}
END_TEST

/* hwloc 3 exports are refused by name, not with hwloc's bare EINVAL. */
START_TEST(test_hwloc3)
{
	static const char xml[] = "<?xml version=\"1.0\"?>\n"
				  "<topology version=\"3.0\">\n</topology>\n";
	tp_error_t err;

	ck_assert_ptr_null(tp_node_topo_load_buffer(xml, strlen(xml), &err));
	ck_assert_ptr_nonnull(strstr(err.text, "hwloc 3 XML"));
	ck_assert_ptr_null(tp_node_topo_load_buffer(NULL, 0, &err));
	tp_node_topo_free(NULL);
	ck_assert_int_eq(tp_node_topo_gpu_count(NULL), 0);
}
END_TEST

typedef struct {
	const char *list;
	int n;			/* -1: rejected */
	int idx[4];
} list_row_t;

static const list_row_t lists[] = {
	{ "0", 1, { 0 } },
	{ "3,1", 2, { 3, 1 } },
	{ "0,1,2,3", 4, { 0, 1, 2, 3 } },
	{ "", -1, { 0 } },
	{ "4", -1, { 0 } },		/* beyond 4 GPUs */
	{ "99999999999999999999", -1, { 0 } },
	{ "0,", -1, { 0 } },
	{ ",0", -1, { 0 } },
	{ "-1", -1, { 0 } },
	{ "+1", -1, { 0 } },
	{ "0 1", -1, { 0 } },
	{ "1-2", -1, { 0 } },
	{ "GPU-5d3e1c2a", -1, { 0 } },
	{ "0,1,2,3,0", -1, { 0 } },	/* more than max_out */
};

START_TEST(test_parse_gpus)
{
	const list_row_t *r = &lists[_i];
	tp_error_t err = { "" };
	int idx[4], n, i;

	n = tp_bind_parse_gpus(r->list, 4, idx, 4, &err);
	ck_assert_msg(n == r->n, "\"%s\": %d (%s)", r->list, n, err.text);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(idx[i], r->idx[i]);
	if (n < 0)
		ck_assert_msg(err.text[0], "\"%s\": no message", r->list);
}
END_TEST

/* Which variable names a task's GPUs, and as which node indices. */
typedef struct {
	const char *step;	/* SLURM_STEP_GPUS */
	const char *job;	/* SLURM_JOB_GPUS */
	const char *visible;	/* CUDA_VISIBLE_DEVICES */
	bool batch;
	int n;			/* -1: must fail */
	int idx[4];
	const char *from;
} gpu_env_row_t;

static const gpu_env_row_t gpu_envs[] = {
	/* ConstrainDevices=yes: the task of GPU 2 sees CUDA device 0. */
	{ "2", NULL, "0", false, 1, { 2 }, "SLURM_STEP_GPUS" },
	{ "1,3", NULL, "0,1", false, 2, { 1, 3 }, "SLURM_STEP_GPUS" },
	/* Unconstrained: both hold node indices. */
	{ "1,3", NULL, "1,3", false, 2, { 1, 3 }, "SLURM_STEP_GPUS" },
	/* No SLURM_STEP_GPUS (unset or empty): CUDA_VISIBLE_DEVICES. */
	{ NULL, NULL, "3", false, 1, { 3 }, "CUDA_VISIBLE_DEVICES" },
	{ "", NULL, "2", false, 1, { 2 }, "CUDA_VISIBLE_DEVICES" },
	/* A step without GPUs in a batch job: the batch node's inherited
	 * SLURM_JOB_GPUS is not the step's. */
	{ NULL, "0,1,2,3", NULL, false, 0, { 0 }, NULL },
	/* Batch step: SLURM_JOB_GPUS, not a stale SLURM_STEP_GPUS. */
	{ "0", "2,3", "0,1", true, 2, { 2, 3 }, "SLURM_JOB_GPUS" },
	{ "0", NULL, "1", true, 1, { 1 }, "CUDA_VISIBLE_DEVICES" },
	{ NULL, NULL, NULL, false, 0, { 0 }, NULL },
	{ "", "", "", true, 0, { 0 }, NULL },
	/* A bad list fails; the next variable is not tried. */
	{ "GPU-5d3e1c2a", NULL, "0", false, -1, { 0 }, "SLURM_STEP_GPUS" },
	{ "4", NULL, "0", false, -1, { 0 }, "SLURM_STEP_GPUS" },
	{ NULL, "0,,1", "0", true, -1, { 0 }, "SLURM_JOB_GPUS" },
};

START_TEST(test_task_gpus)
{
	const gpu_env_row_t *r = &gpu_envs[_i];
	tp_bind_gpu_env_t env = { r->step, r->job, r->visible };
	tp_error_t err = { "" };
	const char *from = "unset";
	int idx[4], n, i;

	n = tp_bind_task_gpus(&env, r->batch, 4, idx, 4, &from, &err);
	ck_assert_msg(n == r->n, "row %d: %d (%s)", _i, n, err.text);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(idx[i], r->idx[i]);
	if (r->from)
		ck_assert_str_eq(from, r->from);
	else
		ck_assert_ptr_null(from);
	if (n < 0)
		ck_assert_msg(err.text[0], "row %d: no message", _i);
}
END_TEST

START_TEST(test_task_gpus_args)
{
	tp_error_t err = { "" };
	const char *from = "unset";
	int idx[1];

	ck_assert_int_eq(tp_bind_task_gpus(NULL, false, 4, idx, 1, &from,
					   &err), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(from);
}
END_TEST

/* Port rates from ibv_port_attr codes, as ibstat prints them. */
static const struct {
	int width, speed;
	double rate;
} rates[] = {
	{ 1, 1, 2.5 },		/* 1x SDR */
	{ 2, 4, 40 },		/* 4x QDR */
	{ 2, 8, 40 },		/* 4x FDR10 */
	{ 2, 16, 56 },		/* 4x FDR */
	{ 2, 32, 100 },		/* 4x EDR */
	{ 2, 64, 200 },		/* 4x HDR */
	{ 16, 64, 100 },	/* 2x HDR (HDR100) */
	{ 2, 128, 400 },	/* 4x NDR */
	{ 8, 4, 120 },		/* 12x QDR */
	{ 4, 2, 40 },		/* 8x DDR */
	{ 0, 32, 0 },		/* unknown width */
	{ 3, 32, 0 },
	{ 2, 0, 0 },		/* unknown speed */
	{ 2, 3, 0 },
};

START_TEST(test_verbs_rate)
{
	ck_assert_msg(tp_bind_verbs_rate(rates[_i].width, rates[_i].speed) ==
		      rates[_i].rate, "width %d speed %d", rates[_i].width,
		      rates[_i].speed);
}
END_TEST

/* A NIC that verbs does not list keeps hwloc's record. (Here no node
 * has verbs devices; on a live node the name cannot exist.) */
START_TEST(test_verbs_absent)
{
	tp_bind_nic_t nic;

	memset(&nic, 0, sizeof(nic));
	snprintf(nic.name, sizeof(nic.name), "tp_no_such_nic");
	nic.port_state = 4;
	ck_assert_int_eq(tp_bind_verbs_probe(NULL, 1), 0);
	ck_assert_int_eq(tp_bind_verbs_probe(&nic, 0), 0);
	ck_assert_int_eq(tp_bind_verbs_probe(&nic, 1), 0);
	ck_assert_int_eq(nic.port_state, 4);
	ck_assert(nic.rate == 0);
	ck_assert(!nic.verbs);
}
END_TEST

/* What the SPANK plugin gives tasks on the JUWELS Booster node. */
START_TEST(test_task)
{
	tp_node_topo_t *t;
	tp_error_t err;
	char hca[64], ucx[64], cpus[64];
	cpu_set_t set;
	int g[2] = { 1, 3 };

	t = tp_node_topo_load(_path("juwels-booster-4xA100-4xCX6.xml"), &err);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(tp_bind_task(t, g, 1, hca, sizeof(hca), ucx,
				      sizeof(ucx), &set, &err), 0);
	ck_assert_str_eq(hca, "mlx5_1");
	ck_assert_str_eq(ucx, "mlx5_1:1");
	ck_assert_int_eq(tp_cpuset_to_list(&set, cpus, sizeof(cpus)), 0);
	ck_assert_str_eq(cpus, "6-11,54-59");
	ck_assert_int_eq(tp_bind_task(t, g, 2, hca, sizeof(hca), ucx,
				      sizeof(ucx), &set, &err), 0);
	ck_assert_str_eq(hca, "mlx5_1,mlx5_3");
	ck_assert_str_eq(ucx, "mlx5_1:1,mlx5_3:1");
	ck_assert_int_eq(tp_cpuset_to_list(&set, cpus, sizeof(cpus)), 0);
	ck_assert_str_eq(cpus, "6-11,30-35,54-59,78-83");
	/* Buffer too small, index out of range. */
	ck_assert_int_eq(tp_bind_task(t, g, 2, hca, 8, ucx, sizeof(ucx),
				      NULL, &err), -1);
	g[1] = 4;
	ck_assert_int_eq(tp_bind_task(t, g, 2, hca, sizeof(hca), ucx,
				      sizeof(ucx), NULL, &err), -1);
	ck_assert_int_eq(tp_cpuset_to_list(&set, cpus, 4), -1);
	tp_node_topo_free(t);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("binding");
	TCase *tc = tcase_create("binding");

	tcase_add_loop_test(tc, test_pairing, 0, N_ROWS);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_hwloc3);
	tcase_add_loop_test(tc, test_parse_gpus, 0,
			    (int) (sizeof(lists) / sizeof(lists[0])));
	tcase_add_test(tc, test_task);
	tcase_add_loop_test(tc, test_task_gpus, 0,
			    (int) (sizeof(gpu_envs) / sizeof(gpu_envs[0])));
	tcase_add_test(tc, test_task_gpus_args);
	tcase_add_loop_test(tc, test_verbs_rate, 0,
			    (int) (sizeof(rates) / sizeof(rates[0])));
	tcase_add_test(tc, test_verbs_absent);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
