/*****************************************************************************\
 *  metrics.c - locality and predicted collective speed of a placement.
 *
 *  Hops: links traversed between two GPUs: 0 on one node, 2 under one leaf
 *  or inside one NVLink domain, 2(k+1) through a switch of level k.
 *  Pairs are counted per level from the ancestors, so the cost grows with
 *  nodes x levels, not with the square of the GPU count.
 *
 *  Ring all-reduce bus bandwidth per GPU is the slowest hop of the ring:
 *   - inside an NVLink domain: the domain's NVLink bandwidth per GPU;
 *   - between domains: the GPU's share of its node's NICs;
 *   - between leaves: one ring per rail leaves each leaf, so R rings (R =
 *     the job's most GPUs on a node) share the job's fair part of the
 *     leaf's uplinks (uplinks x speed x job GPUs under the leaf / all GPUs
 *     under it). A leaf without a configured uplink count is non-blocking.
 *  Bus bandwidth is reported in GB/s (the model's Gb/s / 8). Efficiency
 *  is that bandwidth over the best any placement of the same shape could
 *  get on the empty fabric (metrics_best.c), so it lies in [0, 1] and is 1
 *  for a placement nothing beats. doc/man/man7/topopack.7, PLACEMENT
 *  QUALITY, is the user's description of this model.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_private.h"
#include "metrics_sim.h"

typedef struct {
	int key;
	int gpus;
} _group_t;

static int _group_cmp(const void *a, const void *b)
{
	const _group_t *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

/* Sort g by key and merge equal keys. RET number of groups. */
static int _merge(_group_t *g, int n)
{
	int m = 0;

	qsort(g, n, sizeof(*g), _group_cmp);
	for (int i = 0; i < n; i++) {
		if (m && g[m - 1].key == g[i].key)
			g[m - 1].gpus += g[i].gpus;
		else
			g[m++] = g[i];
	}
	return m;
}

static void _hops(const tp_fabric_t *f, const tp_placement_t *p,
		  _group_t *g, tp_metrics_t *m)
{
	double total = (double) m->gpus * (m->gpus - 1) / 2;
	double prev = 0, sum = 0, reach = 0;

	m->max_hops = 0;
	for (int l = 0; l < f->nlevels; l++) {
		double within = 0;
		int ng, hops = l <= TP_LVL_LEAF ? (l ? 2 : 0) :
			2 * (l - TP_LVL_LEAF + 1);

		for (int i = 0; i < p->count; i++)
			g[i] = (_group_t) { tp_ancestor(f, p->node[i], l),
					    p->gpus[i] };
		ng = _merge(g, p->count);
		for (int i = 0; i < ng; i++)
			within += (double) g[i].gpus * (g[i].gpus - 1) / 2;
		if (within > prev)
			m->max_hops = hops;
		sum += (within - prev) * hops;
		prev = within;
		reach = within;
	}
	if (reach < total)
		m->max_hops = TP_HOPS_UNREACHABLE;
	m->mean_hops = reach > 0 ? sum / reach : 0;
}

/*
 * Predicted ring all-reduce bus bandwidth per GPU of a placement of 2 or
 * more GPUs, Gb/s.
 * OUT nic_ref - the slowest NIC share of its nodes (one node: its NVLink), what
 *	the simulator's run-time model measures bandwidth against
 */
static double _bandwidth(const tp_fabric_t *f, const tp_placement_t *p,
			 _group_t *g, const tp_metrics_t *m, double *nic_ref)
{
	double bw = 1e300, ref = 1e300;
	int rings = 0, ng;

	for (int i = 0; i < p->count; i++) {
		const tp_node_t *n = &f->nodes[p->node[i]];
		double nic = tp_nic_per_gpu(n);

		if (p->gpus[i] > rings)
			rings = p->gpus[i];
		ref = nic < ref ? nic : ref;
		if (m->domains > 1)
			bw = nic < bw ? nic : bw;
	}
	for (int i = 0; i < p->count; i++)
		g[i] = (_group_t) { f->nodes[p->node[i]].domain, p->gpus[i] };
	ng = _merge(g, p->count);
	for (int i = 0; i < ng; i++) {
		double nv = f->domains[g[i].key].nvlink_gbps;

		if (g[i].gpus > 1 || ng == 1)
			bw = nv < bw ? nv : bw;
		if (m->nodes == 1)
			ref = nv;
	}
	if (m->leaves > 1) {
		for (int i = 0; i < p->count; i++)
			g[i] = (_group_t) { f->nodes[p->node[i]].leaf,
					    p->gpus[i] };
		ng = _merge(g, p->count);
		for (int i = 0; i < ng; i++) {
			const tp_switch_t *s = &f->switches[g[i].key];
			double up = tp_uplink_ring_gbps(f, s, g[i].gpus,
							 rings);

			if (up >= 0 && up < bw)
				bw = up;
		}
	}
	*nic_ref = ref;
	return bw;
}

/* Everything but efficiency; *gbps and *nic_ref are 0 for fewer than 2
 * GPUs. RET 0 or -1 (EINVAL, ENOMEM). */
static int _measure(const tp_state_t *s, const tp_placement_t *p,
		    tp_metrics_t *m, double *gbps, double *nic_ref)
{
	const tp_fabric_t *f = s->fabric;
	_group_t *g;

	memset(m, 0, sizeof(*m));
	*gbps = *nic_ref = 0;
	if (!p || p->count < 0) {
		errno = EINVAL;
		return -1;
	}
	if (!p->count)
		return 0;
	g = malloc(sizeof(_group_t) * p->count);
	if (!g)
		return -1;
	m->nodes = p->count;
	for (int i = 0; i < p->count; i++) {
		m->gpus += p->gpus[i];
		g[i] = (_group_t) { f->nodes[p->node[i]].leaf, 1 };
	}
	m->leaves = _merge(g, p->count);
	for (int i = 0; i < p->count; i++)
		g[i] = (_group_t) { f->nodes[p->node[i]].domain, 1 };
	m->domains = _merge(g, p->count);
	_hops(f, p, g, m);
	if (m->gpus > 1)
		*gbps = _bandwidth(f, p, g, m, nic_ref);
	free(g);
	m->busbw_gbs = *gbps / 8;
	return 0;
}

extern int tp_metrics(const tp_state_t *s, const tp_placement_t *p,
		      tp_metrics_t *m)
{
	double gbps = 0, nic_ref = 0, best;
	int *gpus;
	int n = 0;

	if (_measure(s, p, m, &gbps, &nic_ref))
		return -1;
	m->efficiency = 1.0;
	if (m->gpus <= 1)
		return 0;
	/* The shape: the placement's nodes that hold GPUs. A node without
	 * GPUs only adds limits (its NIC, its leaf), so leaving it out can
	 * only raise the best: efficiency stays <= 1. */
	if ((gpus = malloc(sizeof(int) * p->count))) {
		for (int i = 0; i < p->count; i++)
			if (p->gpus[i] > 0)
				gpus[n++] = p->gpus[i];
		best = tp_best_busbw_gbps(s->fabric, gpus, n);
		free(gpus);
	} else {
		best = -1;
	}
	if (best < 0) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	if (best > 0)
		m->efficiency = gbps / best;
	return 0;
}

extern double tp_metrics_nic_ratio(const tp_state_t *s,
				   const tp_placement_t *p)
{
	tp_metrics_t m;
	double gbps = 0, nic_ref = 0;

	if (_measure(s, p, &m, &gbps, &nic_ref))
		return -1;
	if (m.gpus <= 1 || nic_ref <= 0)
		return 1.0;
	return gbps / nic_ref;
}
