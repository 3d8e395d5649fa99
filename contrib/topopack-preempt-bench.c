/*****************************************************************************\
 *  topopack-preempt-bench.c - how long the preemption planner takes on a
 *  full cluster.
 *
 *  A generated two-level fat tree is filled with random preemptable jobs
 *  until no GPU is free. By default: whole-node jobs of 1 to
 *  2*nodes/J - 1 nodes (so about J jobs in all), then one-node jobs of 1
 *  to 8 GPUs for what is left. With -j N, about half the J jobs share
 *  nodes instead, N to a node spread over the cluster: 1, 2, 4 and 8-GPU
 *  jobs that take the node's 8 GPUs and, beyond 8 jobs, CPU jobs without
 *  a GPU; the other half are whole-node jobs on the other nodes. A pulse
 *  job (N nodes x 8 GPUs, exclusive) then asks for room. Prints one JSON
 *  line with the nodes, candidate victims, the plan and the median and
 *  worst time over the runs, once the plan is checked: its victims gone,
 *  its placement must fit.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "splitmix64.h"
#include "tool_args.h"
#include "topopack.h"

#define GPUS_PER_NODE 8

static const char _usage_text[] =
"usage: topopack-preempt-bench [-n NODES] [-N PULSE_NODES] [-J JOBS]"
" [-j JOBS_PER_NODE] [-b BUDGET_MS] [-r RUNS]\n";

static const tool_t _tool = {
	.name = "topopack-preempt-bench",
	.usage = _usage_text,
	.bad_usage = 2,
};

typedef struct {
	int *node, *gpus;
} _held_t;

typedef struct {
	tp_state_t *s;
	tp_victim_t *v;
	_held_t *held;
	int nv;
} _jobs_t;

static uint64_t _rng = 7;

static uint32_t _rand(uint32_t n)
{
	return (uint32_t) (splitmix64(&_rng) % n);
}

static double _now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int _dcmp(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return (x > y) - (x < y);
}

/* Apply p as a new preemptable job; p's arrays become the victim's. */
static void _add(_jobs_t *jobs, tp_placement_t *p, bool exclusive)
{
	tp_state_apply(jobs->s, p, exclusive);
	jobs->held[jobs->nv] = (_held_t) { p->node, p->gpus };
	jobs->v[jobs->nv] = (tp_victim_t) {
		.id = jobs->nv + 1, .nnodes = p->count,
		.node = p->node, .gpus = p->gpus, .exclusive = exclusive,
		.priority = _rand(10), .run_seconds = 60.0 * (1 + _rand(2880)),
		.preemptable = true };
	jobs->nv++;
}

/* A one-node job of gpus GPUs (0: a CPU job) on node n. */
static int _add_on(_jobs_t *jobs, int n, int gpus)
{
	tp_placement_t p = { .count = 1, .node = malloc(sizeof(int)),
			     .gpus = malloc(sizeof(int)) };

	if (!p.node || !p.gpus) {
		tp_placement_clear(&p);
		return -1;
	}
	p.node[0] = n;
	p.gpus[0] = gpus;
	_add(jobs, &p, false);
	return 0;
}

/* per_node jobs on node n: its GPUs cut in halves at random into up to
 * per_node jobs of 1, 2, 4 or 8 GPUs, then CPU jobs. */
static int _share_node(_jobs_t *jobs, int n, int per_node)
{
	int part[GPUS_PER_NODE] = { GPUS_PER_NODE }, parts = 1;

	while (parts < per_node && parts < GPUS_PER_NODE) {
		int k = _rand(parts);

		if (part[k] == 1)
			continue;
		part[k] /= 2;
		part[parts++] = part[k];
	}
	for (int i = 0; i < per_node; i++)
		if (_add_on(jobs, n, i < parts ? part[i] : 0))
			return -1;
	return 0;
}

/*
 * Fill the cluster: shared nodes, whole-node jobs, one-node jobs. The
 * whole-node jobs are of 1 to 2*nodes/J - 1 nodes; next to shared nodes,
 * of 1 to 2*left/(jobs to go) - 1, so that they take about all the nodes
 * left.
 */
static int _fill(_jobs_t *jobs, int nodes, int njobs, int per_node)
{
	int shared = 0, whole = njobs, left = nodes, span = 2 * nodes / njobs - 1;

	if (per_node > 0) {
		shared = njobs / 2 / per_node > 0 ? njobs / 2 / per_node : 1;
		whole = njobs - shared * per_node;
		left = nodes - shared;
		for (int i = 0; i < shared; i++)
			if (_share_node(jobs, (int) ((long) i * nodes / shared),
					per_node))
				return -1;
	}
	for (int tries = 0; tries < 100000; tries++) {
		tp_request_t r = { .gpus_per_node = GPUS_PER_NODE,
				   .exclusive = true };
		tp_placement_t p;

		if (per_node > 0 && tries < whole)
			span = 2 * left / (whole - tries) - 1;
		r.nodes = 1 + _rand(span > 1 ? span : 1);

		if (tries > whole)
			r = (tp_request_t) { .nodes = 1,
					     .gpus_per_node = 1 + _rand(8) };
		if (tp_place(jobs->s, TP_POLICY_FIRST_FIT, &r, &p, NULL)) {
			r = (tp_request_t) { .nodes = 1, .gpus_per_node = 1 };
			if (tp_place(jobs->s, TP_POLICY_FIRST_FIT, &r, &p,
				     NULL))
				break;
		}
		left -= r.exclusive ? p.count : 0;
		_add(jobs, &p, r.exclusive);
	}
	return 0;
}

/* Do the plan's victims, once gone, leave room for its placement? */
static bool _valid(const _jobs_t *jobs, const tp_preempt_plan_t *plan,
		   bool exclusive)
{
	tp_state_t *t = tp_state_copy(jobs->s);
	bool ok = t != NULL;

	for (int k = 0; ok && k < plan->count; k++) {
		const tp_victim_t *v = &jobs->v[plan->id[k] - 1];

		for (int i = 0; ok && i < v->nnodes; i++)
			ok = !tp_state_release(t, v->node[i], v->gpus[i],
					       v->exclusive);
	}
	ok = ok && !tp_state_apply(t, &plan->placement, exclusive);
	tp_state_free(t);
	return ok;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "pulse-nodes", required_argument, NULL, 'N' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "jobs-per-node", required_argument, NULL, 'j' },
		{ "budget-ms", required_argument, NULL, 'b' },
		{ "runs", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int nodes = 2000, want = 64, runs = 11, njobs = 700, per_node = 0;
	int cut = 0, opt;
	double budget = TP_PREEMPT_BUDGET * 1e3;
	tp_gen_t gen = { .levels = 1, .nodes_per_leaf = 32,
			 .gpus_per_node = GPUS_PER_NODE, .nvl_nodes = 1 };
	tp_request_t pulse = { .gpus_per_node = GPUS_PER_NODE,
			       .exclusive = true };
	_jobs_t jobs = { 0 };
	tp_fabric_t *f;
	tp_error_t err;
	tp_preempt_plan_t plan = { 0 };
	tp_metrics_t m;
	size_t cap;
	double *ms;

	while ((opt = getopt_long(argc, argv, "n:N:r:J:j:b:h", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'n':
			nodes = tool_long(&_tool, "--nodes", optarg, 32,
					  INT_MAX);
			break;
		case 'N':
			want = tool_long(&_tool, "--pulse-nodes", optarg, 1,
					 INT_MAX);
			break;
		case 'r':
			runs = tool_long(&_tool, "--runs", optarg, 1, INT_MAX);
			break;
		case 'J':
			njobs = tool_long(&_tool, "--jobs", optarg, 1,
					  INT_MAX);
			break;
		case 'j':
			per_node = tool_long(&_tool, "--jobs-per-node",
					     optarg, 0, 1000);
			break;
		case 'b':
			/* negative: no limit */
			budget = tool_double(&_tool, "--budget-ms", optarg,
					     -HUGE_VAL, HUGE_VAL);
			break;
		case 'h':
			tool_help(&_tool);
		default:
			tool_usage(&_tool);
		}
	}
	tool_operands(&_tool, argc, argv, 0);
	/* Each size alone was checked above; these are how they relate. */
	if (want > nodes || njobs > nodes ||
	    (per_node && njobs / 2 / per_node >= nodes / 2)) {
		fprintf(stderr, "topopack-preempt-bench: bad sizes\n");
		return 2;
	}
	gen.leaves = (nodes + 31) / 32;
	if (!(f = tp_fabric_generate(&gen, &err))) {
		fprintf(stderr, "topopack-preempt-bench: %s\n", err.text);
		return 1;
	}
	/* at most one job per GPU, plus the CPU jobs */
	cap = (size_t) tp_fabric_gpu_count(f) + njobs + 1;
	jobs.s = tp_state_new(f);
	jobs.v = calloc(cap, sizeof(*jobs.v));
	jobs.held = calloc(cap, sizeof(*jobs.held));
	ms = calloc(runs, sizeof(double));
	if (!jobs.s || !jobs.v || !jobs.held || !ms ||
	    _fill(&jobs, nodes, njobs, per_node)) {
		fprintf(stderr, "topopack-preempt-bench: out of memory\n");
		return 1;
	}
	/* the planner sees the jobs on as many nodes as a scheduler would
	 * offer: every job on the cluster */
	pulse.nodes = want;
	for (int i = 0; i < runs; i++) {
		double t0 = _now_ms();

		tp_preempt_plan_clear(&plan);
		if (tp_preempt_plan_within(jobs.s, &pulse, jobs.v, jobs.nv,
					   budget / 1e3, &plan, &err)) {
			fprintf(stderr, "topopack-preempt-bench: %s\n",
				err.text);
			return 1;
		}
		ms[i] = _now_ms() - t0;
		cut += plan.cut;
	}
	if (!_valid(&jobs, &plan, pulse.exclusive)) {
		fprintf(stderr, "topopack-preempt-bench: the plan does not free its placement\n");
		return 3;
	}
	qsort(ms, runs, sizeof(double), _dcmp);
	tp_metrics(jobs.s, &plan.placement, &m);
	printf("{\"nodes\":%d,\"victims\":%d,\"jobs_per_node\":%d,"
	       "\"pulse_nodes\":%d,\"preempted\":%d,\"lost_gpu_hours\":%.1f,"
	       "\"leaves\":%d,\"median_ms\":%.2f,\"max_ms\":%.2f,\"cut\":%d}\n",
	       tp_fabric_node_count(f), jobs.nv, per_node, want, plan.count,
	       plan.lost_gpu_seconds / 3600, m.leaves, ms[runs / 2],
	       ms[runs - 1], cut);
	tp_preempt_plan_clear(&plan);
	for (int i = 0; i < jobs.nv; i++) {
		free(jobs.held[i].node);
		free(jobs.held[i].gpus);
	}
	free(jobs.v);
	free(jobs.held);
	free(ms);
	tp_state_free(jobs.s);
	tp_fabric_free(f);
	return 0;
}
