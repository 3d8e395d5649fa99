/*****************************************************************************\
 *  sim_leaves.c - leaf switches of the fabric, and the fewest of them a
 *  request could use in a given state.
 *
 *  The bound is computed from free capacity alone, independently of any
 *  placement code, so that it can judge every policy, topopack included.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

extern int sim_leaves_init(sim_leaves_t *lv, const tp_fabric_t *fabric)
{
	int n = tp_fabric_node_count(fabric);

	memset(lv, 0, sizeof(*lv));
	lv->nnodes = n;
	lv->leaf_of = malloc(sizeof(int) * (n + 1));
	lv->name = malloc(sizeof(char *) * (n + 1));
	lv->count = malloc(sizeof(int) * (n + 1));
	if (!lv->leaf_of || !lv->name || !lv->count) {
		sim_leaves_fini(lv);
		errno = ENOMEM;
		return -1;
	}
	/* Nodes of a leaf are usually consecutive: look at the last leaf
	 * first, then at all of them (leaf counts are small). */
	for (int i = 0; i < n; i++) {
		const char *leaf = tp_fabric_node_leaf(fabric, i);
		int l = lv->nleaves - 1;

		if (l < 0 || strcmp(lv->name[l], leaf)) {
			for (l = 0; l < lv->nleaves; l++)
				if (!strcmp(lv->name[l], leaf))
					break;
			if (l == lv->nleaves)
				lv->name[lv->nleaves++] = leaf;
		}
		lv->leaf_of[i] = l;
	}
	return 0;
}

extern void sim_leaves_fini(sim_leaves_t *lv)
{
	free(lv->leaf_of);
	free(lv->name);
	free(lv->count);
	memset(lv, 0, sizeof(*lv));
}

static int _cmp_desc(const void *a, const void *b)
{
	int x = *(const int *) a, y = *(const int *) b;

	return (x < y) - (x > y);
}

extern int sim_min_leaves(sim_leaves_t *lv, const tp_state_t *state,
			  const tp_request_t *req)
{
	int n = 0, need, leaves = 0;
	bool per_node = req->total_gpus <= 0;

	for (int l = 0; l < lv->nleaves; l++)
		lv->count[l] = 0;
	for (int i = 0; i < lv->nnodes; i++) {
		int free_gpus;

		if (tp_state_node_avail(state, i) != TP_NODE_UP)
			continue;
		free_gpus = tp_state_node_free_gpus(state, i);
		if (per_node)
			lv->count[lv->leaf_of[i]] +=
				free_gpus >= req->gpus_per_node;
		else
			lv->count[lv->leaf_of[i]] += free_gpus;
	}
	qsort(lv->count, lv->nleaves, sizeof(int), _cmp_desc);
	need = per_node ? req->nodes : req->total_gpus;
	for (int l = 0; l < lv->nleaves && n < need; l++) {
		n += lv->count[l];
		leaves++;
	}
	return n >= need ? leaves : -1;
}
