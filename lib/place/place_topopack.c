/*****************************************************************************\
 *  place_topopack.c - compact, best-fit placement: the search driver.
 *
 *  Objective, compared lexicographically:
 *   (a) the lowest top level crossed (worst-case hops), then the fewest
 *       blocks used at each level below it, top down: switch groups,
 *       leaves, NVLink domain pieces, nodes;
 *   (b) best fit: the tightest top block (fewest free GPUs), inside the
 *       fullest enclosing blocks (compared from the root down), then the
 *       chosen blocks with the fewest free GPUs at each level, top down;
 *       for one node, the fullest blocks from the root down come first,
 *       then the tightest node in them, so that small jobs fill the
 *       busiest leaf and leave the others' idle nodes whole;
 *   (c) placement order (configuration order) for ties.
 *
 *  The top level is the lowest level holding a block with enough capacity;
 *  a single node is found by a descent through the histograms. At higher
 *  levels every candidate block is evaluated exactly (place_flat.c and
 *  place_group.c where they apply, else place_knapsack.c), best lower
 *  bound and fit first, and the search stops as soon as no remaining
 *  candidate can beat the best key found.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE		/* qsort_r */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place_search_private.h"

struct tp_chunk {
	struct tp_chunk *next;
	size_t used, size;
	char mem[];
};

/*****************************************************************************\
 *  Scratch memory: a chunk list freed in one go after each candidate.
\*****************************************************************************/

extern void *tp_search_alloc(tp_search_t *c, size_t n)
{
	tp_chunk_t *ch = c->arena;

	n = (n + 15) & ~(size_t) 15;
	if (!ch || ch->used + n > ch->size) {
		size_t size = n > 65536 ? n : 65536;

		ch = malloc(sizeof(*ch) + size);
		if (!ch) {
			/* Evaluators allocate from here alone: back to
			 * tp_search_eval(), which frees the arena. */
			if (c->nomem)
				longjmp(*c->nomem, 1);
			return NULL;
		}
		ch->next = c->arena;
		ch->used = 0;
		ch->size = size;
		c->arena = ch;
	}
	ch->used += n;
	return ch->mem + ch->used - n;
}

static void _arena_reset(tp_search_t *c)
{
	while (c->arena) {
		tp_chunk_t *next = c->arena->next;

		free(c->arena);
		c->arena = next;
	}
}

/*****************************************************************************\
 *  Capacity
\*****************************************************************************/

/* Units node n can give (0: not eligible); *gpus: GPUs a unit takes in the
 * per-node form, or the node's GPUs for an exclusive request. */
extern int tp_search_units(const tp_search_t *c, int n, int *gpus)
{
	int take = 0;

	*gpus = 0;
	if (!tp_node_eligible(c->s, c->req, n, &take))
		return 0;
	*gpus = take;
	if (c->per_node)
		return 1;
	return take < c->D ? take : c->D;
}

extern int tp_search_cap(const tp_search_t *c, int b)
{
	const int *h;
	int n = 0;

	if (c->cap)
		return c->cap[b];
	if (c->req->exclusive) {
		/* uniform nodes (see _plain): every idle node qualifies */
		int g = c->f->max_gpus;

		if (c->per_node)
			return g >= c->need ? c->s->block_idle[b] : 0;
		return c->s->block_idle[b] * (g < c->D ? g : c->D);
	}
	h = c->s->hist + (size_t) b * c->s->hist_width;
	if (c->per_node)
		return tp_state_block_nodes_with(c->s, b, c->need);
	for (int f = 1; f < c->s->hist_width; f++)
		n += h[f] * (f < c->D ? f : c->D);
	return n;
}

/* Requests the histograms cannot size: count eligible units per block.
 * RET 0, or -1 (ENOMEM) */
static int _scan_caps(tp_search_t *c)
{
	const tp_fabric_t *f = c->f;
	int gpus;

	if (!(c->cap = calloc(f->nblocks + 1, sizeof(int))))
		return -1;
	for (int n = 0; n < f->nnodes; n++) {
		int u = tp_search_units(c, n, &gpus);

		if (!u)
			continue;
		for (int l = 0; l < f->nlevels; l++)
			c->cap[tp_ancestor(f, n, l)] += u;
	}
	return 0;
}

/* Can the per-block counts size the request? Exclusive requests need
 * idle nodes, which the idle counts give when all nodes are alike. */
static bool _plain(const tp_fabric_t *f, const tp_request_t *r)
{
	return !r->usable && !r->gpu_type && !r->use_reserved &&
		(!r->exclusive || f->min_gpus == f->max_gpus);
}

/*****************************************************************************\
 *  Candidates
\*****************************************************************************/

/* Fit prefix of a top block: its free GPUs, then its ancestors' from the
 * root down. RET entries written. */
static int _fit_prefix(const tp_search_t *c, int b, int *fit)
{
	const tp_block_t *blocks = c->f->blocks;
	int up[TP_MAX_LEVELS], m = 0;

	for (int p = blocks[b].parent; p >= 0; p = blocks[p].parent)
		up[m++] = p;
	fit[0] = c->s->block_free[b];
	for (int i = 0; i < m; i++)
		fit[1 + i] = c->s->block_free[up[m - 1 - i]];
	return m + 1;
}

static int _int_cmp(const int *a, const int *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* Is (key, fit) better than the best so far? (a) first, then the fit
 * prefix, then the fit sums below the top. */
static bool _better(const tp_search_t *c, const tp_key_t *key, const int *fit,
		    int nfit)
{
	int t = c->top, r;

	if (!c->found)
		return true;
	if ((r = tp_key_cmp(key, &c->best_key, t)))
		return r < 0;
	if ((r = _int_cmp(fit, c->best_fit, nfit)))
		return r < 0;
	for (int i = t; i < 2 * t; i++)
		if (key->v[i] != c->best_key.v[i])
			return key->v[i] < c->best_key.v[i];
	return false;
}

static void _keep(tp_search_t *c, const tp_key_t *key, const int *fit, int nfit,
		  const tp_pick_t *p)
{
	c->found = true;
	c->best_key = *key;
	memcpy(c->best_fit, fit, sizeof(int) * nfit);
	c->best_count = p->count;
	memcpy(c->best_node, p->node, sizeof(int) * p->count);
	memcpy(c->best_gpus, p->gpus, sizeof(int) * p->count);
}

/* Picks of one leaf are adjacent: both the programme and the greedy path
 * finish a subtree before moving to the next. */
static int _leaves_of(const tp_search_t *c, const tp_pick_t *p)
{
	int n = 0, prev = -1;

	for (int i = 0; i < p->count; i++) {
		int leaf = tp_ancestor(c->f, p->node[i], TP_LVL_LEAF);

		n += leaf != prev;
		prev = leaf;
	}
	return n;
}

/* RET -1 when the pick keeps the request's limits, else the level of
 * the limit it breaks. */
static int _broken_limit(const tp_search_t *c, const tp_pick_t *p)
{
	const tp_request_t *r = c->req;

	if (!c->per_node && r->max_nodes > 0 && p->count > r->max_nodes)
		return TP_LVL_NODE;
	if (r->max_leaves > 0 && c->top > TP_LVL_LEAF &&
	    _leaves_of(c, p) > r->max_leaves)
		return TP_LVL_LEAF;
	return -1;
}

/* Fewest nodes that can give D GPUs inside block b, from its histogram. */
static int _min_nodes(const tp_search_t *c, int b)
{
	const int *h = c->s->hist + (size_t) b * c->s->hist_width;
	int left = c->D, n = 0;

	for (int f = c->s->hist_width - 1; f >= 1 && left > 0; f--) {
		int k = h[f];

		if ((long) k * f >= left)
			return n + (left + f - 1) / f;
		n += k;
		left -= k * f;
	}
	return n + (left > 0 ? left : 0);
}

/* Lower bound of the (a) key of any placement inside top block b: at
 * level j at least ceil(D / largest level-j block of the fabric); at the
 * node level the greedy count from b's histogram when it is exact. */
static void _lower_bound(const tp_search_t *c, int b, tp_key_t *lb)
{
	const tp_fabric_t *f = c->f;

	memset(lb, 0, sizeof(*lb));
	for (int j = 0; j < c->top; j++) {
		int most = c->per_node ? f->level_max_nodes[j] :
			f->level_max_gpus[j];

		most = most > 0 ? most : 1;
		lb->v[tp_kpos(c->top, j, false)] = (c->D + most - 1) / most;
	}
	if (!c->per_node && !c->cap)
		lb->v[tp_kpos(c->top, TP_LVL_NODE, false)] = _min_nodes(c, b);
	/* single-node pieces: as many pieces as nodes */
	if (f->blocks[b].flat)
		lb->v[tp_kpos(c->top, TP_LVL_DOMAIN, false)] =
			lb->v[tp_kpos(c->top, TP_LVL_NODE, false)];
}

extern void tp_search_offer(tp_search_t *c, const tp_key_t *key,
			    const int *fit, int nfit, const tp_pick_t *p)
{
	int broke = _broken_limit(c, p);

	if (broke >= 0)
		c->broke = broke;
	else if (_better(c, key, fit, nfit))
		_keep(c, key, fit, nfit, p);
}

typedef struct {
	int block;
	tp_key_t lb;		/* lower bound of its (a) key */
	int fit[TP_MAX_LEVELS];
} _cand_t;

typedef struct {
	int nkey, nfit;
} _cand_order_t;

static int _cand_cmp(const void *a, const void *b, void *arg)
{
	const _cand_order_t *o = arg;
	const _cand_t *x = a, *y = b;
	int r = tp_key_cmp(&x->lb, &y->lb, o->nkey);

	if (!r)
		r = _int_cmp(x->fit, y->fit, o->nfit);
	return r ? r : (x->block > y->block) - (x->block < y->block);
}

/*****************************************************************************\
 *  Single node: the fullest blocks, then the tightest node in them
\*****************************************************************************/

/* Does block k hold a node with want free GPUs (any idle node for an
 * exclusive request)? */
static bool _holds(const tp_search_t *c, int k, int want)
{
	if (c->req->exclusive)
		return c->s->block_idle[k] > 0;
	return c->s->hist[(size_t) k * c->s->hist_width + want] > 0;
}

/* Does block k hold a node with at least need free GPUs? */
static bool _holds_fit(const tp_search_t *c, int k, int need)
{
	if (c->req->exclusive)
		return c->s->block_idle[k] > 0;
	for (int g = need; g < c->s->hist_width; g++)
		if (_holds(c, k, g))
			return true;
	return false;
}

/* From the counts: a descent through the fullest blocks holding a node
 * that fits, down to the tightest such node. RET node or -1. */
static int _descend(const tp_search_t *c)
{
	const tp_fabric_t *f = c->f;
	int need = c->per_node ? c->need : c->D, b = -1;

	if (c->req->exclusive && need > f->max_gpus)
		return -1;
	for (int lvl = f->nlevels - 1; lvl >= 0; lvl--) {
		const int *list = f->level_blocks + f->level_first[lvl];
		int cnt = f->level_first[lvl + 1] - f->level_first[lvl];

		if (b >= 0) {
			list = f->child_list + f->blocks[b].first_child;
			cnt = f->blocks[b].nchildren;
		}
		b = -1;
		for (int i = 0; i < cnt; i++) {
			int k = list[i];

			if (!_holds_fit(c, k, need))
				continue;
			if (b < 0 || c->s->block_free[k] < c->s->block_free[b])
				b = k;
		}
		if (b < 0)
			return -1;
	}
	return f->blocks[b].id;
}

/* Scan for requests the counts cannot size. RET node or -1. */
static int _scan_nodes(const tp_search_t *c)
{
	const tp_fabric_t *f = c->f;
	int best = -1, best_fit[TP_MAX_LEVELS], fit[TP_MAX_LEVELS];

	for (int o = 0; o < f->nnodes; o++) {
		int n = f->order_node[o], gpus, nfit;

		if (tp_search_units(c, n, &gpus) < c->D)
			continue;
		/* the node's own free GPUs last: enclosing blocks first */
		nfit = _fit_prefix(c, f->nodes[n].block, fit);
		memmove(fit, fit + 1, sizeof(int) * (nfit - 1));
		fit[nfit - 1] = c->s->block_free[f->nodes[n].block];
		if (best < 0 || _int_cmp(fit, best_fit, nfit) < 0) {
			best = n;
			memcpy(best_fit, fit, sizeof(fit));
		}
	}
	return best;
}

/* The fullest blocks, then the tightest node in them. */
static void _single_node(tp_search_t *c, tp_pick_t *p)
{
	int fit[TP_MAX_LEVELS], nfit, gpus;
	int best = c->cap ? _scan_nodes(c) : _descend(c);

	if (best < 0)
		return;
	tp_search_units(c, best, &gpus);
	p->count = 1;
	p->node[0] = best;
	p->gpus[0] = (c->per_node || c->req->exclusive) ? gpus : c->D;
	nfit = _fit_prefix(c, c->f->nodes[best].block, fit);
	c->top = 0;
	memset(&c->best_key, 0, sizeof(c->best_key));
	_keep(c, &c->best_key, fit, nfit, p);
}

/*****************************************************************************\
 *  Entry point
\*****************************************************************************/

typedef struct {
	const _cand_t *cand;
	int nfit;
	tp_pick_t *p;
} _eval_arg_t;

/* Evaluate one candidate top block with the evaluator that fits it. */
static void _evaluate(tp_search_t *c, void *arg)
{
	const _eval_arg_t *e = arg;
	int b = e->cand->block, t = c->top;

	c->broke = -1;
	if (t == TP_LVL_LEAF && c->f->blocks[b].flat)
		tp_flat_leaf_eval(c, b, e->cand->fit, e->nfit, e->p);
	else if (t != TP_LVL_LEAF + 1 ||
		 !tp_group_eval(c, b, e->cand->fit, e->nfit, e->p))
		tp_knapsack_eval(c, b, e->cand->fit, e->nfit, e->p);
	/* The best pick broke a limit: the best one that keeps it may
	 * still be there, with a worse key. */
	if (c->broke >= 0)
		tp_limited_eval(c, b, c->broke,
				c->broke == TP_LVL_NODE ?
				c->req->max_nodes : c->req->max_leaves,
				e->cand->fit, e->nfit, e->p);
}

extern int tp_search_eval(tp_search_t *c,
			  void (*fn)(tp_search_t *c, void *arg), void *arg)
{
	jmp_buf nomem;

	/* No local changes between setjmp() and a longjmp() to it: nothing
	 * here can be clobbered. */
	c->nomem = &nomem;
	if (!setjmp(nomem)) {
		fn(c, arg);
		c->nomem = NULL;
		_arena_reset(c);
		return 0;
	}
	c->nomem = NULL;
	_arena_reset(c);
	errno = ENOMEM;
	return -1;
}

/* RET 0 (c->found tells whether a placement was found), or -1 (ENOMEM). */
static int _search_level(tp_search_t *c, int t, tp_pick_t *p)
{
	const tp_fabric_t *f = c->f;
	int ncand = 0, nfit = f->nlevels - t, rc = 0;
	_cand_order_t order = { .nkey = t, .nfit = nfit };
	_cand_t *cand;

	c->top = t;
	cand = malloc(sizeof(_cand_t) *
		      (f->level_first[t + 1] - f->level_first[t] + 1));
	if (!cand)
		return -1;
	for (int i = f->level_first[t]; i < f->level_first[t + 1]; i++) {
		int b = f->level_blocks[i];

		if (tp_search_cap(c, b) < c->D)
			continue;
		cand[ncand].block = b;
		_lower_bound(c, b, &cand[ncand].lb);
		_fit_prefix(c, b, cand[ncand].fit);
		ncand++;
	}
	qsort_r(cand, ncand, sizeof(*cand), _cand_cmp, &order);
	for (int i = 0; i < ncand; i++) {
		int r;

		/* Candidates come by bound, then fit: stop once the best
		 * beats the next one's bound, or ties it and fits at least
		 * as well (ties go to placement order). */
		if (c->found) {
			r = tp_key_cmp(&c->best_key, &cand[i].lb, t);
			if (r < 0 || (!r && _int_cmp(c->best_fit, cand[i].fit,
						     nfit) <= 0))
				break;
		}
		if ((rc = tp_search_eval(c, _evaluate, &(_eval_arg_t) {
				&cand[i], nfit, p })))
			break;
	}
	free(cand);
	return rc;
}

typedef struct {
	int order, node, gpus;
} _out_t;

static int _out_cmp(const void *a, const void *b)
{
	const _out_t *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

/* Output in placement order, so that a leaf's nodes are listed together.
 * RET 0, or -1 (ENOMEM) with out untouched */
static int _sorted_copy(const tp_fabric_t *f, const int *node,
			const int *gpus, int count, tp_placement_t *out)
{
	_out_t *o = malloc(sizeof(_out_t) * (count + 1));
	int *on = malloc(sizeof(int) * (count + 1));
	int *og = malloc(sizeof(int) * (count + 1));

	if (!o || !on || !og) {
		free(o);
		free(on);
		free(og);
		return -1;
	}
	out->node = on;
	out->gpus = og;
	for (int i = 0; i < count; i++)
		o[i] = (_out_t) { f->nodes[node[i]].order, node[i], gpus[i] };
	qsort(o, count, sizeof(*o), _out_cmp);
	for (int i = 0; i < count; i++) {
		out->node[i] = o[i].node;
		out->gpus[i] = o[i].gpus;
	}
	out->count = count;
	free(o);
	return 0;
}

extern int tp_search_init(tp_search_t *c, const tp_state_t *s,
			  const tp_request_t *req)
{
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->f = s->fabric;
	c->req = req;
	c->per_node = req->total_gpus <= 0;
	c->need = c->per_node ? req->gpus_per_node : 1;
	c->D = c->per_node ? req->nodes : req->total_gpus;
	c->best_node = malloc(sizeof(int) * (c->f->nnodes + 1));
	c->best_gpus = malloc(sizeof(int) * (c->f->nnodes + 1));
	if (!c->best_node || !c->best_gpus ||
	    (!_plain(c->f, req) && _scan_caps(c))) {
		tp_search_fini(c);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

extern void tp_search_fini(tp_search_t *c)
{
	_arena_reset(c);
	free(c->cap);
	free(c->best_node);
	free(c->best_gpus);
}

extern int tp_place_topopack(const tp_state_t *s, const tp_request_t *req,
			     tp_placement_t *out, tp_error_t *err)
{
	tp_search_t c;
	tp_pick_t p = { 0 };
	int rc = -1;

	if (tp_search_init(&c, s, req))
		return tp_place_fail(err, "topopack", ENOMEM, "out of memory");
	p.node = malloc(sizeof(int) * (c.f->nnodes + 1));
	p.gpus = malloc(sizeof(int) * (c.f->nnodes + 1));
	if (!p.node || !p.gpus)
		goto nomem;
	if ((c.per_node && c.D == 1) || (!c.per_node && c.D <= c.f->max_gpus))
		_single_node(&c, &p);
	for (int t = 1; !c.found && t < c.f->nlevels; t++)
		if (_search_level(&c, t, &p))
			goto nomem;

	if (!c.found) {
		if (err)
			snprintf(err->text, sizeof(err->text),
				 "not enough free resources for the request in one connected part of the fabric");
		errno = EAGAIN;
		goto fini;
	}
	if (_sorted_copy(c.f, c.best_node, c.best_gpus, c.best_count, out))
		goto nomem;
	rc = 0;
	goto fini;
nomem:
	rc = tp_place_fail(err, "topopack", ENOMEM, "out of memory");
fini:
	tp_search_fini(&c);
	free(p.node);
	free(p.gpus);
	return rc;
}
