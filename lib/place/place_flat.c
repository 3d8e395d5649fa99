/*****************************************************************************\
 *  place_flat.c - exact fast path for a candidate leaf whose NVLink domain
 *  pieces are all single nodes (HGX-style servers).
 *
 *  There the piece count equals the node count, so (a) is the node count.
 *  Per-node form: it is fixed, only fit matters: the tightest nodes.
 *  Total form: the fewest nodes, reached by the nodes with the most usable
 *  GPUs; the last one is the tightest node that completes the request.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "place_search_private.h"

static void _take(tp_search_t *c, tp_key_t *key, tp_pick_t *p,
		  const tp_cnode_t *nd, int units)
{
	tp_key_count(c, key, TP_LVL_DOMAIN, nd->free);
	tp_pick_node(c, key, p, nd, units);
}

static void _total_leaf(tp_search_t *c, const tp_cnode_t *v, int n,
			tp_key_t *key, tp_pick_t *p)
{
	int sum = 0, j = 0, last = -1;

	while (j < n && sum + v[j].units < c->D)
		sum += v[j++].units;
	if (j == n)
		return;
	for (int i = j; i < n; i++)
		if (sum + v[i].units >= c->D &&
		    (last < 0 || tp_cnode_cmp(&v[i], &v[last], false) < 0))
			last = i;
	for (int i = 0; i < j; i++)
		_take(c, key, p, &v[i], v[i].units);
	_take(c, key, p, &v[last], c->D - sum);
}

extern void tp_flat_leaf_eval(tp_search_t *c, int b, const int *fit,
			      int nfit, tp_pick_t *p)
{
	tp_key_t key = { { 0 } };
	tp_cnode_t *v;
	int n = tp_block_nodes(c, b, !c->per_node, &v);

	p->count = 0;
	if (c->per_node) {
		if (n < c->D)
			return;
		for (int i = 0; i < c->D; i++)
			_take(c, &key, p, &v[i], 1);
	} else {
		_total_leaf(c, v, n, &key, p);
		if (!p->count)
			return;
	}
	tp_search_offer(c, &key, fit, nfit, p);
}
