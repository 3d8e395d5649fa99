/*****************************************************************************\
 *  test_status.c - topopack-status's figures: capacity per leaf and NVLink
 *  domain, fragmentation, free slots by shape against a brute-force count
 *  of disjoint packings, where a shape would start, job quality order,
 *  the snapshot reader's errors, and what the renderers write.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include "tp_check.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status_render.h"
#include "status_snapshot.h"

static status_cluster_t *_basic(const char *snapshot, tp_error_t *err)
{
	tp_fabric_t *fabric = tp_fabric_load(
		tp_test_data("conf", "good-basic.topology.conf"),
		tp_test_data("conf", "good-basic.topopack.conf"), err);
	FILE *f;
	status_cluster_t *c;

	ck_assert_msg(fabric, "%s", err->text);
	if (snapshot)
		f = fmemopen((void *) snapshot, strlen(snapshot), "r");
	else
		f = fopen(tp_test_data("status", "good-basic.snapshot"), "r");
	ck_assert(f);
	c = status_snapshot_read(f, "snap", fabric, err);
	fclose(f);
	return c;
}

static status_t *_compute(const status_cluster_t *c,
			  const status_shape_t *where)
{
	tp_error_t err = { .text = "" };
	status_t *st = status_compute(c, where, TP_POLICY_TOPOPACK, &err);

	ck_assert_msg(st, "%s", err.text);
	return st;
}

static void _group_is(const status_group_t *g, const char *name, int nodes,
		      int gpus, int busy, int free, int unavail, int idle,
		      int down, int drain)
{
	ck_assert_str_eq(g->name, name);
	ck_assert_int_eq(g->nodes, nodes);
	ck_assert_int_eq(g->gpus, gpus);
	ck_assert_int_eq(g->busy, busy);
	ck_assert_int_eq(g->free, free);
	ck_assert_int_eq(g->unavail, unavail);
	ck_assert_int_eq(g->idle_nodes, idle);
	ck_assert_int_eq(g->nodes_down, down);
	ck_assert_int_eq(g->nodes_drain, drain);
}

START_TEST(test_groups)
{
	tp_error_t err = { .text = "" };
	status_cluster_t *c = _basic(NULL, &err);
	status_t *st;

	ck_assert_msg(c, "%s", err.text);
	st = _compute(c, NULL);
	/* leaf1: gpu001 held whole, gpu002 3 of 8, gpu[003-004] idle. */
	ck_assert_int_eq(st->nleaves, 2);
	_group_is(&st->leaf[0], "leaf1", 4, 32, 11, 21, 0, 2, 0, 0);
	/* leaf2: gpu005 full, gpu006 down, gpu007 drained with 2 used,
	 * gpu008 (4 GPUs) idle. */
	_group_is(&st->leaf[1], "leaf2", 4, 28, 10, 4, 14, 1, 1, 1);
	_group_is(&st->total, "cluster", 8, 60, 21, 25, 14, 3, 1, 1);
	/* nvl1, then one implicit domain per other node. */
	ck_assert_int_eq(st->ndomains, 5);
	ck_assert(!st->domain[0].implicit);
	_group_is(&st->domain[0], "nvl1", 4, 32, 11, 21, 0, 2, 0, 0);
	ck_assert(st->domain[4].implicit);
	_group_is(&st->domain[4], "gpu008", 1, 4, 0, 4, 0, 1, 0, 0);
	ck_assert_int_eq(st->largest_leaf_free, 21);
	/* 25 free GPUs, 20 of them on idle nodes. */
	ck_assert_double_eq_tol(st->fragmentation, 5.0 / 25, 1e-12);
	ck_assert_int_eq(st->node_use[0], STATUS_USE_BUSY);
	ck_assert_int_eq(st->node_use[1], STATUS_USE_PARTLY);
	ck_assert_int_eq(st->node_use[2], STATUS_USE_FREE);
	ck_assert_int_eq(st->node_use[5], STATUS_USE_DOWN);
	ck_assert_int_eq(st->node_use[6], STATUS_USE_DOWN);
	status_free(st);
	status_cluster_free(c);
}
END_TEST

START_TEST(test_fragmentation)
{
	static const struct {
		const char *snap;
		double want;
	} t[] = {
		{ "", 0.0 },				/* all idle */
		{ "node gpu[001-008] gpus_used=4\n", 1.0 },	/* all partly */
		{ "node gpu[001-007] exclusive\nnode gpu008 gpus_used=4\n",
		  0.0 },				/* nothing free */
		{ "node gpu[001-004] gpus_used=6\n", 8.0 / 36 },
		{ "node gpu[001-007] state=down\n", 0.0 },
		{ "node gpu[002-008] state=reserved\nnode gpu001 "
		  "gpus_used=1\n", 1.0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tp_error_t err = { .text = "" };
		status_cluster_t *c = _basic(t[i].snap, &err);
		status_t *st;

		ck_assert_msg(c, "%zu: %s", i, err.text);
		st = _compute(c, NULL);
		ck_assert_msg(st->fragmentation > t[i].want - 1e-12 &&
			      st->fragmentation < t[i].want + 1e-12,
			      "%zu: %f, expected %f", i, st->fragmentation,
			      t[i].want);
		status_free(st);
		status_cluster_free(c);
	}
}
END_TEST

/*
 * Brute force: the most jobs of size s that fit at once, each taking s
 * units (GPUs, or idle nodes as one unit each) from the nodes of one
 * block, in any split: every split of every job is tried, over the
 * states of what is left (memoised).
 */
typedef struct {
	const int *block;	/* node -> block */
	int n, nblocks, s, base;
	int *memo;		/* state code -> best, or -1 */
} _brute_t;

static int _best(_brute_t *b, int *avail)
{
	int code = 0, best = 0;

	for (int i = b->n - 1; i >= 0; i--)
		code = code * b->base + avail[i];
	if (b->memo[code] >= 0)
		return b->memo[code];
	for (int blk = 0; blk < b->nblocks; blk++) {
		int take[16] = { 0 }, i;

		/* Every vector of takes within the block: an odometer. */
		do {
			int sum = 0;

			for (i = 0; i < b->n; i++)
				sum += take[i];
			if (sum == b->s) {
				int got;

				for (i = 0; i < b->n; i++)
					avail[i] -= take[i];
				got = 1 + _best(b, avail);
				for (i = 0; i < b->n; i++)
					avail[i] += take[i];
				if (got > best)
					best = got;
			}
			for (i = 0; i < b->n; i++) {
				if (b->block[i] == blk && take[i] < avail[i]) {
					take[i]++;
					break;
				}
				take[i] = 0;
			}
		} while (i < b->n);
	}
	b->memo[code] = best;
	return best;
}

static int _pack(int *avail, const int *block, int n, int nblocks, int s,
		 int max_unit)
{
	_brute_t b = { .block = block, .n = n, .nblocks = nblocks, .s = s,
		       .base = max_unit + 1 };
	int states = 1, best;

	ck_assert_int_le(n, 16);
	for (int i = 0; i < n; i++)
		states *= b.base;
	b.memo = malloc(states * sizeof(int));
	ck_assert(b.memo);
	for (int i = 0; i < states; i++)
		b.memo[i] = -1;
	best = _best(&b, avail);
	free(b.memo);
	return best;
}

/* Random usage on a generated fabric; slots against the brute force. */
static void _slots_vs_brute(const tp_gen_t *gen, int rounds)
{
	tp_error_t err = { .text = "" };

	for (int r = 0; r < rounds; r++) {
		tp_fabric_t *f = tp_fabric_generate(gen, &err);
		status_cluster_t *c;
		int n, unit[16], leaf[16], dom[16], none[16];
		int nleaves, ndom;
		status_t *st;

		ck_assert_msg(f, "%s", err.text);
		c = status_cluster_new(f);
		ck_assert(c);
		n = tp_fabric_node_count(f);
		ck_assert_int_le(n, 16);
		for (int i = 0; i < n; i++) {
			int g = tp_fabric_node_gpus(f, i);
			int used = tp_test_rand(3) ? 0 : tp_test_rand(g + 1);
			int cond = tp_test_rand(8) ? STATUS_NODE_UP :
				STATUS_NODE_DOWN;
			bool excl = used > 0 && !tp_test_rand(4);

			ck_assert(!status_cluster_set_node(c, i, used, 0, excl,
							  cond, &err));
		}
		st = _compute(c, NULL);
		nleaves = st->nleaves;
		ndom = st->ndomains;
		for (int i = 0; i < n; i++) {
			leaf[i] = st->node_leaf[i];
			none[i] = 0;
			dom[i] = -1;
		}
		for (int d = 0; d < ndom; d++) {
			tp_domain_info_t di;

			ck_assert(!tp_fabric_domain(f, d, &di));
			for (int k = 0; k < di.nnodes; k++)
				dom[di.nodes[k]] = d;
		}
		for (int k = 0; k < st->nslots; k++) {
			const status_slots_t *x = &st->slot[k];

			for (int i = 0; i < n; i++) {
				int free = st->node_use[i] <= STATUS_USE_BUSY &&
					!c->exclusive[i] ?
					tp_state_node_free_gpus(c->state, i) :
					0;

				unit[i] = x->nodes ?
					st->node_use[i] == STATUS_USE_FREE :
					free;
			}
			ck_assert_int_eq(x->leaf, _pack(unit, leaf, n, nleaves,
							x->size, gen->gpus_per_node));
			ck_assert_int_eq(x->domain, _pack(unit, dom, n, ndom,
							  x->size,
							  gen->gpus_per_node));
			ck_assert_int_eq(x->any, _pack(unit, none, n, 1,
						       x->size,
						       gen->gpus_per_node));
		}
		status_free(st);
		status_cluster_free(c);
	}
}

START_TEST(test_slots_brute)
{
	/* Small enough for the brute force: at most 5^4 or 3^6 states. */
	tp_gen_t g1 = { .levels = 1, .leaves = 2, .nodes_per_leaf = 2,
			.gpus_per_node = 4, .nvl_nodes = 1 };
	tp_gen_t g2 = { .levels = 1, .leaves = 3, .nodes_per_leaf = 2,
			.gpus_per_node = 2, .nvl_nodes = 2 };
	tp_gen_t g3 = { .levels = 2, .leaves = 2, .nodes_per_leaf = 3,
			.gpus_per_node = 2, .leaves_per_pod = 1,
			.nvl_nodes = 3 };

	tp_test_seed = 20260101;
	_slots_vs_brute(&g1, 25);
	_slots_vs_brute(&g2, 25);
	_slots_vs_brute(&g3, 25);
}
END_TEST

/* Two fabrics no switch joins: "anywhere" counts each apart. */
START_TEST(test_slots_components)
{
	const char *tmp = getenv("TMPDIR");
	tp_error_t err = { .text = "" };
	char topo[4096], pack[4096];
	tp_fabric_t *f;
	status_cluster_t *c;
	status_t *st;
	FILE *w;
	int fd;

	snprintf(topo, sizeof(topo), "%s/test_status.XXXXXX",
		 (tmp && *tmp) ? tmp : "/tmp");
	ck_assert_int_ge(fd = mkstemp(topo), 0);
	ck_assert(w = fdopen(fd, "w"));
	fputs("SwitchName=a1 Nodes=n[1-2]\nSwitchName=a2 Nodes=n[3-4]\n"
	      "SwitchName=sa Switches=a[1-2]\nSwitchName=b1 Nodes=n[5-6]\n"
	      "SwitchName=sb Switches=b1\n",
	      w);
	fclose(w);
	snprintf(pack, sizeof(pack), "%s/test_status.XXXXXX",
		 (tmp && *tmp) ? tmp : "/tmp");
	ck_assert_int_ge(fd = mkstemp(pack), 0);
	ck_assert(w = fdopen(fd, "w"));
	fputs("NodeName=DEFAULT Gpus=8\n", w);
	fclose(w);
	f = tp_fabric_load(topo, pack, &err);
	unlink(topo);
	unlink(pack);
	ck_assert_msg(f, "%s", err.text);
	ck_assert(c = status_cluster_new(f));
	/* 6 free on each of n1..n4 (24 joined), 12 on n5-n6. */
	for (int i = 0; i < 6; i++)
		ck_assert(!status_cluster_set_node(c, i, 2, 1, false,
						  STATUS_NODE_UP, &err));
	st = _compute(c, NULL);
	ck_assert_int_eq(st->slot[0].size, 8);
	ck_assert_int_eq(st->slot[0].leaf, 1 + 1 + 1);
	ck_assert_int_eq(st->slot[0].any, 3 + 1);
	ck_assert_int_eq(st->slot[1].size, 16);
	ck_assert_int_eq(st->slot[1].leaf, 0);
	ck_assert_int_eq(st->slot[1].any, 1);
	ck_assert_int_eq(st->slot[2].size, 32);
	ck_assert_int_eq(st->slot[2].any, 0);
	ck_assert(st->slot[3].nodes);
	ck_assert_int_eq(st->slot[3].size, 1);
	ck_assert_int_eq(st->slot[3].any, 0);
	ck_assert_double_eq_tol(st->fragmentation, 1.0, 1e-12);
	status_free(st);
	status_cluster_free(c);
}
END_TEST

START_TEST(test_where)
{
	tp_error_t err = { .text = "" };
	status_cluster_t *c = _basic(NULL, &err);
	status_shape_t shape;
	status_t *st;

	ck_assert_msg(c, "%s", err.text);
	ck_assert(!status_shape_parse("16", &shape, &err));
	st = _compute(c, &shape);
	ck_assert(st->where.placed);
	ck_assert_str_eq(st->where.hosts, "gpu[003-004]");
	ck_assert_int_eq(st->where.leaves, 1);
	ck_assert_int_eq(st->where.domains, 1);
	ck_assert_int_eq(st->where.max_hops, 2);
	status_free(st);

	ck_assert(!status_shape_parse("nodes=3", &shape, &err));
	st = _compute(c, &shape);
	ck_assert(st->where.placed);
	ck_assert_int_eq(st->where.nnodes, 3);
	ck_assert_int_eq(st->where.leaves, 2);
	ck_assert_int_eq(st->where.min_leaves, 1);
	status_free(st);

	ck_assert(!status_shape_parse("nodes=3,leaves=1", &shape, &err));
	st = _compute(c, &shape);
	ck_assert(!st->where.placed);
	ck_assert_ptr_nonnull(st->where.why);
	status_free(st);

	ck_assert(!status_shape_parse("gpus=64", &shape, &err));
	st = _compute(c, &shape);
	ck_assert(!st->where.placed);
	status_free(st);
	status_cluster_free(c);
}
END_TEST

START_TEST(test_jobs)
{
	tp_error_t err = { .text = "" };
	status_cluster_t *c = _basic(NULL, &err);
	status_t *st;

	ck_assert_msg(c, "%s", err.text);
	st = _compute(c, NULL);
	ck_assert_int_eq(st->nrunning, 3);
	/* 101 spans both leaves where one would do: worst. */
	ck_assert_str_eq(st->running[0].job->id, "101");
	ck_assert_int_eq(st->running[0].at.leaves, 2);
	ck_assert_int_eq(st->running[0].at.min_leaves, 1);
	ck_assert_int_eq(st->running[0].at.domains, 2);
	ck_assert_int_eq(st->running[0].at.max_hops, 4);
	ck_assert_int_eq(st->running[0].at.gpus, 16);
	ck_assert_str_eq(st->running[1].job->id, "102");
	ck_assert_int_eq(st->running[1].at.max_hops, 0);
	ck_assert_int_eq(st->npending, 3);
	ck_assert_str_eq(st->pending[0].job->id, "104");
	ck_assert(st->pending[0].at.placed);
	ck_assert_str_eq(st->pending[0].at.hosts, "gpu[003-004]");
	ck_assert(st->pending[1].at.placed);
	ck_assert_int_eq(st->pending[1].at.nnodes, 2);
	ck_assert(!st->pending[2].at.placed);
	status_free(st);
	status_cluster_free(c);
}
END_TEST

START_TEST(test_snapshot_errors)
{
	static const struct {
		const char *text, *want;
	} t[] = {
		{ "node gpu999\n", "snap:1: no such node in the topology: "
		  "'gpu999'" },
		{ "\nnode gpu001 gpus_used=9\n", "snap:2: gpu001: 9 GPUs" },
		{ "node gpu001 state=sleepy\n", "snap:1: state is up, down, "
		  "drain or reserved, not 'sleepy'" },
		{ "node gpu001 colour=red\n", "snap:1: unknown node field" },
		{ "job 1 gpus=4\n", "snap:1: job without state=" },
		{ "job 1 state=R gpus=4\n", "snap:1: running job without "
		  "nodes=" },
		{ "job 1 state=X\n", "snap:1: job state is R or PD" },
		{ "job 1 state=PD gpus=x\n", "snap:1: bad gpus 'x'" },
		{ "job 1 state=R nodes=a node_gpus=1,,x\n",
		  "snap:1: bad node_gpus 'x'" },
		{ "partition p\n", "snap:1: expected 'node' or 'job'" },
		{ "node gpu[3-1]\n", "snap:1: reversed range" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tp_error_t err = { .text = "" };
		status_cluster_t *c = _basic(t[i].text, &err);

		ck_assert_msg(!c, "%zu accepted", i);
		ck_assert_msg(strstr(err.text, t[i].want), "%zu: '%s'", i,
			      err.text);
	}
}
END_TEST

START_TEST(test_shape_parse)
{
	static const struct {
		const char *text;
		int ok, gpus, nodes, leaves;
	} t[] = {
		{ "64", 1, 64, 0, 0 },
		{ "gpus=8", 1, 8, 0, 0 },
		{ "nodes=8", 1, 0, 8, 0 },
		{ "nodes=8,leaves=1", 1, 0, 8, 1 },
		{ "16,leaves=2", 1, 16, 0, 2 },
		{ "0", 0, 0, 0, 0 },
		{ "-8", 0, 0, 0, 0 },
		{ "nodes=", 0, 0, 0, 0 },
		{ "8x", 0, 0, 0, 0 },
		{ "8,leaves=0", 0, 0, 0, 0 },
		{ "", 0, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tp_error_t err = { .text = "" };
		status_shape_t s;
		int rc = status_shape_parse(t[i].text, &s, &err);

		ck_assert_msg((rc == 0) == t[i].ok, "%zu: '%s'", i, t[i].text);
		ck_assert_int_eq(s.gpus, t[i].gpus);
		ck_assert_int_eq(s.nodes, t[i].nodes);
		ck_assert_int_eq(s.max_leaves, t[i].leaves);
	}
}
END_TEST

/* What a renderer writes, as a malloc'd string. */
static char *_render(int (*fn)(FILE *, const status_t *), const status_t *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert(f);
	ck_assert_int_eq(fn(f, st), 0);
	fclose(f);
	return buf;
}

static int _count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

START_TEST(test_render)
{
	tp_error_t err = { .text = "" };
	status_cluster_t *c = _basic(NULL, &err);
	status_shape_t shape = { .gpus = 16 };
	status_t *st;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(c, "%s", err.text);
	st = _compute(c, &shape);

	out = _render(status_prom, st);
	ck_assert(strstr(out, "topopack_free_slots{shape=\"8\",unit=\"gpus\","
			 "scope=\"leaf\"} 2\n"));
	ck_assert(strstr(out, "topopack_free_slots{shape=\"8\",unit=\"gpus\","
			 "scope=\"any\"} 3\n"));
	ck_assert(strstr(out, "topopack_fragmentation 0.200000\n"));
	ck_assert(strstr(out, "topopack_leaf_gpus{leaf=\"leaf2\","
			 "state=\"unavailable\"} 14\n"));
	ck_assert(strstr(out, "topopack_job_leaves{job=\"101\","
			 "user=\"alice\"} 2\n"));
	ck_assert_int_eq(_count(out, "# TYPE "), _count(out, "# HELP "));
	/* Efficiency 1/9 (job 101, two leaves), 1/2 (103, a slower NVLink
	 * than nvl1's), 1 (102): cumulative buckets. */
	ck_assert(strstr(out, "# TYPE topopack_job_efficiency_ratio "
			 "histogram\n"
			 "topopack_job_efficiency_ratio_bucket{le=\"0.25\"} 1\n"
			 "topopack_job_efficiency_ratio_bucket{le=\"0.5\"} 2\n"
			 "topopack_job_efficiency_ratio_bucket{le=\"0.75\"} 2\n"
			 "topopack_job_efficiency_ratio_bucket{le=\"0.9\"} 2\n"
			 "topopack_job_efficiency_ratio_bucket{le=\"0.99\"} 2\n"
			 "topopack_job_efficiency_ratio_bucket{le=\"1\"} 3\n"
			 "topopack_job_efficiency_ratio_bucket{le=\"+Inf\"} 3\n"
			 "topopack_job_efficiency_ratio_sum 1.611111\n"
			 "topopack_job_efficiency_ratio_count 3\n"));
	/* No counters read, none written. */
	ck_assert(!strstr(out, "preempt"));
	free(out);

	c->has_tally = true;
	c->tally = (tp_preempt_tally_t) { 2, 5, 672 };
	out = _render(status_prom, st);
	ck_assert(strstr(out, "# TYPE topopack_preemptions_total counter\n"
			 "topopack_preemptions_total 2\n"));
	ck_assert(strstr(out, "# TYPE topopack_preempted_jobs_total counter\n"
			 "topopack_preempted_jobs_total 5\n"));
	ck_assert(strstr(out, "# TYPE topopack_preempt_lost_gpu_seconds_total "
			 "counter\ntopopack_preempt_lost_gpu_seconds_total "
			 "672\n"));
	free(out);
	out = _render(status_text, st);
	ck_assert(strstr(out, "\nPreemptions: 2 plans, 5 jobs preempted, "
			 "672 GPU-seconds lost\n"));
	ck_assert(strstr(out, " 4 0.11  gpu[001,005]\n"));
	free(out);
	out = _render(status_json, st);
	ck_assert(strstr(out, ",\"preemptions\":{\"plans\":2,\"jobs\":5,"
			 "\"lost_gpu_seconds\":672},"));
	ck_assert(strstr(out, "\"max_hops\":4,\"efficiency\":0.111111}"));
	free(out);
	c->has_tally = false;

	out = _render(status_json, st);
	ck_assert(strstr(out, "\"fragmentation\":0.200000,"));
	ck_assert(strstr(out, "\"where\":{\"gpus\":16,\"nodes\":0,"
			 "\"max_leaves\":0,\"placement\":{\"placed\":true,"
			 "\"nodes\":\"gpu[003-004]\""));
	ck_assert_int_eq(_count(out, "\n"), 1);
	free(out);

	out = _render(status_text, st);
	ck_assert(strstr(out, "Fragmentation: 0.200"));
	ck_assert(strstr(out, "\nnvl1 "));
	free(out);

	out = NULL;
	f = open_memstream(&out, &len);
	ck_assert_int_eq(status_svg(f, st, "101"), 0);
	fclose(f);
	ck_assert_int_eq(_count(out, "<rect class=\"node "), 8);
	ck_assert_int_eq(_count(out, " job\""), 2);
	ck_assert_int_eq(_count(out, "<rect class=\"leaf\""), 2);
	ck_assert_int_eq(_count(out, "<rect class=\"switch\""), 1);
	ck_assert_int_eq(_count(out, "<rect class=\"domain\""), 1);
	ck_assert(strstr(out, "<rect class=\"node busy job\""));
	ck_assert_int_eq(_count(out, "<svg "), 1);
	ck_assert(strstr(out, "</svg>\n"));
	free(out);
	status_free(st);
	status_cluster_free(c);
}
END_TEST

/* Spares= nodes: counted per group and shown by every renderer. */
START_TEST(test_spares)
{
	static const char snap[] = "node gpu008 gpus_used=2\n";
	tp_error_t err = { .text = "" };
	tp_fabric_t *fabric = tp_fabric_load(
		tp_test_data("conf", "good-basic.topology.conf"),
		tp_test_data("conf", "good-spares.topopack.conf"), &err);
	status_cluster_t *c;
	status_shape_t shape;
	status_t *st;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_msg(fabric, "%s", err.text);
	f = fmemopen((void *) snap, strlen(snap), "r");
	ck_assert(f);
	c = status_snapshot_read(f, "snap", fabric, &err);
	fclose(f);
	ck_assert_msg(c, "%s", err.text);
	st = _compute(c, NULL);
	/* leaf1 keeps gpu004; leaf2 gpu008, nvl2 gpu[007-008]. */
	ck_assert_int_eq(st->leaf[0].spares, 1);
	ck_assert_int_eq(st->leaf[0].spares_idle, 1);
	ck_assert_int_eq(st->leaf[1].spares, 2);
	ck_assert_int_eq(st->leaf[1].spares_idle, 1);
	ck_assert_int_eq(st->total.spares, 3);
	ck_assert_int_eq(st->total.spares_idle, 2);
	ck_assert_int_eq(st->leaf[1].spares_gpus, 16);
	ck_assert_int_eq(st->leaf[1].spares_free, 8 + 6);

	/* Free slots are an ordinary job's: without the spares, leaf1 has
	 * 24 free GPUs on 3 idle nodes, leaf2 16 on 2 (gpu005-006). */
	ck_assert_int_eq(st->slot[0].size, 8);
	ck_assert_int_eq(st->slot[0].leaf, 3 + 2);
	ck_assert_int_eq(st->slot[0].domain, 3 + 2);
	ck_assert_int_eq(st->slot[0].any, 5);
	ck_assert_int_eq(st->slot[1].leaf, 1 + 1);
	ck_assert_int_eq(st->slot[2].size, 32);
	ck_assert_int_eq(st->slot[2].leaf, 0);
	ck_assert_int_eq(st->slot[2].any, 1);
	ck_assert(st->slot[4].nodes);
	ck_assert_int_eq(st->slot[4].size, 1);
	ck_assert_int_eq(st->slot[4].leaf, 3 + 2);
	ck_assert_int_eq(st->slot[6].size, 4);
	ck_assert_int_eq(st->slot[6].leaf, 0);
	ck_assert_int_eq(st->slot[6].any, 1);

	out = _render(status_text, st);
	ck_assert(strstr(out, "\nSpares: 3 nodes (2 idle), only for "
			 "recovering and preemptable jobs\n"));
	ck_assert(strstr(out, " DRAIN  RESV SPARE\nleaf1 "));
	ck_assert(strstr(out, "\nleaf2                 4     32      2     30"
			 "      0      3     0     0     0     2\n"));
	free(out);
	out = _render(status_prom, st);
	ck_assert(strstr(out, "\ntopopack_nodes{state=\"spare\"} 3\n"));
	ck_assert(strstr(out, "\ntopopack_leaf_nodes{leaf=\"leaf2\","
			 "state=\"spare\"} 2\n"));
	free(out);
	out = _render(status_json, st);
	ck_assert(strstr(out, "\"nodes_reserved\":0,\"spares\":3,"
			 "\"spares_idle\":2}"));
	free(out);
	f = open_memstream(&out, &len);
	ck_assert_int_eq(status_svg(f, st, NULL), 0);
	fclose(f);
	ck_assert_int_eq(_count(out, " spare\""), 3);
	ck_assert(strstr(out, ">gpu008: 8 GPUs, 6 free, partly, spare<"));
	free(out);
	status_free(st);

	/* --shape answers for an ordinary job too, which never gets a
	 * spare: no leaf holds 32 GPUs for it (leaf1's fourth node is a
	 * spare), 24 start on leaf1. */
	ck_assert(!status_shape_parse("32,leaves=1", &shape, &err));
	st = _compute(c, &shape);
	ck_assert(!st->where.placed);
	ck_assert_str_eq(st->where.why, "no leaf holds 32 GPUs (the largest: 24)");
	status_free(st);
	ck_assert(!status_shape_parse("24,leaves=1", &shape, &err));
	st = _compute(c, &shape);
	ck_assert(st->where.placed);
	ck_assert_str_eq(st->where.hosts, "gpu[001-003]");
	status_free(st);
	ck_assert(!status_shape_parse("nodes=4", &shape, &err));
	st = _compute(c, &shape);
	ck_assert(st->where.placed);
	ck_assert_int_eq(st->where.leaves, 2);
	status_free(st);
	status_cluster_free(c);

	/* Without Spares= the table says nothing of them. */
	c = _basic(NULL, &err);
	ck_assert_msg(c, "%s", err.text);
	st = _compute(c, NULL);
	out = _render(status_text, st);
	ck_assert(!strstr(out, "Spares:"));
	free(out);
	status_free(st);
	status_cluster_free(c);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("status");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_fragmentation);
	tcase_add_test(tc, test_slots_brute);
	tcase_add_test(tc, test_slots_components);
	tcase_add_test(tc, test_where);
	tcase_add_test(tc, test_jobs);
	tcase_add_test(tc, test_snapshot_errors);
	tcase_add_test(tc, test_shape_parse);
	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_spares);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
