/*****************************************************************************\
 *  place.c - placement entry point: request checks, policy dispatch and
 *  the one scoring function every policy is judged by.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place_private.h"

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

extern int tp_place_fail(tp_error_t *err, const char *who, int errnum,
			 const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err) {
		n = snprintf(err->text, sizeof(err->text), "%s: ", who);
		va_start(ap, fmt);
		vsnprintf(err->text + n, sizeof(err->text) - n, fmt, ap);
		va_end(ap);
	}
	errno = errnum;
	return -1;
}

/*
 * What sbatch or slurmctld would refuse at submission, for every policy:
 * negative counts, no nodes, --gpus below -N, a range upside down, a GPU
 * type the cluster lacks, more nodes or GPUs than the fabric has.
 */
static int _check(const tp_fabric_t *f, const tp_request_t *r,
		  tp_error_t *err)
{
	const char *who = "invalid request";
	int min = r->nodes > 0 ? r->nodes : 1, t = 0;

	if (r->nodes < 0 || r->max_nodes < 0 || r->gpus_per_node < 0 ||
	    r->total_gpus < 0 || r->max_leaves < 0)
		return tp_place_fail(err, who, EINVAL, "negative count");
	while (r->gpu_type && t < f->ngpu_types &&
	       strcmp(f->gpu_types[t], r->gpu_type))
		t++;
	if (r->gpu_type && t == f->ngpu_types)
		return tp_place_fail(err, who, EINVAL,
				     "no node has GPU type %s", r->gpu_type);
	if (r->total_gpus > 0) {
		if (r->max_nodes && r->max_nodes < min)
			return tp_place_fail(err, who, EINVAL,
					     "max nodes %d below nodes %d",
					     r->max_nodes, min);
		if (r->total_gpus < min)
			return tp_place_fail(err, who, EINVAL,
					     "%d GPUs cannot cover %d nodes",
					     r->total_gpus, min);
		if (r->total_gpus > f->total_gpus)
			return tp_place_fail(err, who, EINVAL,
					     "%d GPUs asked, the fabric has %d",
					     r->total_gpus, f->total_gpus);
	} else {
		if (r->nodes < 1)
			return tp_place_fail(err, who, EINVAL,
					     "node count must be at least 1");
		if (r->gpus_per_node > f->max_gpus)
			return tp_place_fail(err, who, EINVAL,
					     "%d GPUs per node asked, the largest node has %d",
					     r->gpus_per_node, f->max_gpus);
	}
	if (min > f->nnodes)
		return tp_place_fail(err, who, EINVAL,
				     "request for %d nodes exceeds the %d nodes of the fabric",
				     min, f->nnodes);
	return 0;
}

/*
 * topopack places a GPU total on any number of nodes; with a fixed node
 * count that divides it, it is the per-node form (what users mean by
 * --gpus=16 -N 2). Other node ranges with a total are refused.
 */
static int _topopack_form(const tp_request_t *in, tp_request_t *req,
			  tp_error_t *err)
{
	int lo = in->nodes > 1 ? in->nodes : 1;

	*req = *in;
	if (in->total_gpus <= 0 || lo == 1)
		return 0;
	if (in->max_nodes != lo || in->total_gpus % lo)
		return tp_place_fail(err, "topopack", EINVAL,
				     "a GPU total with a minimum node count must name an exact node count that divides it; use nodes x GPUs per node");
	req->gpus_per_node = in->total_gpus / lo;
	req->total_gpus = 0;
	req->max_nodes = 0;
	return 0;
}

static int _int_cmp(const void *a, const void *b)
{
	int x = *(const int *) a, y = *(const int *) b;

	return (x > y) - (x < y);
}

extern int tp_placement_score(const tp_fabric_t *f, tp_placement_t *p)
{
	int *anc = malloc(sizeof(int) * (p->count + 1));

	if (!anc) {
		errno = ENOMEM;
		return -1;
	}
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
	return 0;
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

	if (_check(s->fabric, in, err))
		return -1;
	switch (policy) {
	case TP_POLICY_TOPOPACK:
		rc = _topopack_form(in, &req, err) ? -1 :
			tp_place_topopack(s, &req, out, err);
		break;
	case TP_POLICY_SLURM_TREE:
		rc = tp_place_slurm_tree(s, in, out, err);
		break;
	case TP_POLICY_FIRST_FIT:
		rc = tp_place_first_fit(s, in, out, err);
		break;
	default:
		return tp_place_fail(err, "invalid request", EINVAL,
				     "unknown policy %d", (int) policy);
	}
	if (rc)
		return rc;
	if (tp_placement_score(s->fabric, out)) {
		tp_placement_clear(out);
		return tp_place_fail(err, tp_policy_name(policy), ENOMEM,
				     "out of memory");
	}
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
