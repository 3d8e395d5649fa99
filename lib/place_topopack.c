/*****************************************************************************\
 *  place_topopack.c - compact, best-fit placement.
 *
 *  Objective, compared lexicographically:
 *   (a) the lowest top level crossed (worst-case hops), then the fewest
 *       blocks used at each level below it, top down: switch groups,
 *       leaves, NVLink domain pieces, nodes;
 *   (b) best fit: the tightest top block (fewest free GPUs), inside the
 *       fullest enclosing blocks (compared from the root down), then the
 *       chosen blocks with the fewest free GPUs at each level, top down;
 *   (c) placement order (configuration order) for ties.
 *
 *  The top level is the lowest level holding a block with enough capacity.
 *  Inside a candidate top block an exact dynamic programme over the block
 *  tree computes, for every block and every number of units x it could
 *  give, the best key for taking exactly x units there (a min-plus knapsack
 *  over its children). Units are nodes in the per-node form and GPUs in the
 *  total form. Candidates are tried best fit first and the search stops as
 *  soon as no remaining candidate can beat the best key found.
 *
 *  When every NVLink domain piece in a spine group is a single node (HGX
 *  servers) and units are nodes, the counts below the leaves are the same
 *  for any choice, so (a) reduces to the fewest leaves; that case takes a
 *  greedy best-fit path instead of the knapsack over hundreds of leaves.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE		/* qsort_r */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place.h"
#include "state.h"

#define NKEY (2 * TP_MAX_LEVELS)
#define KEY_INF UINT32_MAX

/* (a) counts then (b) fit sums, both top down; see _kpos(). */
typedef struct {
	uint32_t v[NKEY];
} _key_t;

typedef struct _dp {
	int block;
	int cap;		/* units the block can give, at most D */
	_key_t *tab;		/* tab[x]: best key for exactly x units */
	int nkids;
	struct _dp **kids;
	int **choice;		/* choice[i][d]: units from kid i */
} _dp_t;

typedef struct _chunk {
	struct _chunk *next;
	size_t used, size;
	char mem[];
} _chunk_t;

typedef struct {
	const tp_state_t *s;
	const tp_fabric_t *f;
	const tp_request_t *req;
	bool per_node;		/* units are nodes, else GPUs */
	int need;		/* GPUs a node must have free (per-node) */
	int D;			/* units wanted */
	int top;		/* level of the top block under evaluation */
	int *cap;		/* exact per-block capacity, or NULL: hist */
	_chunk_t *arena;

	/* best so far */
	bool found;
	_key_t best_key;
	int best_fit[TP_MAX_LEVELS];	/* top block, then root..parent */
	int nbest_fit;
	int best_count;
	int *best_node, *best_gpus;
} _ctx_t;

/*****************************************************************************\
 *  Scratch memory: a chunk list freed in one go after each candidate.
\*****************************************************************************/

static void *_alloc(_ctx_t *c, size_t n)
{
	_chunk_t *ch = c->arena;

	n = (n + 15) & ~(size_t) 15;
	if (!ch || ch->used + n > ch->size) {
		size_t size = n > 65536 ? n : 65536;

		ch = malloc(sizeof(*ch) + size);
		if (!ch)
			abort();
		ch->next = c->arena;
		ch->used = 0;
		ch->size = size;
		c->arena = ch;
	}
	ch->used += n;
	return ch->mem + ch->used - n;
}

static void _arena_reset(_ctx_t *c)
{
	while (c->arena) {
		_chunk_t *next = c->arena->next;

		free(c->arena);
		c->arena = next;
	}
}

/*****************************************************************************\
 *  Keys
\*****************************************************************************/

/* Index of the count (fit = false) or fit sum of level lvl < top. */
static inline int _kpos(int top, int lvl, bool fit)
{
	return (fit ? top : 0) + top - 1 - lvl;
}

static inline int _key_cmp(const _key_t *a, const _key_t *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a->v[i] != b->v[i])
			return a->v[i] < b->v[i] ? -1 : 1;
	return 0;
}

static inline void _key_add(_key_t *r, const _key_t *a, const _key_t *b,
			    int n)
{
	for (int i = 0; i < n; i++)
		r->v[i] = a->v[i] + b->v[i];
}

/*****************************************************************************\
 *  Capacity
\*****************************************************************************/

/* Units node n can give (0: not eligible); *gpus: GPUs a unit takes in the
 * per-node form, or the node's GPUs for an exclusive request. */
static int _node_units(const _ctx_t *c, int n, int *gpus)
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

static int _cap(const _ctx_t *c, int b)
{
	const int *h;
	int n = 0;

	if (c->cap)
		return c->cap[b];
	h = c->s->hist + (size_t) b * c->s->hist_width;
	if (c->per_node)
		return tp_state_block_nodes_with(c->s, b, c->need);
	for (int f = 1; f < c->s->hist_width; f++)
		n += h[f] * (f < c->D ? f : c->D);
	return n;
}

/* Requests the histograms cannot size: count eligible units per block. */
static void _scan_caps(_ctx_t *c)
{
	const tp_fabric_t *f = c->f;
	int gpus;

	c->cap = calloc(f->nblocks + 1, sizeof(int));
	if (!c->cap)
		abort();
	for (int n = 0; n < f->nnodes; n++) {
		int u = _node_units(c, n, &gpus);

		if (!u)
			continue;
		for (int l = 0; l < f->nlevels; l++)
			c->cap[tp_ancestor(f, n, l)] += u;
	}
}

static bool _plain(const tp_request_t *r)
{
	return !r->usable && !r->gpu_type && !r->use_reserved &&
		!r->exclusive;
}

/*****************************************************************************\
 *  Exact dynamic programme inside one top block
\*****************************************************************************/

static _dp_t *_dp(_ctx_t *c, int b)
{
	const tp_block_t *blk = &c->f->blocks[b];
	int t = c->top, nk = 2 * t;
	_dp_t *d = _alloc(c, sizeof(*d));
	_key_t *cur, *nxt;
	int reach = 0;

	d->block = b;
	d->cap = _cap(c, b) < c->D ? _cap(c, b) : c->D;
	d->tab = _alloc(c, sizeof(_key_t) * (d->cap + 1));
	d->nkids = 0;
	memset(d->tab, 0, sizeof(_key_t) * (d->cap + 1));
	if (blk->level == TP_LVL_NODE) {
		int gpus;
		int u = _node_units(c, blk->id, &gpus);

		d->cap = u < d->cap ? u : d->cap;
		for (int x = 1; x <= d->cap; x++) {
			d->tab[x].v[_kpos(t, 0, false)] = 1;
			d->tab[x].v[_kpos(t, 0, true)] =
				c->s->free_gpus[blk->id];
		}
		return d;
	}

	d->kids = _alloc(c, sizeof(_dp_t *) * blk->nchildren);
	d->choice = _alloc(c, sizeof(int *) * blk->nchildren);
	cur = _alloc(c, sizeof(_key_t) * (d->cap + 1));
	nxt = _alloc(c, sizeof(_key_t) * (d->cap + 1));
	memset(cur, 0, sizeof(_key_t));
	for (int x = 1; x <= d->cap; x++)
		cur[x].v[0] = KEY_INF;
	for (int i = 0; i < blk->nchildren; i++) {
		int kb = c->f->child_list[blk->first_child + i];
		_dp_t *k;
		int *ch;

		if (_cap(c, kb) <= 0)
			continue;
		k = _dp(c, kb);
		if (k->cap <= 0)
			continue;
		ch = _alloc(c, sizeof(int) * (d->cap + 1));
		memcpy(nxt, cur, sizeof(_key_t) * (d->cap + 1));
		memset(ch, 0, sizeof(int) * (d->cap + 1));
		reach = reach + k->cap < d->cap ? reach + k->cap : d->cap;
		for (int u = 1; u <= reach; u++) {
			int xmax = u < k->cap ? u : k->cap;

			for (int x = 1; x <= xmax; x++) {
				_key_t sum;

				if (cur[u - x].v[0] == KEY_INF)
					continue;
				_key_add(&sum, &cur[u - x], &k->tab[x], nk);
				if (_key_cmp(&sum, &nxt[u], nk) < 0) {
					nxt[u] = sum;
					ch[u] = x;
				}
			}
		}
		memcpy(cur, nxt, sizeof(_key_t) * (d->cap + 1));
		d->kids[d->nkids] = k;
		d->choice[d->nkids++] = ch;
	}
	d->cap = reach;
	memcpy(d->tab, cur, sizeof(_key_t) * (d->cap + 1));
	if (blk->level < t) {
		/* The block itself counts once wherever it is used. */
		for (int x = 1; x <= d->cap; x++) {
			d->tab[x].v[_kpos(t, blk->level, false)] += 1;
			d->tab[x].v[_kpos(t, blk->level, true)] +=
				c->s->block_free[b];
		}
	}
	return d;
}

typedef struct {
	int count;
	int *node;
	int *gpus;
} _pick_t;

static void _collect(const _ctx_t *c, const _dp_t *d, int x, _pick_t *p)
{
	const tp_block_t *blk = &c->f->blocks[d->block];

	if (blk->level == TP_LVL_NODE) {
		int gpus, n = blk->id;

		_node_units(c, n, &gpus);
		p->node[p->count] = n;
		if (c->per_node || c->req->exclusive)
			p->gpus[p->count] = gpus;
		else
			p->gpus[p->count] = x;
		p->count++;
		return;
	}
	/* Kids were merged in order: undo the merges last to first. */
	for (int i = d->nkids - 1; i >= 0 && x > 0; i--) {
		int take = d->choice[i][x];

		if (take > 0) {
			_collect(c, d->kids[i], take, p);
			x -= take;
		}
	}
}

/*****************************************************************************\
 *  Candidates
\*****************************************************************************/

/* Fit prefix of a top block: its free GPUs, then its ancestors' from the
 * root down. RET entries written. */
static int _fit_prefix(const _ctx_t *c, int b, int *fit)
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
static bool _better(const _ctx_t *c, const _key_t *key, const int *fit,
		    int nfit)
{
	int t = c->top, r;

	if (!c->found)
		return true;
	if ((r = _key_cmp(key, &c->best_key, t)))
		return r < 0;
	if ((r = _int_cmp(fit, c->best_fit, nfit)))
		return r < 0;
	for (int i = t; i < 2 * t; i++)
		if (key->v[i] != c->best_key.v[i])
			return key->v[i] < c->best_key.v[i];
	return false;
}

static void _keep(_ctx_t *c, const _key_t *key, const int *fit, int nfit,
		  const _pick_t *p)
{
	c->found = true;
	c->best_key = *key;
	memcpy(c->best_fit, fit, sizeof(int) * nfit);
	c->nbest_fit = nfit;
	c->best_count = p->count;
	memcpy(c->best_node, p->node, sizeof(int) * p->count);
	memcpy(c->best_gpus, p->gpus, sizeof(int) * p->count);
}

/* Picks of one leaf are adjacent: both the programme and the greedy path
 * finish a subtree before moving to the next. */
static int _leaves_of(const _ctx_t *c, const _pick_t *p)
{
	int n = 0, prev = -1;

	for (int i = 0; i < p->count; i++) {
		int leaf = tp_ancestor(c->f, p->node[i], TP_LVL_LEAF);

		n += leaf != prev;
		prev = leaf;
	}
	return n;
}

static bool _acceptable(const _ctx_t *c, const _pick_t *p)
{
	const tp_request_t *r = c->req;

	if (!c->per_node && r->max_nodes > 0 && p->count > r->max_nodes)
		return false;
	if (r->max_leaves > 0 && c->top > TP_LVL_LEAF &&
	    _leaves_of(c, p) > r->max_leaves)
		return false;
	return true;
}

/* Fewest nodes that can give D GPUs inside block b, from its histogram. */
static int _min_nodes(const _ctx_t *c, int b)
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
static void _lower_bound(const _ctx_t *c, int b, _key_t *lb)
{
	const tp_fabric_t *f = c->f;

	memset(lb, 0, sizeof(*lb));
	for (int j = 0; j < c->top; j++) {
		int most = c->per_node ? f->level_max_nodes[j] :
			f->level_max_gpus[j];

		most = most > 0 ? most : 1;
		lb->v[_kpos(c->top, j, false)] = (c->D + most - 1) / most;
	}
	if (!c->per_node && !c->cap)
		lb->v[_kpos(c->top, TP_LVL_NODE, false)] = _min_nodes(c, b);
}

static void _evaluate(_ctx_t *c, int b, const int *fit, int nfit,
		      _pick_t *p)
{
	_dp_t *d = _dp(c, b);

	if (d->cap >= c->D && d->tab[c->D].v[0] != KEY_INF) {
		p->count = 0;
		_collect(c, d, c->D, p);
		if (_acceptable(c, p) && _better(c, &d->tab[c->D], fit, nfit))
			_keep(c, &d->tab[c->D], fit, nfit, p);
	}
}

typedef struct {
	int block;
	_key_t lb;		/* lower bound of its (a) key */
	int fit[TP_MAX_LEVELS];
} _cand_t;

typedef struct {
	int nkey, nfit;
} _cand_order_t;

static int _cand_cmp(const void *a, const void *b, void *arg)
{
	const _cand_order_t *o = arg;
	const _cand_t *x = a, *y = b;
	int r = _key_cmp(&x->lb, &y->lb, o->nkey);

	if (!r)
		r = _int_cmp(x->fit, y->fit, o->nfit);
	return r ? r : (x->block > y->block) - (x->block < y->block);
}

/*****************************************************************************\
 *  Spine groups of single-node domains, per-node form: greedy best fit.
\*****************************************************************************/

static bool _singleton_pieces(const _ctx_t *c, int b)
{
	const tp_block_t *blk = &c->f->blocks[b];

	/* Pieces = nodes exactly when the subtree has as many domain
	 * blocks as nodes; count them through the leaves' children. */
	for (int i = 0; i < blk->nchildren; i++) {
		const tp_block_t *leaf =
			&c->f->blocks[c->f->child_list[blk->first_child + i]];

		if (leaf->nchildren != leaf->hi - leaf->lo)
			return false;
	}
	return true;
}

/* Take the tightest eligible nodes (fewest free GPUs, then placement
 * order) of a leaf, up to want. RET nodes taken. */
static int _take_tightest(_ctx_t *c, int leaf, int want, _pick_t *p)
{
	const tp_block_t *blk = &c->f->blocks[leaf];
	int start = p->count;

	for (int o = blk->lo; o < blk->hi; o++) {
		int n = c->f->order_node[o], gpus, j;

		if (!_node_units(c, n, &gpus))
			continue;
		j = p->count++;
		while (j > start && c->s->free_gpus[p->node[j - 1]] >
		       c->s->free_gpus[n]) {
			p->node[j] = p->node[j - 1];
			p->gpus[j] = p->gpus[j - 1];
			j--;
		}
		p->node[j] = n;
		p->gpus[j] = gpus;
	}
	if (p->count - start > want)
		p->count = start + want;
	return p->count - start;
}

typedef struct {
	int block;
	int cap;
	bool used;
} _leaf_t;

static int _leaf_cap_desc(const void *a, const void *b)
{
	const _leaf_t *x = a, *y = b;

	if (x->cap != y->cap)
		return x->cap > y->cap ? -1 : 1;
	return (x->block > y->block) - (x->block < y->block);
}

/*
 * The fewest leaves k is reached by the largest capacities. Fill k slots,
 * each time with the fullest leaf (fewest free GPUs) that still lets the
 * remaining slots finish with the largest unused leaves: best fit that
 * never loses (a).
 */
static void _greedy_group(_ctx_t *c, int b, const int *fit, int nfit,
			  _pick_t *p)
{
	const tp_block_t *blk = &c->f->blocks[b];
	_leaf_t *leaf = _alloc(c, sizeof(_leaf_t) * (blk->nchildren + 1));
	int n = 0, k = 0, need = c->D;
	_key_t key;

	for (int i = 0; i < blk->nchildren; i++) {
		int kb = c->f->child_list[blk->first_child + i];
		int cap = _cap(c, kb);

		if (cap > 0)
			leaf[n++] = (_leaf_t) { .block = kb, .cap = cap };
	}
	qsort(leaf, n, sizeof(*leaf), _leaf_cap_desc);
	for (int sum = 0; k < n && sum < need; k++)
		sum += leaf[k].cap;
	p->count = 0;
	for (int slot = k; slot > 0 && need > 0; slot--) {
		int rest = 0, next = 0, m = 0, best = -1;

		/* largest slot-1 unused capacities, and the one after */
		for (int i = 0; i < n && m < slot; i++) {
			if (leaf[i].used)
				continue;
			if (m < slot - 1)
				rest += leaf[i].cap;
			else
				next = leaf[i].cap;
			m++;
		}
		for (int i = 0, seen = 0; i < n; i++) {
			int others = rest;

			if (leaf[i].used)
				continue;
			/* a leaf among the largest cannot count itself */
			if (seen++ < slot - 1)
				others = rest - leaf[i].cap + next;
			if (leaf[i].cap + others < need)
				continue;
			if (best < 0 ||
			    c->s->block_free[leaf[i].block] <
			    c->s->block_free[leaf[best].block] ||
			    (c->s->block_free[leaf[i].block] ==
			     c->s->block_free[leaf[best].block] &&
			     leaf[i].block < leaf[best].block))
				best = i;
		}
		if (best < 0)
			return;
		leaf[best].used = true;
		need -= _take_tightest(c, leaf[best].block, need, p);
	}
	if (need > 0)
		return;
	/* Score it as the programme would. */
	memset(&key, 0, sizeof(key));
	for (int i = 0; i < p->count; i++) {
		int g = c->s->free_gpus[p->node[i]];

		key.v[_kpos(c->top, TP_LVL_NODE, false)]++;
		key.v[_kpos(c->top, TP_LVL_DOMAIN, false)]++;
		key.v[_kpos(c->top, TP_LVL_NODE, true)] += g;
		key.v[_kpos(c->top, TP_LVL_DOMAIN, true)] += g;
	}
	for (int i = 0; i < n; i++) {
		if (!leaf[i].used)
			continue;
		key.v[_kpos(c->top, TP_LVL_LEAF, false)]++;
		key.v[_kpos(c->top, TP_LVL_LEAF, true)] +=
			c->s->block_free[leaf[i].block];
	}
	if (_acceptable(c, p) && _better(c, &key, fit, nfit))
		_keep(c, &key, fit, nfit, p);
}

/*****************************************************************************\
 *  Single node: tightest node inside the fullest blocks
\*****************************************************************************/

static void _single_node(_ctx_t *c, _pick_t *p)
{
	const tp_fabric_t *f = c->f;
	int best = -1, best_fit[TP_MAX_LEVELS], fit[TP_MAX_LEVELS], nfit = 0;
	int need = c->per_node ? c->need : c->D;

	if (!c->cap) {
		/* Histograms: the smallest free count that fits, then a
		 * descent through the fullest blocks holding such a node. */
		int want = -1, b = -1;

		for (int g = need; g < c->s->hist_width && want < 0; g++)
			for (int r = f->level_first[f->nlevels - 1];
			     r < f->level_first[f->nlevels]; r++)
				if (c->s->hist[(size_t) f->level_blocks[r] *
					       c->s->hist_width + g] > 0) {
					want = g;
					break;
				}
		if (want < 0)
			return;
		for (int lvl = f->nlevels - 1; lvl >= 0; lvl--) {
			const int *list;
			int cnt;

			if (b < 0) {
				list = f->level_blocks + f->level_first[lvl];
				cnt = f->level_first[lvl + 1] -
					f->level_first[lvl];
			} else {
				list = f->child_list + f->blocks[b].first_child;
				cnt = f->blocks[b].nchildren;
			}
			b = -1;
			for (int i = 0; i < cnt; i++) {
				int k = list[i];

				if (c->s->hist[(size_t) k * c->s->hist_width +
					       want] <= 0)
					continue;
				if (b < 0 || c->s->block_free[k] <
				    c->s->block_free[b])
					b = k;
			}
		}
		best = f->blocks[b].id;
	} else {
		for (int o = 0; o < f->nnodes; o++) {
			int n = f->order_node[o], gpus;

			if (_node_units(c, n, &gpus) < c->D)
				continue;
			nfit = _fit_prefix(c, f->nodes[n].block, fit);
			if (best < 0 || _int_cmp(fit, best_fit, nfit) < 0) {
				best = n;
				memcpy(best_fit, fit, sizeof(fit));
			}
		}
		if (best < 0)
			return;
	}
	{
		int gpus;

		_node_units(c, best, &gpus);
		p->count = 1;
		p->node[0] = best;
		p->gpus[0] = (c->per_node || c->req->exclusive) ? gpus : c->D;
		nfit = _fit_prefix(c, f->nodes[best].block, fit);
		c->top = 0;
		memset(&c->best_key, 0, sizeof(c->best_key));
		_keep(c, &c->best_key, fit, nfit, p);
	}
}

/*****************************************************************************\
 *  Entry point
\*****************************************************************************/

static int _search_level(_ctx_t *c, int t, _pick_t *p)
{
	const tp_fabric_t *f = c->f;
	int ncand = 0, nfit = f->nlevels - t;
	_cand_order_t order = { .nkey = t, .nfit = nfit };
	_cand_t *cand;

	c->top = t;
	cand = malloc(sizeof(_cand_t) *
		      (f->level_first[t + 1] - f->level_first[t] + 1));
	if (!cand)
		abort();
	for (int i = f->level_first[t]; i < f->level_first[t + 1]; i++) {
		int b = f->level_blocks[i];

		if (_cap(c, b) < c->D)
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
		 * beats the next one's bound, or ties it and fits better. */
		if (c->found) {
			r = _key_cmp(&c->best_key, &cand[i].lb, t);
			if (r < 0 || (!r && _int_cmp(c->best_fit, cand[i].fit,
						     nfit) < 0))
				break;
		}
		if (c->per_node && t == TP_LVL_LEAF + 1 &&
		    _singleton_pieces(c, cand[i].block))
			_greedy_group(c, cand[i].block, cand[i].fit, nfit, p);
		else
			_evaluate(c, cand[i].block, cand[i].fit, nfit, p);
		_arena_reset(c);
	}
	free(cand);
	return c->found ? 0 : -1;
}

typedef struct {
	int order, node, gpus;
} _out_t;

static int _out_cmp(const void *a, const void *b)
{
	const _out_t *x = a, *y = b;

	return (x->order > y->order) - (x->order < y->order);
}

/* Output in placement order, so that a leaf's nodes are listed together. */
static void _sorted_copy(const tp_fabric_t *f, const int *node,
			 const int *gpus, int count, tp_placement_t *out)
{
	_out_t *o = malloc(sizeof(_out_t) * (count + 1));

	if (!o)
		abort();
	for (int i = 0; i < count; i++)
		o[i] = (_out_t) { f->nodes[node[i]].order, node[i], gpus[i] };
	qsort(o, count, sizeof(*o), _out_cmp);
	for (int i = 0; i < count; i++) {
		out->node[i] = o[i].node;
		out->gpus[i] = o[i].gpus;
	}
	out->count = count;
	free(o);
}

extern int tp_place_topopack(const tp_state_t *s, const tp_request_t *req,
			     tp_placement_t *out, tp_error_t *err)
{
	_ctx_t c = { .s = s, .f = s->fabric, .req = req };
	_pick_t p;
	int rc = -1;

	c.per_node = req->total_gpus <= 0;
	c.need = c.per_node ? req->gpus_per_node : 1;
	c.D = c.per_node ? req->nodes : req->total_gpus;
	p.node = malloc(sizeof(int) * (c.f->nnodes + 1));
	p.gpus = malloc(sizeof(int) * (c.f->nnodes + 1));
	c.best_node = malloc(sizeof(int) * (c.f->nnodes + 1));
	c.best_gpus = malloc(sizeof(int) * (c.f->nnodes + 1));
	if (!p.node || !p.gpus || !c.best_node || !c.best_gpus)
		abort();
	p.count = 0;
	if (!_plain(req))
		_scan_caps(&c);

	if ((c.per_node && c.D == 1) ||
	    (!c.per_node && c.D <= c.f->max_gpus &&
	     (req->max_nodes == 0 || req->max_nodes >= 1)))
		_single_node(&c, &p);
	for (int t = 1; !c.found && t < c.f->nlevels; t++)
		_search_level(&c, t, &p);

	if (c.found) {
		out->count = c.best_count;
		out->node = malloc(sizeof(int) * c.best_count);
		out->gpus = malloc(sizeof(int) * c.best_count);
		if (!out->node || !out->gpus)
			abort();
		_sorted_copy(c.f, c.best_node, c.best_gpus, c.best_count,
			     out);
		rc = 0;
	} else {
		if (err)
			snprintf(err->text, sizeof(err->text),
				 "not enough free resources for the request in one connected part of the fabric");
		errno = EAGAIN;
	}
	_arena_reset(&c);
	free(c.cap);
	free(p.node);
	free(p.gpus);
	free(c.best_node);
	free(c.best_gpus);
	return rc;
}
