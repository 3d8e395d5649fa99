/*****************************************************************************\
 *  place_search_private.h - what topopack's placement search shares between the
 *  driver (place_topopack.c) and the evaluators of one candidate top
 *  block: the exact knapsack (place_knapsack.c), the fast path for a leaf
 *  whose NVLink domain pieces are single nodes (place_flat.c) and the one
 *  for a spine group (place_group.c).
 *
 *  Keys: for a top block of level t, v[t - 1 - l] counts the blocks used at
 *  level l < t and v[2t - 1 - l] sums their free GPUs, so comparing v
 *  lexicographically compares (a) compactness top down, then (b) fit.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_PLACE_SEARCH_PRIVATE_H
#define _TOPOPACK_PLACE_SEARCH_PRIVATE_H

#include <setjmp.h>

#include "place_private.h"

#define TP_NKEY (2 * TP_MAX_LEVELS)
#define TP_KEY_INF UINT32_MAX

typedef struct {
	uint32_t v[TP_NKEY];
} tp_key_t;

/* Nodes picked by an evaluator, with the GPUs each gives. */
typedef struct {
	int count;
	int *node;
	int *gpus;
} tp_pick_t;

typedef struct tp_chunk tp_chunk_t;

typedef struct {
	const tp_state_t *s;
	const tp_fabric_t *f;
	const tp_request_t *req;
	bool per_node;		/* units are nodes, else GPUs */
	int need;		/* free GPUs a node needs (per-node form) */
	int D;			/* units wanted */
	int top;		/* level of the top block under evaluation */
	int *cap;		/* exact capacity per block, NULL: histograms */
	const uint32_t *node_cost; /* when set, the fit of a node giving
				    * x units is node_cost[node *
				    * cost_width + x] and blocks add none:
				    * keys are (a) then total cost */
	int cost_width;
	tp_chunk_t *arena;	/* scratch, freed after each candidate */
	jmp_buf *nomem;		/* set while tp_search_eval() runs */

	int broke;		/* the level whose limit the candidate's
				 * best pick broke (TP_LVL_NODE: max_nodes,
				 * TP_LVL_LEAF: max_leaves), or -1 */

	bool found;		/* best placement so far: */
	tp_key_t best_key;
	int best_fit[TP_MAX_LEVELS];
	int best_count;
	int *best_node, *best_gpus;
} tp_search_t;

/* Compare the first n entries of keys a and b lexicographically; the
 * smaller key is the better pick. RET -1, 0 or 1 */
static inline int tp_key_cmp(const tp_key_t *a, const tp_key_t *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a->v[i] != b->v[i])
			return a->v[i] < b->v[i] ? -1 : 1;
	return 0;
}

/* Index of the count (fit false) or free-GPU sum (fit true) of level lvl
 * in a key for a top block of level top. */
static inline int tp_kpos(int top, int lvl, bool fit)
{
	return (fit ? top : 0) + top - 1 - lvl;
}

/* Set up a search for req in s (exact capacities are counted once when
 * the histograms cannot give them); tp_search_fini() frees it.
 * RET 0, or -1 (ENOMEM) with nothing to free */
extern int tp_search_init(tp_search_t *c, const tp_state_t *s,
			  const tp_request_t *req);
extern void tp_search_fini(tp_search_t *c);

/*
 * Run one evaluation fn(c, arg) (the evaluators below, for one candidate)
 * and free its scratch memory. The evaluators allocate from the arena
 * alone and never check: running out of memory there jumps back here.
 * RET 0, or -1 (ENOMEM); the best placement so far is kept either way
 */
extern int tp_search_eval(tp_search_t *c,
			  void (*fn)(tp_search_t *c, void *arg), void *arg);

/* Scratch memory of the current candidate; inside tp_search_eval() it
 * never returns NULL. */
extern void *tp_search_alloc(tp_search_t *c, size_t n);

/* Units node n can give the request (0: not eligible); *gpus: the GPUs a
 * unit takes in the per-node form, or all the node's for exclusive use. */
extern int tp_search_units(const tp_search_t *c, int n, int *gpus);

/* Units block b can give, from the histograms or the exact scan. */
extern int tp_search_cap(const tp_search_t *c, int b);

/* Consider a complete pick for the candidate whose fit prefix is fit[nfit]:
 * kept when the request's limits allow it and it beats the best; when
 * they do not, c->broke says which limit it broke. */
extern void tp_search_offer(tp_search_t *c, const tp_key_t *key,
			    const int *fit, int nfit, const tp_pick_t *p);

/* An eligible node as the fast evaluators see it. */
typedef struct {
	int node;
	int units;		/* what it gives the request */
	int gpus;		/* GPUs a unit takes (per-node or exclusive) */
	int free;		/* free GPUs */
	int order;		/* placement order */
} tp_cnode_t;

/* Eligible nodes of block b, tightest first (fewest free GPUs) or, when
 * rich, most units first then tightest; in scratch memory. RET count. */
extern int tp_block_nodes(tp_search_t *c, int b, bool rich,
			  tp_cnode_t **out);
extern int tp_cnode_cmp(const tp_cnode_t *a, const tp_cnode_t *b, bool rich);

/* Count a block of level in key, with its free GPUs for fit. */
extern void tp_key_count(const tp_search_t *c, tp_key_t *key, int level,
			 int free);

/* Add node n giving x units to pick p: the GPUs a unit takes in the
 * per-node form or an exclusive request (tp_search_units()), else x. */
extern void tp_pick_units(const tp_search_t *c, tp_pick_t *p, int n, int x);

/* Add node nd giving units to pick p and count it in key. */
extern void tp_pick_node(tp_search_t *c, tp_key_t *key, tp_pick_t *p,
			 const tp_cnode_t *nd, int units);

/* Evaluators of one candidate top block b (level c->top). */
extern void tp_knapsack_eval(tp_search_t *c, int b, const int *fit,
			     int nfit, tp_pick_t *p);
extern void tp_flat_leaf_eval(tp_search_t *c, int b, const int *fit,
			      int nfit, tp_pick_t *p);
/* RET false when it cannot decide exactly; the knapsack must. */
extern bool tp_group_eval(tp_search_t *c, int b, const int *fit, int nfit,
			  tp_pick_t *p);
/* The best pick of b whose blocks of level (TP_LVL_NODE or TP_LVL_LEAF)
 * number at most limit; for a candidate whose best pick broke it. */
extern void tp_limited_eval(tp_search_t *c, int b, int level, int limit,
			    const int *fit, int nfit, tp_pick_t *p);

#endif /* _TOPOPACK_PLACE_SEARCH_PRIVATE_H */
