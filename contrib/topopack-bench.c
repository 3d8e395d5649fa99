/*****************************************************************************\
 *  topopack-bench.c - replay a synthetic GPU cluster workload on a generated
 *  fat tree and compare topopack's placements with the model of stock
 *  Slurm's tree placement, request by request, on the same state.
 *
 *  The request stream comes from a splitmix64 state of its own, so a given
 *  seed yields the same requests on every machine. Every request is placed
 *  by topopack and by the stock model on the same state (both timed), and
 *  by first fit (untimed); topopack's placement is then committed, so the
 *  cluster evolves as it would under topopack. Running jobs are released,
 *  oldest first mixed with random picks, to keep the cluster 70-90% busy.
 *
 *  topopack runs the way select/topopack runs it in slurmctld: a live
 *  state (tp_live_t) kept between calls, jobs starting and ending as
 *  changes of the per-node counts (what slurmctld's node records hold)
 *  that touch their nodes and are read again, and the nodes each call may
 *  use given as offers: a few nodes are withheld and given back as the
 *  replay goes, as drained nodes are. Every placement call is timed,
 *  failed ones included, and so is every state update.
 *
 *  Output: one JSON object on one line on stdout.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "splitmix64.h"
#include "tool_args.h"
#include "topopack.h"

/* Share of requests by class, per mille (the rest are large jobs). */
#define SMALL_PERMILLE 620	/* one node, 1..gpus_per_node GPUs */
#define MULTI_PERMILLE 330	/* 2-16 nodes of (mostly) full GPUs */

/* Chance per request, per mille, that a node is withheld or given back
 * (drained, resumed), and the most withheld at once, per mille of the
 * nodes (at least one). */
#define CHURN_PERMILLE 20
#define WITHHELD_PERMILLE 10

/* Busy target, per mille of the usable GPUs, drawn for every request. */
#define BUSY_LO_PERMILLE 700
#define BUSY_HI_PERMILLE 900

typedef struct {
	int gpus;		/* --gpus as asked */
	int gpus_per_node;
	int nodes_per_leaf;
	int leaves_per_pod;	/* 0: two-level tree */
	int nvl;		/* nodes per NVLink domain */
	long placements;	/* requests to replay */
	uint64_t seed;
	bool verbose;
} bench_opts_t;

/* A running job, kept compactly: node indices then GPU counts. */
typedef struct {
	int *node;		/* 2 * count ints: nodes, then GPUs on each */
	int count;		/* nodes held */
	int busy;		/* GPUs it keeps from others */
	bool exclusive;
	bool live;		/* false once released */
} bench_job_t;

/* Running jobs in arrival order; released ones are compacted lazily. */
typedef struct {
	bench_job_t *job;
	int n;			/* slots used */
	int cap;
	int head;		/* first slot that may be live */
	int live;		/* live jobs */
} bench_jobs_t;

/* Timings, in ns, of one kind of call. */
typedef struct {
	uint32_t *ns;
	long n, cap;
} bench_times_t;

/*
 * The cluster as select/topopack sees it: the counts slurmctld keeps per
 * node, and the live state kept from them through the plugin's calls.
 */
typedef struct {
	tp_live_t *live;
	const tp_fabric_t *fabric;
	int *used;		/* per node: GPUs allocated */
	int *users;		/* per node: jobs on it */
	int *exclusive;		/* per node: jobs holding it whole */
	uint8_t *withheld;	/* per node: not offered now */
	int nwithheld;
	int max_withheld;
	int nodes;		/* nodes in service: 0..nodes-1 */
} bench_cluster_t;

/* What the replay counts. */
typedef struct {
	long placed;		/* requests placed by topopack */
	long failures;		/* placement calls that found no room */
	long unplaceable;	/* not placeable even on an empty cluster */
	long invalid;		/* rejected as malformed */
	long releases;
	long multi_leaf;
	long worse;		/* topopack spans more leaves than stock */
	long better;		/* topopack spans fewer leaves than stock */
	long worse_score;	/* topopack less compact than stock: a bug */
	long stock_placed;
	long stock_failed;	/* topopack placed it, stock could not */
	long ff_placed;
	long long leaves;	/* totals over placed requests */
	long long stock_leaves;
	long long ff_leaves;
	double eff_sum;		/* placement efficiency */
	double stock_eff_sum;
	double busbw_sum;	/* predicted all-reduce bus bandwidth, GB/s */
	double stock_busbw_sum;
	bench_times_t calls;	/* topopack: every placement call */
	bench_times_t updates;	/* applying a job start or end */
	uint32_t *stock_ns;	/* stock model tp_place() time */
	long nstock_ns;
} bench_stats_t;

static const char _usage_text[] =
"Usage: topopack-bench [OPTION]...\n"
"Replay a deterministic GPU job stream on a generated fat tree and compare\n"
"topopack with the model of stock Slurm tree placement.\n"
"\n"
"  -g, --gpus N             GPUs in the cluster (default 1000);\n"
"                           nodes = N / gpus-per-node\n"
"  -G, --gpus-per-node N    GPUs per node (default 8)\n"
"  -l, --nodes-per-leaf N   nodes under one leaf switch (default 32)\n"
"  -p, --leaves-per-pod N   leaves per pod, adding a third switch level\n"
"                           (default 0: two-level tree, one spine group)\n"
"  -n, --nvl N              nodes per NVLink domain (default 1)\n"
"  -P, --placements N       requests to replay (default 20000)\n"
"  -s, --seed S             seed of the request stream (default 1)\n"
"  -v, --verbose            print a human-readable summary on stderr\n"
"  -h, --help               show this help and exit\n"
"\n"
"Nodes that do not fill the last leaf are generated and withheld.\n"
"Prints one JSON object on one line on stdout. Exit status 3 when a\n"
"topopack placement was less compact than the stock model's on the same\n"
"request and state (a fault).\n";

static const tool_t _tool = {
	.name = "topopack-bench",
	.usage = _usage_text,
	.bad_usage = 1,
};

/*****************************************************************************\
 *  Deterministic random numbers
\*****************************************************************************/

/* RET an integer in [0, n), n > 0; integer-only, so portable. */
static int _rand_below(uint64_t *s, int n)
{
	return (int) (((splitmix64(s) >> 32) * (uint64_t) n) >> 32);
}

/* RET an integer in [lo, hi]. */
static int _rand_range(uint64_t *s, int lo, int hi)
{
	if (hi <= lo)
		return lo;
	return lo + _rand_below(s, hi - lo + 1);
}

/*****************************************************************************\
 *  Helpers
\*****************************************************************************/

static uint64_t _now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static uint32_t _clamp_ns(uint64_t ns)
{
	return ns > UINT32_MAX ? UINT32_MAX : (uint32_t) ns;
}

static void *_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "topopack-bench: out of memory\n");
		exit(2);
	}
	return p;
}

static void _time(bench_times_t *t, uint64_t ns)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 4096;
		t->ns = realloc(t->ns, t->cap * sizeof(*t->ns));
		if (!t->ns) {
			fprintf(stderr, "topopack-bench: out of memory\n");
			exit(2);
		}
	}
	t->ns[t->n++] = _clamp_ns(ns);
}

static int _cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;

	return (x > y) - (x < y);
}

/* Sort v and RET its median, p99 and maximum in microseconds. */
static void _percentiles(uint32_t *v, long n, double *median, double *p99,
			 double *max)
{
	long i;

	*median = *p99 = *max = 0.0;
	if (n <= 0)
		return;
	qsort(v, n, sizeof(*v), _cmp_u32);
	if (n % 2)
		*median = v[n / 2] / 1000.0;
	else
		*median = ((double) v[n / 2 - 1] + v[n / 2]) / 2000.0;
	i = (n * 99 + 99) / 100 - 1;	/* nearest rank: ceil(0.99 n) */
	if (i < 0)
		i = 0;
	*p99 = v[i] / 1000.0;
	*max = v[n - 1] / 1000.0;
}

/*****************************************************************************\
 *  Request stream
\*****************************************************************************/

/* Node count of a 2-16 node job: powers of two dominate, as in practice. */
static int _multi_nodes(uint64_t *rng)
{
	int r = _rand_below(rng, 100);

	if (r < 30)
		return 2;
	if (r < 58)
		return 4;
	if (r < 78)
		return 8;
	if (r < 86)
		return 16;
	return _rand_range(rng, 3, 15);
}

/*
 * Draw one request. Most jobs take 1..8 GPUs of one node, about a third
 * span 2-16 nodes of (mostly) all their GPUs, and a few large ones take
 * from half to all of max(5% of the nodes, 17 nodes), so they cross
 * leaves on large clusters.
 * The per-node form (-N x --gpus-per-node) and the total form (--gpus) are
 * mixed, and a share of the requests is exclusive.
 */
static void _gen_request(uint64_t *rng, int nodes, int gpn,
			 int nodes_per_leaf, tp_request_t *req)
{
	static const int small_gpus[] = { 1, 1, 1, 1, 1, 2, 2, 2, 4, 4, 4, 4,
					  8, 8, 8, 8, 8, 8, 8, 8 };
	int cls = _rand_below(rng, 1000);
	int k, g;

	memset(req, 0, sizeof(*req));

	if (cls < SMALL_PERMILLE) {
		g = small_gpus[_rand_below(rng, sizeof(small_gpus) /
					   sizeof(small_gpus[0]))];
		if (g > gpn)
			g = gpn;
		if (_rand_below(rng, 100) < 75) {
			req->nodes = 1;
			req->gpus_per_node = g;
			req->exclusive = (g == gpn) &&
					 (_rand_below(rng, 100) < 30);
		} else {
			/* --gpus=g, sometimes pinned to one node (-N1) */
			req->total_gpus = g;
			req->nodes = 1;
			req->max_nodes = _rand_below(rng, 2) ? 1 : 0;
		}
		return;
	}

	if (cls < SMALL_PERMILLE + MULTI_PERMILLE) {
		k = _multi_nodes(rng);
		g = gpn;
		if (gpn > 1 && _rand_below(rng, 100) < 10)
			g = gpn / 2;
	} else {
		int hi = nodes / 20;

		if (hi < 17)
			hi = 17;
		if (hi > nodes / 2)
			hi = nodes / 2;
		k = _rand_range(rng, hi / 2, hi);
		g = gpn;
	}
	if (k > nodes)
		k = nodes;
	if (k < 1)
		k = 1;

	if (_rand_below(rng, 100) < 25) {
		req->total_gpus = k * g;
		req->nodes = 1;
	} else {
		req->nodes = k;
		req->gpus_per_node = g;
		req->exclusive = _rand_below(rng, 100) < 40;
		/* a few ask for one switch, like sbatch --switches=1 */
		if (cls < SMALL_PERMILLE + MULTI_PERMILLE &&
		    _rand_below(rng, 100) < 5 && k <= nodes_per_leaf)
			req->max_leaves = 1;
	}
}

/*****************************************************************************\
 *  The cluster, as the plugin sees it
\*****************************************************************************/

/* The tp_usage_read_t of the live state: slurmctld's node records. */
static int _read_node(void *arg, int n, tp_usage_t *out)
{
	const bench_cluster_t *c = arg;

	*out = (tp_usage_t) {
		.used_gpus = c->used[n], .users = c->users[n],
		.exclusive = c->exclusive[n] > 0, .absent = n >= c->nodes,
	};
	return 0;
}

static int _cluster_init(bench_cluster_t *c, const tp_fabric_t *fabric,
			 int nodes)
{
	int n = tp_fabric_node_count(fabric);
	tp_error_t err;

	memset(c, 0, sizeof(*c));
	c->fabric = fabric;
	c->nodes = nodes;
	c->used = _xcalloc(n, sizeof(int));
	c->users = _xcalloc(n, sizeof(int));
	c->exclusive = _xcalloc(n, sizeof(int));
	c->withheld = _xcalloc(n, 1);
	c->max_withheld = nodes * WITHHELD_PERMILLE / 1000;
	c->max_withheld = c->max_withheld > 0 ? c->max_withheld : 1;
	if (!(c->live = tp_live_new(fabric)) ||
	    tp_live_sync(c->live, _read_node, c, &err) < 0) {
		fprintf(stderr, "topopack-bench: cannot create state\n");
		return -1;
	}
	return 0;
}

static void _cluster_fini(bench_cluster_t *c)
{
	tp_live_free(c->live);
	free(c->used);
	free(c->users);
	free(c->exclusive);
	free(c->withheld);
}

/*
 * A job starts (sign 1) or ends (-1) on count nodes: the counts change as
 * slurmctld's node records do, the plugin touches the nodes and the live
 * state reads them again. Touch and read are timed as one update.
 */
static void _event(bench_cluster_t *c, const int *node, const int *gpus,
		   int count, bool exclusive, int sign, bench_stats_t *st)
{
	tp_error_t err;
	uint64_t t0;

	for (int i = 0; i < count; i++) {
		int n = node[i];

		c->used[n] += sign * (exclusive ?
				      tp_fabric_node_gpus(c->fabric, n) :
				      gpus[i]);
		c->users[n] += sign;
		c->exclusive[n] += sign * exclusive;
	}
	t0 = _now_ns();
	for (int i = 0; i < count; i++)
		tp_live_touch(c->live, node[i]);
	if (tp_live_sync(c->live, _read_node, c, &err) < 0) {
		fprintf(stderr, "topopack-bench: %s\n", err.text);
		exit(2);
	}
	_time(&st->updates, _now_ns() - t0);
}

/* Now and then a node is withheld (drained) or given back, as the node
 * sets Slurm offers change. */
static void _churn(bench_cluster_t *c, uint64_t *rng)
{
	int n;

	if (_rand_below(rng, 1000) >= CHURN_PERMILLE)
		return;
	n = _rand_below(rng, c->nodes);
	if (!c->withheld[n] && c->nwithheld >= c->max_withheld)
		return;
	c->withheld[n] = !c->withheld[n];
	c->nwithheld += c->withheld[n] ? 1 : -1;
	(void) tp_live_offer(c->live, n, !c->withheld[n]);
}

/*****************************************************************************\
 *  Running jobs
\*****************************************************************************/

static void _jobs_compact(bench_jobs_t *jobs)
{
	int i, n = 0;

	for (i = jobs->head; i < jobs->n; i++)
		if (jobs->job[i].live)
			jobs->job[n++] = jobs->job[i];
	jobs->n = n;
	jobs->head = 0;
}

/* Start a job on a placement. RET GPUs it keeps from other jobs. */
static int _jobs_add(bench_jobs_t *jobs, bench_cluster_t *c,
		     const tp_placement_t *p, bool exclusive,
		     bench_stats_t *st)
{
	bench_job_t *j;
	int i;

	if (jobs->n == jobs->cap) {
		if (jobs->head > 0)
			_jobs_compact(jobs);
		if (jobs->n == jobs->cap) {
			jobs->cap = jobs->cap ? 2 * jobs->cap : 256;
			jobs->job = realloc(jobs->job,
					    jobs->cap * sizeof(*jobs->job));
			if (!jobs->job) {
				fprintf(stderr,
					"topopack-bench: out of memory\n");
				exit(2);
			}
		}
	}
	j = &jobs->job[jobs->n++];
	j->count = p->count;
	j->exclusive = exclusive;
	j->live = true;
	j->busy = 0;
	j->node = _xcalloc(2 * (size_t) p->count, sizeof(int));
	for (i = 0; i < p->count; i++) {
		j->node[i] = p->node[i];
		j->node[p->count + i] = p->gpus[i];
		j->busy += exclusive ?
			   tp_fabric_node_gpus(c->fabric, p->node[i]) :
			   p->gpus[i];
	}
	jobs->live++;
	_event(c, p->node, p->gpus, p->count, exclusive, 1, st);
	return j->busy;
}

/* End the job of slot i. RET GPUs given back. */
static int _jobs_release(bench_jobs_t *jobs, bench_cluster_t *c, int i,
			 bench_stats_t *st)
{
	bench_job_t *j = &jobs->job[i];
	int busy = j->busy;

	_event(c, j->node, j->node + j->count, j->count, j->exclusive, -1,
	       st);
	free(j->node);
	j->node = NULL;
	j->live = false;
	jobs->live--;

	while (jobs->head < jobs->n && !jobs->job[jobs->head].live)
		jobs->head++;
	if (jobs->n - jobs->head > 2 * jobs->live + 64)
		_jobs_compact(jobs);
	return busy;
}

/* End one running job: the oldest or a random one. RET GPUs freed. */
static int _jobs_release_one(bench_jobs_t *jobs, bench_cluster_t *c,
			     uint64_t *rng, bench_stats_t *st)
{
	int i;

	if (!jobs->live)
		return 0;
	st->releases++;
	if (_rand_below(rng, 2) == 0)
		return _jobs_release(jobs, c, jobs->head, st);
	do {
		i = jobs->head + _rand_below(rng, jobs->n - jobs->head);
	} while (!jobs->job[i].live);
	return _jobs_release(jobs, c, i, st);
}

static void _jobs_free(bench_jobs_t *jobs)
{
	for (int i = 0; i < jobs->n; i++)
		free(jobs->job[i].node);
	free(jobs->job);
	memset(jobs, 0, sizeof(*jobs));
}

/*****************************************************************************\
 *  Replay
\*****************************************************************************/

/* Compare topopack and the other policies on the state of one request. */
static void _compare(const tp_state_t *state, const tp_request_t *req,
		     const tp_placement_t *tp, bench_stats_t *st)
{
	tp_placement_t other;
	tp_metrics_t m, ms;
	tp_error_t err;
	uint64_t t0, t1;
	int rc;

	memset(&m, 0, sizeof(m));
	if (tp_metrics(state, tp, &m)) {
		fprintf(stderr, "topopack-bench: tp_metrics failed\n");
		exit(2);
	}
	st->leaves += m.leaves;
	st->eff_sum += m.efficiency;
	st->busbw_sum += m.busbw_gbs;
	if (m.leaves > 1)
		st->multi_leaf++;

	memset(&other, 0, sizeof(other));
	t0 = _now_ns();
	rc = tp_place(state, TP_POLICY_SLURM_TREE, req, &other, &err);
	t1 = _now_ns();
	st->stock_ns[st->nstock_ns++] = _clamp_ns(t1 - t0);
	if (rc == 0) {
		memset(&ms, 0, sizeof(ms));
		if (tp_metrics(state, &other, &ms)) {
			fprintf(stderr, "topopack-bench: tp_metrics failed\n");
			exit(2);
		}
		st->stock_placed++;
		st->stock_leaves += ms.leaves;
		st->stock_eff_sum += ms.efficiency;
		st->stock_busbw_sum += ms.busbw_gbs;
		/* More leaves can be right: on three levels topopack keeps
		 * a job in one pod before it saves a leaf. A worse score
		 * never is. */
		if (m.leaves > ms.leaves)
			st->worse++;
		else if (m.leaves < ms.leaves)
			st->better++;
		if (tp_score_cmp(&tp->score, &other.score) > 0)
			st->worse_score++;
		tp_placement_clear(&other);
	} else {
		st->stock_failed++;
	}

	memset(&other, 0, sizeof(other));
	if (!tp_place(state, TP_POLICY_FIRST_FIT, req, &other, &err)) {
		memset(&ms, 0, sizeof(ms));
		if (!tp_metrics(state, &other, &ms)) {
			st->ff_placed++;
			st->ff_leaves += ms.leaves;
		}
		tp_placement_clear(&other);
	}
}

static int _run(const bench_opts_t *o)
{
	tp_fabric_t *fabric = NULL;
	bench_cluster_t cl = { 0 };
	bench_jobs_t jobs;
	bench_stats_t st;
	tp_error_t err;
	tp_gen_t gen;
	uint64_t req_rng = o->seed;
	uint64_t rel_rng = o->seed ^ 0x5deece66dULL;
	uint64_t churn_rng = o->seed ^ 0x2545f4914f6cdd1dULL;
	int nodes = o->gpus / o->gpus_per_node;
	int leaves;
	long long total, busy = 0;
	double med, p99, max, smed, sp99, smax, umed, up99, umax;
	struct rusage ru;
	int rc = 1;

	memset(&jobs, 0, sizeof(jobs));
	memset(&st, 0, sizeof(st));

	if (nodes < 1) {
		fprintf(stderr, "topopack-bench: --gpus %d gives no node of "
			"%d GPUs\n", o->gpus, o->gpus_per_node);
		return 1;
	}
	leaves = (nodes + o->nodes_per_leaf - 1) / o->nodes_per_leaf;

	memset(&gen, 0, sizeof(gen));
	gen.levels = o->leaves_per_pod > 0 ? 2 : 1;
	gen.leaves = leaves;
	gen.nodes_per_leaf = o->nodes_per_leaf;
	gen.gpus_per_node = o->gpus_per_node;
	gen.leaves_per_pod = o->leaves_per_pod;
	gen.nvl_nodes = o->nvl;
	gen.uplinks_per_leaf = 0;
	gen.nic_gbps = 400.0;
	gen.uplink_gbps = 400.0;
	gen.nvlink_gbps = 3600.0;

	memset(&err, 0, sizeof(err));
	if (!(fabric = tp_fabric_generate(&gen, &err))) {
		fprintf(stderr, "topopack-bench: cannot generate fabric: %s\n",
			err.text);
		goto fini;
	}
	/* The last leaf holds only the nodes asked for; Slurm does not know
	 * the rest. */
	if (_cluster_init(&cl, fabric, nodes))
		goto fini;
	total = (long long) nodes * o->gpus_per_node;

	st.stock_ns = _xcalloc(o->placements, sizeof(*st.stock_ns));

	for (long r = 0; r < o->placements; r++) {
		tp_request_t req;
		tp_placement_t p;
		uint64_t t0, t1;
		int target, e = 0, prc;

		_gen_request(&req_rng, nodes, o->gpus_per_node,
			     o->nodes_per_leaf, &req);

		target = _rand_range(&rel_rng, BUSY_LO_PERMILLE,
				     BUSY_HI_PERMILLE);
		while (jobs.live && busy * 1000 > target * total)
			busy -= _jobs_release_one(&jobs, &cl, &rel_rng, &st);

		/* One job_test of select/topopack: the nodes offered, then
		 * the placement on the live state. */
		for (;;) {
			memset(&p, 0, sizeof(p));
			memset(&err, 0, sizeof(err));
			t0 = _now_ns();
			_churn(&cl, &churn_rng);
			prc = tp_place(tp_live_state(cl.live),
				       TP_POLICY_TOPOPACK, &req, &p, &err);
			e = errno;
			t1 = _now_ns();
			_time(&st.calls, t1 - t0);
			if (prc && e == EAGAIN)
				st.failures++;
			if (prc == 0 || e != EAGAIN || !jobs.live)
				break;
			busy -= _jobs_release_one(&jobs, &cl, &rel_rng, &st);
		}
		if (prc) {
			if (e == EAGAIN) {
				st.unplaceable++;
			} else {
				st.invalid++;
				if (o->verbose)
					fprintf(stderr, "topopack-bench: "
						"request %ld rejected: %s\n",
						r, err.text);
			}
			continue;
		}
		st.placed++;

		_compare(tp_live_state(cl.live), &req, &p, &st);

		busy += _jobs_add(&jobs, &cl, &p, req.exclusive, &st);
		tp_placement_clear(&p);
	}

	_percentiles(st.calls.ns, st.calls.n, &med, &p99, &max);
	_percentiles(st.updates.ns, st.updates.n, &umed, &up99, &umax);
	_percentiles(st.stock_ns, st.nstock_ns, &smed, &sp99, &smax);
	getrusage(RUSAGE_SELF, &ru);

	printf("{\"gpus\":%lld,\"nodes\":%d,\"leaves\":%d,"
	       "\"placements\":%ld,"
	       "\"median_us\":%.3f,\"p99_us\":%.3f,"
	       "\"stock_median_us\":%.3f,\"stock_p99_us\":%.3f,"
	       "\"leaves_per_job\":%.4f,\"stock_leaves_per_job\":%.4f,"
	       "\"peak_rss_mb\":%.1f,"
	       "\"multi_leaf_jobs\":%ld,\"worse_than_stock\":%ld,"
	       "\"better_than_stock\":%ld,\"less_compact_than_stock\":%ld,"
	       "\"first_fit_leaves_per_job\":%.4f,"
	       "\"max_us\":%.3f,\"stock_max_us\":%.3f,"
	       "\"calls\":%ld,\"failures\":%ld,"
	       "\"state_update_us\":%.3f,\"state_update_p99_us\":%.3f,"
	       "\"state_updates\":%ld,\"seed\":%llu}\n",
	       total, nodes, tp_fabric_leaf_count(fabric), st.placed,
	       med, p99, smed, sp99,
	       st.placed ? (double) st.leaves / st.placed : 0.0,
	       st.stock_placed ?
	       (double) st.stock_leaves / st.stock_placed : 0.0,
	       ru.ru_maxrss / 1024.0,
	       st.multi_leaf, st.worse, st.better, st.worse_score,
	       st.ff_placed ? (double) st.ff_leaves / st.ff_placed : 0.0,
	       max, smax, st.calls.n, st.failures, umed, up99,
	       st.updates.n, (unsigned long long) o->seed);

	if (o->verbose) {
		fprintf(stderr,
			"requests %ld: placed %ld, unplaceable %ld, "
			"invalid %ld, releases %ld\n"
			"topopack:   leaves %lld (%.4f/job), mean efficiency "
			"%.4f, mean busbw %.1f GB/s\n"
			"slurm-tree: leaves %lld (%.4f/job) over %ld placed, "
			"%ld not placeable, mean efficiency %.4f, "
			"mean busbw %.1f GB/s\n"
			"first-fit:  leaves %lld (%.4f/job) over %ld placed\n"
			"topopack vs slurm-tree: worse %ld, better %ld\n",
			o->placements, st.placed, st.unplaceable, st.invalid,
			st.releases, st.leaves,
			st.placed ? (double) st.leaves / st.placed : 0.0,
			st.placed ? st.eff_sum / st.placed : 0.0,
			st.placed ? st.busbw_sum / st.placed : 0.0,
			st.stock_leaves,
			st.stock_placed ?
			(double) st.stock_leaves / st.stock_placed : 0.0,
			st.stock_placed, st.stock_failed,
			st.stock_placed ?
			st.stock_eff_sum / st.stock_placed : 0.0,
			st.stock_placed ?
			st.stock_busbw_sum / st.stock_placed : 0.0,
			st.ff_leaves,
			st.ff_placed ?
			(double) st.ff_leaves / st.ff_placed : 0.0,
			st.ff_placed, st.worse, st.better);
	}
	rc = st.worse_score ? 3 : 0;

fini:
	_jobs_free(&jobs);
	free(st.calls.ns);
	free(st.updates.ns);
	free(st.stock_ns);
	_cluster_fini(&cl);
	tp_fabric_free(fabric);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "gpus", required_argument, NULL, 'g' },
		{ "gpus-per-node", required_argument, NULL, 'G' },
		{ "nodes-per-leaf", required_argument, NULL, 'l' },
		{ "leaves-per-pod", required_argument, NULL, 'p' },
		{ "nvl", required_argument, NULL, 'n' },
		{ "placements", required_argument, NULL, 'P' },
		{ "seed", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bench_opts_t o = {
		.gpus = 1000,
		.gpus_per_node = 8,
		.nodes_per_leaf = 32,
		.leaves_per_pod = 0,
		.nvl = 1,
		.placements = 20000,
		.seed = 1,
	};
	int c;

	while ((c = getopt_long(argc, argv, "g:G:l:p:n:P:s:vh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'g':
			o.gpus = tool_long(&_tool, "--gpus", optarg, 1,
					   INT_MAX / 2);
			break;
		case 'G':
			o.gpus_per_node = tool_long(&_tool, "--gpus-per-node",
						    optarg, 1, 4096);
			break;
		case 'l':
			o.nodes_per_leaf = tool_long(&_tool,
						     "--nodes-per-leaf",
						     optarg, 1, 1 << 20);
			break;
		case 'p':
			o.leaves_per_pod = tool_long(&_tool,
						     "--leaves-per-pod",
						     optarg, 0, 1 << 20);
			break;
		case 'n':
			o.nvl = tool_long(&_tool, "--nvl", optarg, 1, 1 << 20);
			break;
		case 'P':
			o.placements = tool_long(&_tool, "--placements",
						 optarg, 1, 100000000L);
			break;
		case 's':
			o.seed = tool_u64(&_tool, "--seed", optarg);
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			tool_help(&_tool);
		default:
			tool_usage(&_tool);
		}
	}
	tool_operands(&_tool, argc, argv, 0);
	return _run(&o);
}
