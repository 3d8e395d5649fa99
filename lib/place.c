/*****************************************************************************\
 *  place.c - placement entry point: request checks, policy dispatch and
 *  the one scoring function every policy is judged by.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place.h"

static const char *_policy_names[] = {
	[TP_POLICY_TOPOPACK] = "topopack",
	[TP_POLICY_SLURM_TREE] = "slurm-tree",
	[TP_POLICY_FIRST_FIT] = "first-fit",
};

extern const char *tp_policy_name(tp_policy_t policy)
{
	if ((unsigned) policy >= sizeof(_policy_names) / sizeof(char *))
		return NULL;
	return _policy_names[policy];
}

extern int tp_policy_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(_policy_names) / sizeof(char *); i++)
		if (name && !strcmp(name, _policy_names[i]))
			return (int) i;
	errno = EINVAL;
	return -1;
}

static int _invalid(tp_error_t *err, const char *what)
{
	if (err)
		snprintf(err->text, sizeof(err->text), "invalid request: %s",
			 what);
	errno = EINVAL;
	return -1;
}

/*
 * Check the request; a total with a fixed node count that divides evenly
 * is the per-node form (what Slurm does with --gpus=16 -N 2).
 * RET 0, or -1 with err.
 */
static int _normalize(const tp_fabric_t *f, const tp_request_t *in,
		      tp_request_t *req, tp_error_t *err)
{
	*req = *in;
	if (req->max_leaves < 0)
		return _invalid(err, "negative switch count");
	if (req->total_gpus > 0) {
		int lo = req->nodes > 1 ? req->nodes : 1;

		if (req->max_nodes && req->max_nodes < lo)
			return _invalid(err, "max nodes below min nodes");
		if (lo == 1)
			return 0;
		if (req->max_nodes != lo || req->total_gpus % lo)
			return _invalid(err, "a GPU total with a minimum node count must name an exact node count that divides it; use nodes x GPUs per node");
		req->gpus_per_node = req->total_gpus / lo;
		req->total_gpus = 0;
		req->max_nodes = 0;
		return 0;
	}
	if (req->nodes < 1)
		return _invalid(err, "node count must be at least 1");
	if (req->gpus_per_node < 0)
		return _invalid(err, "negative GPUs per node");
	if (req->nodes > f->nnodes) {
		if (err)
			snprintf(err->text, sizeof(err->text),
				 "request for %d nodes exceeds the %d nodes of the fabric",
				 req->nodes, f->nnodes);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int _int_cmp(const void *a, const void *b)
{
	int x = *(const int *) a, y = *(const int *) b;

	return (x > y) - (x < y);
}

extern void tp_placement_score(const tp_fabric_t *f, tp_placement_t *p)
{
	int *anc = malloc(sizeof(int) * (p->count + 1));

	if (!anc)
		abort();
	memset(&p->score, 0, sizeof(p->score));
	p->score.top_level = f->nlevels;	/* no common block */
	for (int l = f->nlevels - 1; l >= 0; l--) {
		int distinct = 0;

		for (int i = 0; i < p->count; i++)
			anc[i] = tp_ancestor(f, p->node[i], l);
		qsort(anc, p->count, sizeof(int), _int_cmp);
		for (int i = 0; i < p->count; i++)
			distinct += !i || anc[i] != anc[i - 1];
		p->score.blocks[l] = distinct;
		if (distinct == 1)
			p->score.top_level = l;
	}
	free(anc);
}

extern int tp_score_cmp(const tp_score_t *a, const tp_score_t *b)
{
	if (a->top_level != b->top_level)
		return a->top_level < b->top_level ? -1 : 1;
	for (int l = TP_MAX_LEVELS - 1; l >= 0; l--)
		if (a->blocks[l] != b->blocks[l])
			return a->blocks[l] < b->blocks[l] ? -1 : 1;
	return 0;
}

extern int tp_place(const tp_state_t *s, tp_policy_t policy,
		    const tp_request_t *in, tp_placement_t *out,
		    tp_error_t *err)
{
	tp_request_t req;
	int rc;

	memset(out, 0, sizeof(*out));
	if (_normalize(s->fabric, in, &req, err))
		return -1;
	switch (policy) {
	case TP_POLICY_TOPOPACK:
		rc = tp_place_topopack(s, &req, out, err);
		break;
	case TP_POLICY_SLURM_TREE:
		rc = tp_place_slurm_tree(s, &req, out, err);
		break;
	case TP_POLICY_FIRST_FIT:
		rc = tp_place_first_fit(s, &req, out, err);
		break;
	default:
		return _invalid(err, "unknown policy");
	}
	if (rc)
		return rc;
	tp_placement_score(s->fabric, out);
	return 0;
}

extern void tp_placement_clear(tp_placement_t *p)
{
	if (!p)
		return;
	free(p->node);
	free(p->gpus);
	memset(p, 0, sizeof(*p));
}
