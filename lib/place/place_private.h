/*****************************************************************************\
 *  place_private.h - internal interface between tp_place() and the placement
 *  policies, and the node test they share.
 *
 *  Every policy has the signature of tp_place() without the policy
 *  argument and the same contract: the state is not changed; on success
 *  out->node, out->gpus and out->count are set (malloc'd, freed by
 *  tp_placement_clear()) and out->score is left zeroed for the dispatcher
 *  to fill; on failure out is not touched, -1 is returned with errno
 *  EAGAIN (cannot be placed in this state) or EINVAL (malformed request)
 *  and err, when not NULL, says why.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_PLACE_PRIVATE_H
#define _TOPOPACK_PLACE_PRIVATE_H

#include "state_private.h"

/*
 * Say whether node may serve req in state s, and how many GPUs it can give.
 * A node is eligible when all of these hold:
 *  - its availability is TP_NODE_UP, or TP_NODE_RESERVED and
 *    req->use_reserved is set;
 *  - no exclusive allocation holds it, and, for an exclusive request, no
 *    allocation at all (users == 0);
 *  - req->usable is NULL or req->usable[node] is not 0;
 *  - req->gpu_type is NULL or names the node's GPU type (a node without a
 *    type never matches a typed request);
 *  - per-node form (req->total_gpus <= 0): free GPUs >= req->gpus_per_node;
 *    total form (req->total_gpus > 0): at least one free GPU.
 * IN s - allocation state
 * IN req - the request; only the fields above are read and its counts are
 *	not checked
 * IN node - node index, 0 <= node < fabric node count (not checked)
 * OUT take - set when eligible, untouched otherwise; must not be NULL.
 *	Exclusive request: every GPU of the node (both forms). Otherwise
 *	per-node form: gpus_per_node; total form: min(free GPUs, total_gpus).
 * RET true when eligible. Never sets errno.
 */
extern bool tp_node_eligible(const tp_state_t *s, const tp_request_t *req,
			     int node, int *take);

/* TP_POLICY_TOPOPACK, in place_topopack.c. */
extern int tp_place_topopack(const tp_state_t *state, const tp_request_t *req,
			     tp_placement_t *out, tp_error_t *err);

/*
 * TP_POLICY_SLURM_TREE: a model of what stock Slurm 22.05 picks with
 * SelectType=select/cons_tres and TopologyPlugin=topology/tree, uniform
 * configured node weights, for an sbatch-like job (-N, --gres=gpu:[type:]N
 * or --gpus=N, --exclusive, --switches=N with a wait that has not run
 * out). See the head of place_slurm_tree.c for what is modelled.
 * IN state, req; OUT out, err - as for every policy (see above); a pick
 * that spans more than req->max_leaves leaf switches fails with EAGAIN,
 * as the job would keep waiting.
 */
extern int tp_place_slurm_tree(const tp_state_t *state,
			       const tp_request_t *req, tp_placement_t *out,
			       tp_error_t *err);

/*
 * TP_POLICY_FIRST_FIT: the first eligible nodes in index order, blind to
 * topology. Per-node form: the first req->nodes eligible nodes. Total form:
 * eligible nodes in index order until there are at least req->nodes of
 * them holding total_gpus free GPUs, then GPUs given in that order, each
 * node min(free, what is left less one per node after it); exclusive
 * requests take every GPU of each node.
 * IN state, req; OUT out, err - as for every policy; EAGAIN when the
 * eligible nodes do not suffice, when the total form needs more than
 * req->max_nodes (when > 0) nodes, or when the nodes span more than
 * req->max_leaves (when > 0) leaf switches.
 */
extern int tp_place_first_fit(const tp_state_t *state,
			      const tp_request_t *req, tp_placement_t *out,
			      tp_error_t *err);

/* Fill err with "who: message", set errno. RET -1. */
extern int tp_place_fail(tp_error_t *err, const char *who, int errnum,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fill p->score from the nodes of p: the one judge of every policy.
 * RET 0, or -1 (ENOMEM) with p->score unset */
extern int tp_placement_score(const tp_fabric_t *f, tp_placement_t *p);

#endif /* _TOPOPACK_PLACE_PRIVATE_H */
