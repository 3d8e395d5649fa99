/*****************************************************************************\
 *  place_group.c - exact fast path for a candidate spine group (top level
 *  one above the leaves).
 *
 *  (a) there is: the fewest leaves k (largest capacities first), then the
 *  fewest NVLink domain pieces, then the fewest nodes. See each leaf as a
 *  bag of items:
 *   - per-node form: an item is a piece, of as many units as it has
 *     eligible nodes; the node count is fixed, so (a) is (k, items);
 *   - total form on single-node pieces: an item is a node, of as many units
 *     as its usable GPUs; pieces = nodes, so (a) is again (k, items).
 *  The fewest items any k leaves need is bounded below by the fewest items
 *  of the whole group; the k richest leaves that can still complete a
 *  cover bound it above. When both meet, that pick is optimal. Otherwise a
 *  programme over (leaves used <= k, items used) -> most units finds it,
 *  over only the leaves that can belong to some k-leaf cover; each leaf
 *  offers its richest items first, which is all a leaf can do best.
 *
 *  Total form with multi-node pieces: items are pieces, of their usable
 *  GPUs, and (a) is (k, pieces, nodes). Only the bound is tried: it must
 *  meet the group's fewest pieces and its fewest nodes; if not, the exact
 *  knapsack decides.
 *
 *  Per-node form on single-node pieces needs no search below k: the
 *  fullest leaves that keep a k-leaf cover possible, tightest nodes first.
 *  Fit (b) is best effort here: tightest leaves, items and nodes first.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE		/* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "place_search_private.h"

typedef struct {
	int block;		/* piece block (per-node) or -1 (node) */
	int units;
	int free;
	int order;
	tp_cnode_t node;	/* total form: the node */
} _item_t;

typedef struct {
	int block;
	int cap;
	bool used;
	int *hist;		/* items by units, 1..G */
	int n;			/* items, when listed */
	_item_t *items;		/* richest first */
} _leaf_t;

typedef struct {
	tp_search_t *c;
	_leaf_t *leaf;
	int n;			/* leaves that can give something */
	int k;			/* fewest leaves that reach D */
	int G;			/* largest item */
	bool pieces;		/* items are pieces, else nodes */
	tp_key_t key;
	tp_pick_t *p;
} _group_t;

/*****************************************************************************\
 *  Leaves and items
\*****************************************************************************/

static bool _tighter_leaf(const tp_search_t *c, const _leaf_t *a,
			  const _leaf_t *b)
{
	int fa = c->s->block_free[a->block], fb = c->s->block_free[b->block];

	return fa < fb || (fa == fb && a->block < b->block);
}

static int _cap_desc(const void *a, const void *b)
{
	const _leaf_t *x = a, *y = b;

	if (x->cap != y->cap)
		return x->cap > y->cap ? -1 : 1;
	return (x->block > y->block) - (x->block < y->block);
}

static int _tight_leaf_cmp(const void *a, const void *b, void *arg)
{
	if (_tighter_leaf(arg, a, b))
		return -1;
	return _tighter_leaf(arg, b, a) ? 1 : 0;
}

static int _rich_item_cmp(const void *a, const void *b)
{
	const _item_t *x = a, *y = b;

	if (x->units != y->units)
		return x->units > y->units ? -1 : 1;
	if (x->free != y->free)
		return x->free < y->free ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* Leaves of group b that can give something, largest first, and the
 * fewest that reach D. RET false when they cannot. */
static bool _group_leaves(_group_t *g, int b)
{
	tp_search_t *c = g->c;
	const tp_block_t *blk = &c->f->blocks[b];
	int sum = 0;

	g->leaf = tp_search_alloc(c, sizeof(_leaf_t) * (blk->nchildren + 1));
	g->n = 0;
	for (int i = 0; i < blk->nchildren; i++) {
		int kb = c->f->child_list[blk->first_child + i];
		int cap = tp_search_cap(c, kb);

		if (cap > 0)
			g->leaf[g->n++] = (_leaf_t) { .block = kb,
						      .cap = cap };
	}
	qsort(g->leaf, g->n, sizeof(_leaf_t), _cap_desc);
	for (g->k = 0; g->k < g->n && sum < c->D; g->k++)
		sum += g->leaf[g->k].cap;
	return sum >= c->D;
}

static int *_units_hist(_group_t *g, int b, bool pieces, int G);

/* Items of a leaf by units. */
static void _leaf_hist(_group_t *g, _leaf_t *l)
{
	l->hist = _units_hist(g, l->block, g->pieces, g->G);
}

/* Items (pieces, or nodes) of block b by units 1..G. */
static int *_units_hist(_group_t *g, int b, bool pieces, int G)
{
	tp_search_t *c = g->c;
	const tp_block_t *blk = &c->f->blocks[b];
	int *h = tp_search_alloc(c, sizeof(int) * (G + 1)), gpus;

	memset(h, 0, sizeof(int) * (G + 1));
	if (pieces) {
		for (int i = 0; i < blk->nchildren; i++) {
			int u = tp_search_cap(c, c->f->child_list[
						blk->first_child + i]);

			if (u > 0)
				h[u < G ? u : G]++;
		}
	} else if (c->cap || c->req->exclusive) {
		for (int o = blk->lo; o < blk->hi; o++)
			h[tp_search_units(c, c->f->order_node[o], &gpus)]++;
		h[0] = 0;
	} else {
		for (int f = 1; f < c->s->hist_width; f++)
			h[f < G ? f : G] += c->s->hist[
				(size_t) b * c->s->hist_width + f];
	}
	return h;
}

static void _leaf_items(_group_t *g, _leaf_t *l)
{
	tp_search_t *c = g->c;
	const tp_block_t *blk = &c->f->blocks[l->block];

	l->n = 0;
	if (g->pieces) {
		l->items = tp_search_alloc(c, sizeof(_item_t) *
					   (blk->nchildren + 1));
		for (int i = 0; i < blk->nchildren; i++) {
			int pb = c->f->child_list[blk->first_child + i];
			int u = tp_search_cap(c, pb);

			if (u > 0)
				l->items[l->n++] = (_item_t) {
					.block = pb,
					.units = u < g->G ? u : g->G,
					.free = c->s->block_free[pb],
					.order = c->f->blocks[pb].lo };
		}
	} else {
		tp_cnode_t *v;
		int n = tp_block_nodes(c, l->block, true, &v);

		l->items = tp_search_alloc(c, sizeof(_item_t) * (n + 1));
		for (int i = 0; i < n; i++)
			l->items[l->n++] = (_item_t) { .block = -1,
						       .units = v[i].units,
						       .free = v[i].free,
						       .order = v[i].order,
						       .node = v[i] };
	}
	qsort(l->items, l->n, sizeof(_item_t), _rich_item_cmp);
}

/* Fewest items of a histogram that give D; -1 when they cannot. */
static int _fewest(const int *h, int G, int D)
{
	int n = 0;

	for (int u = G; u >= 1 && D > 0; u--) {
		if ((long) h[u] * u >= D)
			return n + (D + u - 1) / u;
		n += h[u];
		D -= h[u] * u;
	}
	return D > 0 ? -1 : n;
}

/*****************************************************************************\
 *  Picking
\*****************************************************************************/

/* Take units from item it (of leaf l): a piece's tightest nodes, or the
 * node itself. */
static void _take_item(_group_t *g, const _item_t *it, int units)
{
	tp_search_t *c = g->c;

	tp_key_count(c, &g->key, TP_LVL_DOMAIN, it->free);
	if (!g->pieces) {
		tp_pick_node(c, &g->key, g->p, &it->node, units);
	} else if (c->per_node) {
		tp_cnode_t *v;

		tp_block_nodes(c, it->block, false, &v);
		for (int i = 0; i < units; i++)
			tp_pick_node(c, &g->key, g->p, &v[i], 1);
	} else {
		/* GPUs from a piece: its richest nodes, fewest of them */
		tp_cnode_t *v;

		tp_block_nodes(c, it->block, true, &v);
		for (int i = 0; units > 0; i++) {
			int u = v[i].units < units ? v[i].units : units;

			tp_pick_node(c, &g->key, g->p, &v[i], u);
			units -= u;
		}
	}
}

/* Take the richest of the given items until one more would do, then the
 * tightest item that completes D. */
static void _take_richest(_group_t *g, _item_t *v, int m)
{
	int sum = 0, j = 0, last = -1;

	qsort(v, m, sizeof(*v), _rich_item_cmp);
	while (j < m && sum + v[j].units < g->c->D)
		sum += v[j++].units;
	for (int i = j; i < m; i++)
		if (sum + v[i].units >= g->c->D &&
		    (last < 0 || v[i].free < v[last].free ||
		     (v[i].free == v[last].free &&
		      v[i].order < v[last].order)))
			last = i;
	if (last < 0)
		return;
	for (int i = 0; i < j; i++)
		_take_item(g, &v[i], v[i].units);
	_take_item(g, &v[last], g->c->D - sum);
}

static void _count_leaf(_group_t *g, const _leaf_t *l)
{
	tp_key_count(g->c, &g->key, TP_LVL_LEAF,
		     g->c->s->block_free[l->block]);
}

/*
 * Fill one of slot remaining slots: the unused leaf preferred by better()
 * among those that still let the other slot-1 slots reach need with the
 * largest unused leaves (leaves are in capacity order). RET its index, or
 * -1.
 */
static int _next_slot(const _group_t *g, int slot, int need,
		      bool (*better)(const _group_t *, const _leaf_t *,
				     const _leaf_t *))
{
	int rest = 0, next = 0, seen = 0, best = -1;

	/* largest slot-1 unused capacities, and the one after */
	for (int i = 0; i < g->n && seen < slot; i++) {
		if (g->leaf[i].used)
			continue;
		if (seen++ < slot - 1)
			rest += g->leaf[i].cap;
		else
			next = g->leaf[i].cap;
	}
	seen = 0;
	for (int i = 0; i < g->n; i++) {
		int others = rest;

		if (g->leaf[i].used)
			continue;
		/* a leaf among the largest cannot count itself */
		if (seen++ < slot - 1)
			others = rest - g->leaf[i].cap + next;
		if (g->leaf[i].cap + others < need)
			continue;
		if (best < 0 || better(g, &g->leaf[i], &g->leaf[best]))
			best = i;
	}
	return best;
}

static bool _fuller(const _group_t *g, const _leaf_t *a, const _leaf_t *b)
{
	return _tighter_leaf(g->c, a, b);
}

/*****************************************************************************\
 *  Per-node form, single-node pieces
\*****************************************************************************/

/*
 * Fill k slots, each time with the fullest leaf (fewest free GPUs) that
 * still lets the remaining slots finish with the largest unused leaves;
 * inside it the tightest nodes.
 */
static void _fullest_leaves(_group_t *g)
{
	tp_search_t *c = g->c;
	int need = c->D;

	for (int slot = g->k; slot > 0 && need > 0; slot--) {
		int best = _next_slot(g, slot, need, _fuller);
		tp_cnode_t *v;

		if (best < 0)
			return;
		g->leaf[best].used = true;
		_count_leaf(g, &g->leaf[best]);
		tp_block_nodes(c, g->leaf[best].block, false, &v);
		for (int i = 0; i < g->leaf[best].cap && need > 0; i++) {
			tp_key_count(c, &g->key, TP_LVL_DOMAIN, v[i].free);
			tp_pick_node(c, &g->key, g->p, &v[i], 1);
			need--;
		}
	}
}

/*****************************************************************************\
 *  Items: bound, then programme
\*****************************************************************************/

static bool _richer(const _group_t *g, const _leaf_t *a, const _leaf_t *b)
{
	for (int u = g->G; u >= 1; u--)
		if (a->hist[u] != b->hist[u])
			return a->hist[u] > b->hist[u];
	return _tighter_leaf(g->c, a, b);
}

/* The k richest leaves that keep a cover possible. RET true (and the
 * pick made) when they need no more items than the whole group. */
static bool _bound_pick(_group_t *g)
{
	tp_search_t *c = g->c;
	int *all = tp_search_alloc(c, sizeof(int) * (g->G + 1));
	int *mine = tp_search_alloc(c, sizeof(int) * (g->G + 1));
	int needcap = c->D, m = 0;
	_item_t *v;

	memset(all, 0, sizeof(int) * (g->G + 1));
	memset(mine, 0, sizeof(int) * (g->G + 1));
	for (int i = 0; i < g->n; i++) {
		_leaf_hist(g, &g->leaf[i]);
		for (int u = 1; u <= g->G; u++)
			all[u] += g->leaf[i].hist[u];
	}
	for (int slot = g->k; slot > 0; slot--) {
		int best = _next_slot(g, slot, needcap, _richer);

		if (best < 0)
			return false;
		g->leaf[best].used = true;
		needcap -= g->leaf[best].cap;
		for (int u = 1; u <= g->G; u++)
			mine[u] += g->leaf[best].hist[u];
	}
	if (_fewest(mine, g->G, c->D) != _fewest(all, g->G, c->D))
		return false;

	for (int i = 0; i < g->n; i++)
		if (g->leaf[i].used)
			m += g->leaf[i].cap;
	v = tp_search_alloc(c, sizeof(_item_t) * (m + 1));
	m = 0;
	for (int i = 0; i < g->n; i++) {
		if (!g->leaf[i].used)
			continue;
		_count_leaf(g, &g->leaf[i]);
		_leaf_items(g, &g->leaf[i]);
		memcpy(v + m, g->leaf[i].items, sizeof(_item_t) *
		       g->leaf[i].n);
		m += g->leaf[i].n;
	}
	_take_richest(g, v, m);
	return true;
}

/* Can leaf i (in capacity order) be one of k leaves reaching D? */
static bool _in_some_cover(const _group_t *g, int i)
{
	int rest = 0;

	for (int j = 0, m = 0; m < g->k - 1; j++) {
		if (j == i)
			continue;
		rest += g->leaf[j].cap;
		m++;
	}
	return g->leaf[i].cap + rest >= g->c->D;
}

/*
 * best[l][j]: most units (capped at D) from l leaves and j items, each
 * leaf giving its richest items first; the answer is the fewest j with
 * best[k][j] = D. J bounds j by what the k largest leaves need.
 */
static void _programme(_group_t *g)
{
	tp_search_t *c = g->c;
	int k = g->k, J, W, m = 0, jbest = -1, l, j;
	int *best, *top = tp_search_alloc(c, sizeof(int) * (g->G + 1));
	uint16_t **choice;
	_leaf_t *cand = tp_search_alloc(c, sizeof(_leaf_t) * (g->n + 1));

	memset(top, 0, sizeof(int) * (g->G + 1));
	for (int i = 0; i < k; i++)
		for (int u = 1; u <= g->G; u++)
			top[u] += g->leaf[i].hist[u];
	J = _fewest(top, g->G, c->D);
	W = (k + 1) * (J + 1);
	for (int i = 0; i < g->n; i++) {
		if (!_in_some_cover(g, i))
			continue;
		cand[m] = g->leaf[i];
		_leaf_items(g, &cand[m++]);
	}
	qsort_r(cand, m, sizeof(*cand), _tight_leaf_cmp, c);
	best = tp_search_alloc(c, sizeof(int) * W);
	choice = tp_search_alloc(c, sizeof(uint16_t *) * (m + 1));
	for (int i = 0; i < W; i++)
		best[i] = -1;
	best[0] = 0;
	for (int x = 0; x < m; x++) {
		const _leaf_t *lf = &cand[x];
		int most = lf->n < J ? lf->n : J;
		int *pre = tp_search_alloc(c, sizeof(int) * (most + 1));

		choice[x] = tp_search_alloc(c, sizeof(uint16_t) * W);
		memset(choice[x], 0, sizeof(uint16_t) * W);
		pre[0] = 0;
		for (int i = 1; i <= most; i++)
			pre[i] = pre[i - 1] + lf->items[i - 1].units;
		/* l downwards so that this leaf is used at most once */
		for (l = (x < k ? x : k - 1); l >= 0; l--) {
			for (j = 0; j < J; j++) {
				int base = best[l * (J + 1) + j];

				if (base < 0 || base >= c->D)
					continue;
				for (int i = 1; i <= most && j + i <= J; i++) {
					int v = base + pre[i];
					int at = (l + 1) * (J + 1) + j + i;

					v = v < c->D ? v : c->D;
					if (v > best[at]) {
						best[at] = v;
						choice[x][at] = i;
					}
					if (v == c->D)
						break;
				}
			}
		}
	}
	for (j = 0; j <= J && jbest < 0; j++)
		if (best[k * (J + 1) + j] >= c->D)
			jbest = j;
	if (jbest < 0)
		return;
	/* Walk back through the leaves; every leaf's share is its richest
	 * items, the surplus left on the smallest one. */
	{
		_item_t *v = tp_search_alloc(c, sizeof(_item_t) * (J + 1));
		int nv = 0;

		l = k;
		j = jbest;
		for (int x = m - 1; x >= 0 && l > 0; x--) {
			int i = choice[x][l * (J + 1) + j];

			if (!i)
				continue;
			_count_leaf(g, &cand[x]);
			memcpy(v + nv, cand[x].items, sizeof(_item_t) * i);
			nv += i;
			l--;
			j -= i;
		}
		_take_richest(g, v, nv);
	}
}

extern bool tp_group_eval(tp_search_t *c, int b, const int *fit, int nfit,
			  tp_pick_t *p)
{
	_group_t g = { .c = c, .p = p };
	const tp_fabric_t *f = c->f;
	bool flat = f->blocks[b].flat;

	p->count = 0;
	if (!_group_leaves(&g, b))
		return true;
	if (c->per_node && flat) {
		_fullest_leaves(&g);
	} else if (c->per_node || flat) {
		g.pieces = c->per_node;
		g.G = c->per_node ? f->level_max_nodes[TP_LVL_DOMAIN] :
			f->max_gpus;
		g.G = g.G < c->D ? g.G : c->D;
		if (!_bound_pick(&g))
			_programme(&g);
	} else {
		int G = f->max_gpus < c->D ? f->max_gpus : c->D;
		int fewest = _fewest(_units_hist(&g, b, false, G), G, c->D);

		g.pieces = true;
		g.G = f->level_max_gpus[TP_LVL_DOMAIN];
		g.G = g.G < c->D ? g.G : c->D;
		if (!_bound_pick(&g) ||
		    g.key.v[tp_kpos(c->top, TP_LVL_NODE, false)] !=
		    (uint32_t) fewest)
			return false;
	}
	if (p->count)
		tp_search_offer(c, &g.key, fit, nfit, p);
	return true;
}
