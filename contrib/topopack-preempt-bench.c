/*****************************************************************************\
 *  topopack-preempt-bench.c - how long the preemption planner takes on a
 *  full cluster.
 *
 *  A generated two-level fat tree is filled with random preemptable jobs
 *  until no GPU is free: whole-node jobs of 1 to 2*nodes/J - 1 nodes (so
 *  about J jobs in all), then one-node jobs of 1 to 8 GPUs for what is
 *  left. A pulse job (N nodes x 8 GPUs, exclusive) then asks for room. Prints one JSON line with
 *  the nodes, candidate victims, the plan and the median and worst time
 *  over the runs.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "topopack.h"

typedef struct {
	int *node, *gpus;
} _held_t;

static uint64_t _rng = 7;

static uint32_t _rand(uint32_t n)
{
	uint64_t z = (_rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t) ((z ^ (z >> 31)) % n);
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

int main(int argc, char **argv)
{
	int nodes = 2000, want = 64, runs = 11, jobs = 700, opt;
	tp_gen_t gen = { .levels = 1, .nodes_per_leaf = 32, .gpus_per_node = 8,
			 .nvl_nodes = 1 };
	tp_request_t pulse = { .gpus_per_node = 8, .exclusive = true };
	tp_victim_t *v;
	_held_t *held;
	tp_fabric_t *f;
	tp_state_t *s;
	tp_error_t err;
	tp_preempt_plan_t plan = { 0 };
	double *ms;
	int nv = 0;

	while ((opt = getopt(argc, argv, "n:N:r:J:h")) != -1) {
		switch (opt) {
		case 'n':
			nodes = atoi(optarg);
			break;
		case 'N':
			want = atoi(optarg);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'J':
			jobs = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: topopack-preempt-bench [-n NODES] [-N PULSE_NODES] [-J JOBS] [-r RUNS]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (nodes < 32 || want < 1 || want > nodes || runs < 1 || jobs < 1 ||
	    jobs > nodes) {
		fprintf(stderr, "topopack-preempt-bench: bad sizes\n");
		return 2;
	}
	gen.leaves = (nodes + 31) / 32;
	if (!(f = tp_fabric_generate(&gen, &err))) {
		fprintf(stderr, "topopack-preempt-bench: %s\n", err.text);
		return 1;
	}
	s = tp_state_new(f);
	v = calloc(tp_fabric_gpu_count(f), sizeof(*v));
	held = calloc(tp_fabric_gpu_count(f), sizeof(*held));
	ms = calloc(runs, sizeof(double));
	/* fill: whole-node jobs, then one-node jobs until full */
	for (int tries = 0; tries < 100000; tries++) {
		int span = 2 * nodes / jobs - 1;
		tp_request_t r = { .nodes = 1 + _rand(span > 1 ? span : 1),
				   .gpus_per_node = 8, .exclusive = true };
		tp_placement_t p;

		if (tries > jobs)
			r = (tp_request_t) { .nodes = 1,
					     .gpus_per_node = 1 + _rand(8) };
		if (tp_place(s, TP_POLICY_FIRST_FIT, &r, &p, NULL)) {
			r = (tp_request_t) { .nodes = 1, .gpus_per_node = 1 };
			if (tp_place(s, TP_POLICY_FIRST_FIT, &r, &p, NULL))
				break;
		}
		tp_state_apply(s, &p, r.exclusive);
		held[nv].node = p.node;		/* kept: the victim's */
		held[nv].gpus = p.gpus;
		v[nv] = (tp_victim_t) { .id = nv + 1, .nnodes = p.count,
					.node = held[nv].node,
					.gpus = held[nv].gpus,
					.exclusive = r.exclusive,
					.priority = _rand(10),
					.run_seconds = 60.0 * (1 + _rand(2880)),
					.preemptable = true };
		nv++;
	}
	/* the planner sees the jobs on as many nodes as a scheduler would
	 * offer: every job on the cluster */
	pulse.nodes = want;
	for (int i = 0; i < runs; i++) {
		double t0 = _now_ms();

		tp_preempt_plan_clear(&plan);
		if (tp_preempt_plan(s, &pulse, v, nv, &plan, &err)) {
			fprintf(stderr, "topopack-preempt-bench: %s\n",
				err.text);
			return 1;
		}
		ms[i] = _now_ms() - t0;
	}
	qsort(ms, runs, sizeof(double), _dcmp);
	{
		tp_metrics_t m;

		tp_metrics(s, &plan.placement, &m);
		printf("{\"nodes\":%d,\"victims\":%d,\"pulse_nodes\":%d,"
		       "\"preempted\":%d,\"lost_gpu_hours\":%.1f,"
		       "\"leaves\":%d,\"median_ms\":%.2f,\"max_ms\":%.2f}\n",
		       tp_fabric_node_count(f), nv, want, plan.count,
		       plan.lost_gpu_seconds / 3600, m.leaves, ms[runs / 2],
		       ms[runs - 1]);
	}
	tp_preempt_plan_clear(&plan);
	for (int i = 0; i < nv; i++) {
		free(held[i].node);
		free(held[i].gpus);
	}
	free(v);
	free(held);
	free(ms);
	tp_state_free(s);
	tp_fabric_free(f);
	return 0;
}
