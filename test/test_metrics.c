/*****************************************************************************\
 *  test_metrics.c - hop counts and the all-reduce bandwidth model on
 *  placements whose figures can be worked out by hand.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <stdlib.h>

#include "topopack.h"

typedef struct {
	const char *what;
	tp_gen_t gen;
	int count;
	int node[4];
	int gpus[4];
	tp_metrics_t expect;
} _case_t;

/* 2 leaves x 4 nodes x 8 GPUs, 400 Gb/s NICs; each leaf has 8 uplinks
 * for 32 GPUs below it (4:1 oversubscribed). */
#define OVERSUB { .levels = 1, .leaves = 2, .nodes_per_leaf = 4, \
		  .gpus_per_node = 8, .nvl_nodes = 1, \
		  .uplinks_per_leaf = 8 }
#define NVL4 { .levels = 1, .leaves = 2, .nodes_per_leaf = 4, \
	       .gpus_per_node = 4, .nvl_nodes = 4 }
#define PODS { .levels = 2, .leaves = 4, .nodes_per_leaf = 1, \
	       .gpus_per_node = 1, .leaves_per_pod = 2, .nvl_nodes = 1 }

static const _case_t _cases[] = {
	{ "one node", OVERSUB, 1, { 0 }, { 8 },
	  { .nodes = 1, .gpus = 8, .leaves = 1, .domains = 1, .max_hops = 0,
	    .mean_hops = 0, .allreduce_gbps = 3600, .allreduce_eff = 1 } },
	{ "one GPU", OVERSUB, 1, { 0 }, { 1 },
	  { .nodes = 1, .gpus = 1, .leaves = 1, .domains = 1,
	    .allreduce_eff = 1 } },
	{ "two nodes under one leaf run at NIC speed", OVERSUB, 2, { 0, 1 },
	  { 8, 8 }, { .nodes = 2, .gpus = 16, .leaves = 1, .domains = 2,
	    .max_hops = 2, .mean_hops = 2.0 * 64 / 120,
	    .allreduce_gbps = 400, .allreduce_eff = 1 } },
	/* share = 8 uplinks x 400 x 8/32 = 800 Gb/s for 8 rings */
	{ "across the spine, 4:1 oversubscribed", OVERSUB, 2, { 0, 4 },
	  { 8, 8 }, { .nodes = 2, .gpus = 16, .leaves = 2, .domains = 2,
	    .max_hops = 4, .mean_hops = 4.0 * 64 / 120,
	    .allreduce_gbps = 100, .allreduce_eff = 0.25 } },
	{ "inside one NVLink domain of 4 nodes", NVL4, 2, { 0, 1 },
	  { 4, 4 }, { .nodes = 2, .gpus = 8, .leaves = 1, .domains = 1,
	    .max_hops = 2, .mean_hops = 2.0 * 16 / 28,
	    .allreduce_gbps = 3600, .allreduce_eff = 9 } },
	{ "three levels", PODS, 4, { 0, 1, 2, 3 }, { 1, 1, 1, 1 },
	  { .nodes = 4, .gpus = 4, .leaves = 4, .domains = 4, .max_hops = 6,
	    .mean_hops = (2 * 4.0 + 4 * 6.0) / 6,
	    .allreduce_gbps = 400, .allreduce_eff = 1 } },
};

START_TEST(test_metrics_table)
{
	const _case_t *c = &_cases[_i];
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&c->gen, &err);
	tp_state_t *s = tp_state_new(f);
	tp_placement_t p = { .count = c->count, .node = (int *) c->node,
			     .gpus = (int *) c->gpus };
	tp_metrics_t m;

	ck_assert_int_eq(tp_metrics(s, &p, &m), 0);
	ck_assert_int_eq(m.nodes, c->expect.nodes);
	ck_assert_int_eq(m.gpus, c->expect.gpus);
	ck_assert_int_eq(m.leaves, c->expect.leaves);
	ck_assert_int_eq(m.domains, c->expect.domains);
	ck_assert_int_eq(m.max_hops, c->expect.max_hops);
	ck_assert_double_eq_tol(m.mean_hops, c->expect.mean_hops, 1e-9);
	ck_assert_double_eq_tol(m.allreduce_gbps, c->expect.allreduce_gbps,
				1e-9);
	ck_assert_double_eq_tol(m.allreduce_eff, c->expect.allreduce_eff,
				1e-9);
	tp_state_free(s);
	tp_fabric_free(f);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("model");

	tcase_add_loop_test(tc, test_metrics_table, 0,
			    sizeof(_cases) / sizeof(_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
