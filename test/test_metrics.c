/*****************************************************************************\
 *  test_metrics.c - hop counts and the all-reduce bandwidth model on
 *  placements whose figures can be worked out by hand, and efficiency
 *  against every placement of small fabrics.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
/* NVL4 with 2 uplinks per leaf for its 16 GPUs. */
#define NVL4_THIN { .levels = 1, .leaves = 2, .nodes_per_leaf = 4, \
		    .gpus_per_node = 4, .nvl_nodes = 4, \
		    .uplinks_per_leaf = 2 }

static const _case_t _cases[] = {
	{ "one node", OVERSUB, 1, { 0 }, { 8 },
	  { .nodes = 1, .gpus = 8, .leaves = 1, .domains = 1, .max_hops = 0,
	    .mean_hops = 0, .busbw_gbs = 3600 / 8.0, .efficiency = 1 } },
	{ "one GPU: no all-reduce", OVERSUB, 1, { 0 }, { 1 },
	  { .nodes = 1, .gpus = 1, .leaves = 1, .domains = 1,
	    .busbw_gbs = 0, .efficiency = 1 } },
	{ "two nodes under one leaf run at NIC speed", OVERSUB, 2, { 0, 1 },
	  { 8, 8 }, { .nodes = 2, .gpus = 16, .leaves = 1, .domains = 2,
	    .max_hops = 2, .mean_hops = 2.0 * 64 / 120,
	    .busbw_gbs = 400 / 8.0, .efficiency = 1 } },
	/* share = 8 uplinks x 400 x 8/32 = 800 Gb/s for 8 rings; the same
	 * two nodes under one leaf get 400 */
	{ "across the spine, 4:1 oversubscribed", OVERSUB, 2, { 0, 4 },
	  { 8, 8 }, { .nodes = 2, .gpus = 16, .leaves = 2, .domains = 2,
	    .max_hops = 4, .mean_hops = 4.0 * 64 / 120,
	    .busbw_gbs = 100 / 8.0, .efficiency = 0.25 } },
	{ "inside one NVLink domain of 4 nodes", NVL4, 2, { 0, 1 },
	  { 4, 4 }, { .nodes = 2, .gpus = 8, .leaves = 1, .domains = 1,
	    .max_hops = 2, .mean_hops = 2.0 * 16 / 28,
	    .busbw_gbs = 3600 / 8.0, .efficiency = 1 } },
	/* The best of 2 x 4 GPUs is inside a domain: 3600 Gb/s. */
	{ "two NVLink domains on one leaf each", NVL4, 2, { 0, 4 },
	  { 4, 4 }, { .nodes = 2, .gpus = 8, .leaves = 2, .domains = 2,
	    .max_hops = 4, .mean_hops = 4.0 * 16 / 28,
	    .busbw_gbs = 400 / 8.0, .efficiency = 400.0 / 3600 } },
	/* share = 2 uplinks x 400 x 4/16 = 200 Gb/s for 4 rings */
	{ "two NVLink domains across thin uplinks", NVL4_THIN, 2, { 0, 4 },
	  { 4, 4 }, { .nodes = 2, .gpus = 8, .leaves = 2, .domains = 2,
	    .max_hops = 4, .mean_hops = 4.0 * 16 / 28,
	    .busbw_gbs = 50 / 8.0, .efficiency = 50.0 / 3600 } },
	/* 2 + 1 GPUs over two leaves: 2 rings share the second leaf's
	 * 16 x 400 x 1/16 Gb/s; the best keeps both nodes in a domain. */
	{ "uneven nodes in two domains", NVL4, 2, { 0, 5 },
	  { 2, 1 }, { .nodes = 2, .gpus = 3, .leaves = 2, .domains = 2,
	    .max_hops = 4, .mean_hops = 4.0 * 2 / 3,
	    .busbw_gbs = 200 / 8.0, .efficiency = 200.0 / 3600 } },
	{ "three levels", PODS, 4, { 0, 1, 2, 3 }, { 1, 1, 1, 1 },
	  { .nodes = 4, .gpus = 4, .leaves = 4, .domains = 4, .max_hops = 6,
	    .mean_hops = (2 * 4.0 + 4 * 6.0) / 6,
	    .busbw_gbs = 400 / 8.0, .efficiency = 1 } },
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
	ck_assert_double_eq_tol(m.busbw_gbs, c->expect.busbw_gbs, 1e-9);
	ck_assert_double_eq_tol(m.efficiency, c->expect.efficiency, 1e-12);
	/* Optimal placements read exactly 1, not nearly. */
	if (c->expect.efficiency == 1)
		ck_assert(m.efficiency == 1.0);
	tp_state_free(s);
	tp_fabric_free(f);
}
END_TEST

/*****************************************************************************\
 *  Efficiency against every placement of small fabrics
\*****************************************************************************/

#define BRUTE_GPUS 4	/* most GPUs on a node */
#define BRUTE_NODES 8	/* most nodes */

/* A shape, as how many nodes hold 1, 2, ... BRUTE_GPUS GPUs. */
static int _shape_key(const tp_placement_t *p)
{
	int count[BRUTE_GPUS + 1] = { 0 }, key = 0;

	for (int i = 0; i < p->count; i++)
		count[p->gpus[i]]++;
	for (int g = BRUTE_GPUS; g >= 1; g--)
		key = key * (BRUTE_NODES + 1) + count[g];
	return key;
}

/*
 * Measure every placement of the fabric (every set of nodes, every GPU
 * count on each): efficiency must lie in [0, 1], and the best placement of
 * each shape must read exactly 1.
 * RET placements measured.
 */
static long _brute(const tp_fabric_t *f)
{
	int n = tp_fabric_node_count(f), shapes = 1, node[BRUTE_NODES],
	    gpus[BRUTE_NODES], take[BRUTE_NODES] = { 0 };
	tp_state_t *s = tp_state_new(f);
	double *best;
	long measured = 0;

	ck_assert_int_le(n, BRUTE_NODES);
	for (int g = 0; g < BRUTE_GPUS; g++)
		shapes *= BRUTE_NODES + 1;
	best = malloc(sizeof(double) * shapes);
	ck_assert_ptr_nonnull(best);
	for (int k = 0; k < shapes; k++)
		best[k] = -1;
	for (int i = 0; i < n; i++)
		ck_assert_int_le(tp_fabric_node_gpus(f, i), BRUTE_GPUS);
	/* take[] counts up in mixed radix (node GPUs + 1). */
	for (;;) {
		tp_placement_t p = { .node = node, .gpus = gpus };
		tp_metrics_t m;
		int i;

		for (i = 0; i < n; i++) {
			if (++take[i] <= tp_fabric_node_gpus(f, i))
				break;
			take[i] = 0;
		}
		if (i == n)
			break;
		for (i = 0; i < n; i++) {
			if (take[i]) {
				node[p.count] = i;
				gpus[p.count++] = take[i];
			}
		}
		ck_assert_int_eq(tp_metrics(s, &p, &m), 0);
		ck_assert_msg(m.efficiency >= 0 && m.efficiency <= 1,
			      "efficiency %.17g", m.efficiency);
		if (m.gpus < 2)
			ck_assert(m.efficiency == 1 && m.busbw_gbs == 0);
		if (m.efficiency > best[_shape_key(&p)])
			best[_shape_key(&p)] = m.efficiency;
		measured++;
	}
	for (int k = 0; k < shapes; k++)
		if (best[k] >= 0)
			ck_assert_msg(best[k] == 1.0, "shape %d: best %.17g",
				      k, best[k]);
	free(best);
	tp_state_free(s);
	return measured;
}

static const tp_gen_t _brute_gen[] = {
	/* Oversubscribed: 1 uplink for 8 GPUs under each leaf. */
	{ .levels = 1, .leaves = 2, .nodes_per_leaf = 4, .gpus_per_node = 2,
	  .nvl_nodes = 1, .uplinks_per_leaf = 1 },
	/* A 3-node NVLink domain per leaf, 2 uplinks for 9 GPUs. */
	{ .levels = 1, .leaves = 2, .nodes_per_leaf = 3, .gpus_per_node = 3,
	  .nvl_nodes = 3, .uplinks_per_leaf = 2 },
	/* Three levels, 2-node domains slower than the NICs. */
	{ .levels = 2, .leaves = 4, .nodes_per_leaf = 2, .gpus_per_node = 2,
	  .leaves_per_pod = 2, .nvl_nodes = 2, .uplinks_per_leaf = 1,
	  .nvlink_gbps = 100 },
	/* Non-blocking, 4 GPUs a node, 2-node domains. */
	{ .levels = 1, .leaves = 3, .nodes_per_leaf = 2, .gpus_per_node = 4,
	  .nvl_nodes = 2 },
};

START_TEST(test_efficiency_brute_gen)
{
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&_brute_gen[_i], &err);

	ck_assert_msg(f != NULL, "%s", err.text);
	ck_assert_int_gt(_brute(f), 0);
	tp_fabric_free(f);
}
END_TEST

/* Mixed nodes: GPU counts, NIC shares, a domain across both leaves, a
 * domain slower than the NICs, and uneven uplinks. */
static const char _mixed_topology[] =
	"SwitchName=l1 Nodes=a[1-3]\n"
	"SwitchName=l2 Nodes=b[1-3]\n"
	"SwitchName=s Switches=l[1-2]\n";
static const char _mixed_topopack[] =
	"NvlinkSpeed=900\n"
	"NodeName=DEFAULT Gpus=4 NicSpeed=400\n"
	"NodeName=a3 Gpus=2\n"
	"NodeName=b1 Gpus=2 Nics=1 NicSpeed=200\n"
	"NodeName=b2 Gpus=2 Nics=1 NicSpeed=200\n"
	"NodeName=b3 Gpus=3\n"
	"DomainName=d1 Nodes=a2,b1 NvlinkSpeed=1800\n"
	"DomainName=d2 Nodes=a1,a3 NvlinkSpeed=200\n"
	"SwitchName=l1 Uplinks=2 UplinkSpeed=400\n"
	"SwitchName=l2 Uplinks=1 UplinkSpeed=100\n";

static void _write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_ge(fputs(text, fp), 0);
	ck_assert_int_eq(fclose(fp), 0);
}

START_TEST(test_efficiency_brute_mixed)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", topo[64], conf[64];
	tp_fabric_t *f;
	tp_error_t err;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(topo, sizeof(topo), "%s/topology.conf", dir);
	snprintf(conf, sizeof(conf), "%s/topopack.conf", dir);
	_write(topo, _mixed_topology);
	_write(conf, _mixed_topopack);
	f = tp_fabric_load(topo, conf, &err);
	unlink(topo);
	unlink(conf);
	rmdir(dir);
	ck_assert_msg(f != NULL, "%s", err.text);
	ck_assert_int_gt(_brute(f), 0);
	tp_fabric_free(f);
}
END_TEST

/* 100 nodes of two GPU counts over 64 thin leaves: for the lowest
 * bandwidths tried, the search runs past its budget and pools the leaves
 * (the relaxed bound); efficiency must still stay in (0, 1]. */
START_TEST(test_efficiency_relaxed)
{
	tp_gen_t gen = { .levels = 1, .leaves = 64, .nodes_per_leaf = 16,
			 .gpus_per_node = 8, .nvl_nodes = 1,
			 .uplinks_per_leaf = 4 };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);
	tp_state_t *s = tp_state_new(f);
	int node[100], gpus[100];
	tp_placement_t p = { .count = 100, .node = node, .gpus = gpus };
	tp_metrics_t m;

	ck_assert_ptr_nonnull(s);
	tp_test_seed = 5;
	for (int round = 0; round < 20; round++) {
		/* Random nodes; the shape stays 50 x 8 + 50 x 4. */
		for (int i = 0; i < 100; i++) {
			int dup;

			do {
				node[i] = tp_test_rand(1024);
				dup = 0;
				for (int j = 0; j < i; j++)
					dup |= node[j] == node[i];
			} while (dup);
			gpus[i] = i < 50 ? 8 : 4;
		}
		if (!round)
			for (int i = 0; i < 100; i++)
				node[i] = i;	/* 7 leaves, in order */
		ck_assert_int_eq(tp_metrics(s, &p, &m), 0);
		ck_assert_msg(m.efficiency > 0 && m.efficiency <= 1,
			      "efficiency %.17g", m.efficiency);
	}
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
	tc = tcase_create("brute");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_efficiency_brute_gen, 0,
			    sizeof(_brute_gen) / sizeof(_brute_gen[0]));
	tcase_add_test(tc, test_efficiency_brute_mixed);
	tcase_add_test(tc, test_efficiency_relaxed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
