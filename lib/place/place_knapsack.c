/*****************************************************************************\
 *  place_knapsack.c - exact evaluation of one candidate top block.
 *
 *  For every block below the candidate and every number of units x it
 *  could give, tab[x] is the best key for taking exactly x units there. A
 *  node gives 1..its units; a block merges its children one by one as a
 *  min-plus knapsack and adds itself once (count 1, its free GPUs). Keys
 *  only grow when units are added, so the table of the candidate at D is
 *  the optimum of both (a) and (b) inside it.
 *
 *  With node costs (preemption planning), a node's fit is its cost and
 *  blocks add none, so the same programme finds the cheapest placement
 *  among the most compact ones.
 *
 *  Cost: per block, children x units x units per child (units capped at
 *  D). The driver uses the flat fast paths where they are exact and this
 *  programme where NVLink domains hold several nodes or the tree has more
 *  levels.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <string.h>

#include "place_search_private.h"

typedef struct _dp {
	int block;
	int cap;		/* units the block can give, at most D */
	tp_key_t *tab;		/* tab[x]: best key for exactly x units */
	int nkids;
	struct _dp **kids;
	int **choice;		/* choice[i][u]: units taken from kid i */
} _dp_t;

static void _node_table(tp_search_t *c, _dp_t *d, int n)
{
	int gpus, u = tp_search_units(c, n, &gpus);

	d->cap = u < d->cap ? u : d->cap;
	for (int x = 1; x <= d->cap; x++) {
		d->tab[x].v[tp_kpos(c->top, TP_LVL_NODE, false)] = 1;
		d->tab[x].v[tp_kpos(c->top, TP_LVL_NODE, true)] =
			c->node_cost ? c->node_cost[n * c->cost_width + x] :
			(uint32_t) c->s->free_gpus[n];
	}
}

/* Merge kid k into cur (units 0..reach so far). RET the new reach. */
static int _merge(tp_search_t *c, _dp_t *d, const _dp_t *k, tp_key_t *cur,
		  tp_key_t *nxt, int reach)
{
	int nk = 2 * c->top;
	int *ch = tp_search_alloc(c, sizeof(int) * (d->cap + 1));

	memcpy(nxt, cur, sizeof(tp_key_t) * (d->cap + 1));
	memset(ch, 0, sizeof(int) * (d->cap + 1));
	reach = reach + k->cap < d->cap ? reach + k->cap : d->cap;
	for (int u = 1; u <= reach; u++) {
		int xmax = u < k->cap ? u : k->cap;

		for (int x = 1; x <= xmax; x++) {
			tp_key_t sum;

			if (cur[u - x].v[0] == TP_KEY_INF)
				continue;
			for (int i = 0; i < nk; i++)
				sum.v[i] = cur[u - x].v[i] + k->tab[x].v[i];
			if (tp_key_cmp(&sum, &nxt[u], nk) < 0) {
				nxt[u] = sum;
				ch[u] = x;
			}
		}
	}
	memcpy(cur, nxt, sizeof(tp_key_t) * (d->cap + 1));
	d->choice[d->nkids] = ch;
	return reach;
}

static _dp_t *_dp(tp_search_t *c, int b)
{
	const tp_block_t *blk = &c->f->blocks[b];
	int cap = tp_search_cap(c, b), reach = 0;
	_dp_t *d = tp_search_alloc(c, sizeof(*d));
	tp_key_t *cur, *nxt;

	d->block = b;
	d->cap = cap < c->D ? cap : c->D;
	d->nkids = 0;
	d->tab = tp_search_alloc(c, sizeof(tp_key_t) * (d->cap + 1));
	memset(d->tab, 0, sizeof(tp_key_t) * (d->cap + 1));
	if (blk->level == TP_LVL_NODE) {
		_node_table(c, d, blk->id);
		return d;
	}
	d->kids = tp_search_alloc(c, sizeof(_dp_t *) * blk->nchildren);
	d->choice = tp_search_alloc(c, sizeof(int *) * blk->nchildren);
	cur = tp_search_alloc(c, sizeof(tp_key_t) * (d->cap + 1));
	nxt = tp_search_alloc(c, sizeof(tp_key_t) * (d->cap + 1));
	memset(cur, 0, sizeof(tp_key_t));
	for (int x = 1; x <= d->cap; x++)
		cur[x].v[0] = TP_KEY_INF;
	for (int i = 0; i < blk->nchildren; i++) {
		int kb = c->f->child_list[blk->first_child + i];
		_dp_t *k;

		if (tp_search_cap(c, kb) <= 0)
			continue;
		k = _dp(c, kb);
		if (k->cap <= 0)
			continue;
		reach = _merge(c, d, k, cur, nxt, reach);
		d->kids[d->nkids++] = k;
	}
	d->cap = reach;
	memcpy(d->tab, cur, sizeof(tp_key_t) * (d->cap + 1));
	if (blk->level < c->top) {
		/* The block itself counts once wherever it is used. */
		for (int x = 1; x <= d->cap; x++) {
			d->tab[x].v[tp_kpos(c->top, blk->level, false)] += 1;
			d->tab[x].v[tp_kpos(c->top, blk->level, true)] +=
				c->node_cost ? 0 : c->s->block_free[b];
		}
	}
	return d;
}

static void _collect(const tp_search_t *c, const _dp_t *d, int x,
		     tp_pick_t *p)
{
	const tp_block_t *blk = &c->f->blocks[d->block];

	if (blk->level == TP_LVL_NODE) {
		tp_pick_units(c, p, blk->id, x);
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

extern void tp_knapsack_eval(tp_search_t *c, int b, const int *fit,
			     int nfit, tp_pick_t *p)
{
	_dp_t *d = _dp(c, b);

	if (d->cap < c->D || d->tab[c->D].v[0] == TP_KEY_INF)
		return;
	p->count = 0;
	_collect(c, d, c->D, p);
	tp_search_offer(c, &d->tab[c->D], fit, nfit, p);
}
