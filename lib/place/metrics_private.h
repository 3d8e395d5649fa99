/*****************************************************************************\
 *  metrics_private.h - the terms of the all-reduce bandwidth model, shared
 *  by tp_metrics() and the search for the best placement of a shape, so
 *  that both compute every term with the same arithmetic: a placement
 *  that reaches the best then scores an efficiency of exactly 1.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_METRICS_PRIVATE_H
#define _TOPOPACK_METRICS_PRIVATE_H

#include "state_private.h"

/* RET a GPU's share of its node's NICs, Gb/s. */
static inline double tp_nic_per_gpu(const tp_node_t *n)
{
	int nics = n->nics > 0 ? n->nics : n->gpus;

	if (n->gpus <= 0)
		return n->nic_gbps;
	return n->nic_gbps * nics / n->gpus;
}

/*
 * Bandwidth of one of a job's rings leaving leaf switch s: the job's fair
 * part of the leaf's uplinks (uplinks x speed x job GPUs under the leaf /
 * all GPUs under it), shared by its rings.
 * IN gpus - the job's GPUs under the leaf
 * IN rings - the job's rings (its most GPUs on one node)
 * RET Gb/s, or -1 for a non-blocking leaf (no uplink count configured)
 */
static inline double tp_uplink_ring_gbps(const tp_fabric_t *f,
					 const tp_switch_t *s, int gpus,
					 int rings)
{
	int under = f->blocks[s->block].gpus;
	double share;

	if (s->uplinks <= 0 || under <= 0)
		return -1;
	share = s->uplinks * s->uplink_gbps * gpus / under;
	return share / rings;
}

/*
 * The best predicted bus bandwidth of any placement of a shape on the
 * empty fabric (every node up and idle): the same number of nodes with
 * the same GPU counts on them, on any nodes that have that many GPUs.
 * Cached per shape in the fabric (thread-safe).
 * IN gpus - GPUs on each node of the shape, in any order, each >= 1
 * IN n - nodes in the shape, >= 1
 * RET Gb/s (never below the bandwidth tp_metrics() gives any placement
 *	of the shape), 0 when the shape has fewer than 2 GPUs, or -1
 *	(ENOMEM)
 */
extern double tp_best_busbw_gbps(const tp_fabric_t *f, const int *gpus,
				 int n);

/* Free a fabric's cache of best bandwidths (NULL is accepted). */
extern void tp_best_cache_free(struct tp_best_cache *cache);

#endif /* _TOPOPACK_METRICS_PRIVATE_H */
