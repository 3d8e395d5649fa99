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
 *  Efficiency is that bandwidth over the same job's on one non-blocking
 *  leaf where every node is its own NVLink domain, so a job inside a
 *  multi-node NVLink domain scores above 1.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state_private.h"

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

static double _nic_per_gpu(const tp_node_t *n)
{
	int nics = n->nics > 0 ? n->nics : n->gpus;

	if (n->gpus <= 0)
		return n->nic_gbps;
	return n->nic_gbps * nics / n->gpus;
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

static void _bandwidth(const tp_fabric_t *f, const tp_placement_t *p,
		       _group_t *g, tp_metrics_t *m)
{
	double bw = 1e300, ref = 1e300;
	int rings = 0, ng;

	for (int i = 0; i < p->count; i++) {
		const tp_node_t *n = &f->nodes[p->node[i]];
		double nic = _nic_per_gpu(n);

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
			int under = f->blocks[s->block].gpus;
			double share;

			if (s->uplinks <= 0 || under <= 0)
				continue;
			share = s->uplinks * s->uplink_gbps * g[i].gpus /
				under;
			if (share / rings < bw)
				bw = share / rings;
		}
	}
	m->allreduce_gbps = bw;
	m->allreduce_eff = ref > 0 ? bw / ref : 1.0;
}

extern int tp_metrics(const tp_state_t *s, const tp_placement_t *p,
		      tp_metrics_t *m)
{
	const tp_fabric_t *f = s->fabric;
	_group_t *g;

	memset(m, 0, sizeof(*m));
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
	if (m->gpus <= 1) {
		m->allreduce_eff = 1.0;
	} else {
		_bandwidth(f, p, g, m);
	}
	free(g);
	return 0;
}
