/*****************************************************************************\
 *  place_nodes.c - the eligible nodes of a block in the orders the fast
 *  evaluators take them, and adding picks to a key.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdlib.h>

#include "place_search_private.h"

static int _tight_cmp(const void *a, const void *b)
{
	const tp_cnode_t *x = a, *y = b;

	if (x->free != y->free)
		return x->free < y->free ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static int _rich_cmp(const void *a, const void *b)
{
	const tp_cnode_t *x = a, *y = b;

	if (x->units != y->units)
		return x->units > y->units ? -1 : 1;
	return _tight_cmp(a, b);
}

extern int tp_cnode_cmp(const tp_cnode_t *a, const tp_cnode_t *b, bool rich)
{
	return rich ? _rich_cmp(a, b) : _tight_cmp(a, b);
}

extern int tp_block_nodes(tp_search_t *c, int b, bool rich, tp_cnode_t **out)
{
	const tp_block_t *blk = &c->f->blocks[b];
	tp_cnode_t *v = tp_search_alloc(c, sizeof(tp_cnode_t) *
					(blk->hi - blk->lo + 1));
	int n = 0;

	for (int o = blk->lo; o < blk->hi; o++) {
		int node = c->f->order_node[o], gpus;
		int u = tp_search_units(c, node, &gpus);

		if (u)
			v[n++] = (tp_cnode_t) { node, u, gpus,
						c->s->free_gpus[node], o };
	}
	qsort(v, n, sizeof(*v), rich ? _rich_cmp : _tight_cmp);
	*out = v;
	return n;
}

extern void tp_key_count(const tp_search_t *c, tp_key_t *key, int level,
			 int free)
{
	key->v[tp_kpos(c->top, level, false)]++;
	key->v[tp_kpos(c->top, level, true)] += free;
}

extern void tp_pick_node(tp_search_t *c, tp_key_t *key, tp_pick_t *p,
			 const tp_cnode_t *nd, int units)
{
	p->node[p->count] = nd->node;
	p->gpus[p->count++] = (c->per_node || c->req->exclusive) ?
		nd->gpus : units;
	tp_key_count(c, key, TP_LVL_NODE, nd->free);
}

extern void tp_pick_units(const tp_search_t *c, tp_pick_t *p, int n, int x)
{
	int gpus;

	tp_search_units(c, n, &gpus);
	p->node[p->count] = n;
	p->gpus[p->count++] = (c->per_node || c->req->exclusive) ? gpus : x;
}
