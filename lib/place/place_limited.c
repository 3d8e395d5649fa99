/*****************************************************************************\
 *  place_limited.c - exact evaluation of one candidate top block under a
 *  limit on the nodes (a GPU total on at most max_nodes nodes) or on the
 *  leaf switches (--switches) of the placement.
 *
 *  The programme of place_knapsack.c keeps one best key per unit count.
 *  Under a limit the best allowed pick may need a worse key that uses
 *  fewer of the limited blocks (a second leaf to use fewer nodes, a second
 *  pod to use fewer leaves), so this one keeps the best key for every
 *  (units, limited blocks) pair and takes the best within the limit. The
 *  driver runs it only for a candidate whose best pick breaks the limit:
 *  requests whose limit does not bind cost nothing more.
 *
 *  Cost: per merge, (units x counts) of the block times those of the kid.
 *  Past TP_LIMITED_MAX_OPS the candidate is given up (no placement there)
 *  rather than hold slurmctld's locks for seconds.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <string.h>

#include "place_search_private.h"

#define TP_LIMITED_MAX_OPS 200000000L

typedef struct _ldp {
	int block;
	int cap;		/* units, at most D */
	int lim;		/* limited blocks used: 0..lim */
	tp_key_t *tab;		/* tab[x * (lim + 1) + m] */
	int nkids;
	struct _ldp **kids;
	int **take;		/* per kid and cell: units * (kid lim + 1)
				 * + count taken from it, -1 for none */
	int *mdim;		/* per kid: counts of its take table - 1 */
} _ldp_t;

typedef struct {
	tp_search_t *c;
	int level;		/* TP_LVL_NODE or TP_LVL_LEAF */
	int limit;
	int nk;			/* key entries in use */
	long ops;
} _lim_t;

static inline bool _inf(const tp_key_t *k)
{
	return k->v[0] == TP_KEY_INF;
}

static tp_key_t *_table(tp_search_t *c, int cap, int lim)
{
	size_t n = (size_t) (cap + 1) * (lim + 1);
	tp_key_t *t = tp_search_alloc(c, sizeof(tp_key_t) * n);

	if (!t)
		return NULL;
	memset(t, 0, sizeof(tp_key_t) * n);
	for (size_t i = 1; i < n; i++)
		t[i].v[0] = TP_KEY_INF;
	return t;
}

static _ldp_t *_node(_lim_t *L, _ldp_t *d, int n)
{
	tp_search_t *c = L->c;
	int gpus, u = tp_search_units(c, n, &gpus);

	d->cap = u < d->cap ? u : d->cap;
	d->lim = L->level == TP_LVL_NODE ? 1 : 0;
	if (!(d->tab = _table(c, d->cap, d->lim)))
		return NULL;
	for (int x = 1; x <= d->cap; x++) {
		tp_key_t *k = &d->tab[x * (d->lim + 1) + d->lim];

		*k = (tp_key_t) { { 0 } };
		k->v[tp_kpos(c->top, TP_LVL_NODE, false)] = 1;
		k->v[tp_kpos(c->top, TP_LVL_NODE, true)] =
			(uint32_t) c->s->free_gpus[n];
	}
	return d;
}

/* Merge kid k into cur (reach units, mreach counts so far) for block d. */
static int _merge(_lim_t *L, _ldp_t *d, const _ldp_t *k, tp_key_t **cur,
		  int *reach, int *mreach)
{
	tp_search_t *c = L->c;
	int nr = *reach + k->cap < d->cap ? *reach + k->cap : d->cap;
	int nm = *mreach + k->lim < L->limit ? *mreach + k->lim : L->limit;
	tp_key_t *nxt = _table(c, nr, nm);
	int *take = tp_search_alloc(c, sizeof(int) * (nr + 1) * (nm + 1));

	L->ops += (long) (nr + 1) * (nm + 1) * k->cap * (k->lim + 1);
	if (!nxt || !take || L->ops > TP_LIMITED_MAX_OPS)
		return -1;
	for (int u = 0; u <= nr; u++)
		for (int m = 0; m <= nm; m++) {
			tp_key_t *best = &nxt[u * (nm + 1) + m];
			int *t = &take[u * (nm + 1) + m];

			*t = -1;
			if (u <= *reach && m <= *mreach) {
				*best = (*cur)[u * (*mreach + 1) + m];
				*t = 0;
			}
			for (int x = 1; x <= k->cap && x <= u; x++)
				for (int j = 0; j <= k->lim && j <= m; j++) {
					const tp_key_t *a, *b;
					tp_key_t sum;

					if (u - x > *reach || m - j > *mreach)
						continue;
					a = &(*cur)[(u - x) * (*mreach + 1) +
						    m - j];
					b = &k->tab[x * (k->lim + 1) + j];
					if (_inf(a) || _inf(b))
						continue;
					for (int i = 0; i < L->nk; i++)
						sum.v[i] = a->v[i] + b->v[i];
					if (_inf(best) ||
					    tp_key_cmp(&sum, best, L->nk) < 0) {
						*best = sum;
						*t = x * (k->lim + 1) + j;
					}
				}
		}
	d->take[d->nkids] = take;
	d->mdim[d->nkids] = nm;
	*cur = nxt;
	*reach = nr;
	*mreach = nm;
	return 0;
}

static _ldp_t *_dp(_lim_t *L, int b)
{
	tp_search_t *c = L->c;
	const tp_block_t *blk = &c->f->blocks[b];
	int cap = tp_search_cap(c, b), reach = 0, mreach = 0;
	_ldp_t *d = tp_search_alloc(c, sizeof(*d));
	tp_key_t *cur;

	if (!d)
		return NULL;
	memset(d, 0, sizeof(*d));
	d->block = b;
	d->cap = cap < c->D ? cap : c->D;
	if (blk->level == TP_LVL_NODE)
		return _node(L, d, blk->id);
	d->kids = tp_search_alloc(c, sizeof(_ldp_t *) * blk->nchildren);
	d->take = tp_search_alloc(c, sizeof(int *) * blk->nchildren);
	d->mdim = tp_search_alloc(c, sizeof(int) * blk->nchildren);
	if (!d->kids || !d->take || !d->mdim || !(cur = _table(c, 0, 0)))
		return NULL;
	for (int i = 0; i < blk->nchildren; i++) {
		int kb = c->f->child_list[blk->first_child + i];
		_ldp_t *k;

		if (tp_search_cap(c, kb) <= 0)
			continue;
		if (!(k = _dp(L, kb)))
			return NULL;
		if (k->cap <= 0)
			continue;
		if (_merge(L, d, k, &cur, &reach, &mreach))
			return NULL;
		d->kids[d->nkids++] = k;
	}
	d->cap = reach;
	d->lim = mreach;
	d->tab = cur;
	if (blk->level == L->level) {
		/* Below it nothing is counted: x units use this one block. */
		if (!(d->tab = _table(c, reach, 1)))
			return NULL;
		for (int x = 1; x <= reach; x++)
			d->tab[x * 2 + 1] = cur[x];
		d->lim = 1;
	}
	if (blk->level < c->top)
		for (int x = 1; x <= d->cap; x++)
			for (int m = 0; m <= d->lim; m++) {
				tp_key_t *k = &d->tab[x * (d->lim + 1) + m];

				if (_inf(k))
					continue;
				k->v[tp_kpos(c->top, blk->level, false)] += 1;
				k->v[tp_kpos(c->top, blk->level, true)] +=
					c->s->block_free[b];
			}
	return d;
}

static void _collect(const _lim_t *L, const _ldp_t *d, int x, int m,
		     tp_pick_t *p)
{
	const tp_search_t *c = L->c;
	const tp_block_t *blk = &c->f->blocks[d->block];

	if (blk->level == TP_LVL_NODE) {
		tp_pick_units(c, p, blk->id, x);
		return;
	}
	if (blk->level == L->level)
		m = 0;		/* the merged table, before the shift */
	/* Kids were merged in order: undo the merges last to first. */
	for (int i = d->nkids - 1; i >= 0 && x > 0; i--) {
		const _ldp_t *k = d->kids[i];
		int t = d->take[i][x * (d->mdim[i] + 1) + m];
		int tx = t > 0 ? t / (k->lim + 1) : 0;
		int tm = t > 0 ? t % (k->lim + 1) : 0;

		if (tx > 0) {
			_collect(L, k, tx, tm, p);
			x -= tx;
			m -= tm;
		}
	}
}

extern void tp_limited_eval(tp_search_t *c, int b, int level, int limit,
			    const int *fit, int nfit, tp_pick_t *p)
{
	_lim_t L = { .c = c, .level = level, .limit = limit,
		     .nk = 2 * c->top };
	_ldp_t *d = _dp(&L, b);
	int best = -1;

	if (!d || d->cap < c->D)
		return;
	for (int m = 0; m <= d->lim; m++) {
		const tp_key_t *k = &d->tab[c->D * (d->lim + 1) + m];

		if (!_inf(k) &&
		    (best < 0 ||
		     tp_key_cmp(k, &d->tab[c->D * (d->lim + 1) + best],
				L.nk) < 0))
			best = m;
	}
	if (best < 0)
		return;
	p->count = 0;
	_collect(&L, d, c->D, best, p);
	tp_search_offer(c, &d->tab[c->D * (d->lim + 1) + best], fit, nfit,
			p);
}
