/*****************************************************************************\
 *  fabric_blocks.c - derive the placement block tree from switches, leaves
 *  and NVLink domains.
 *
 *  A fat tree lists each leaf under several spines, so switches form a DAG,
 *  not a tree. Placement needs nested blocks: at switch level k, two leaves
 *  belong to the same block when switches of level <= k join them
 *  (connected components). In a fat tree this is exactly "reachable through
 *  level k", so hop counts stay exact.
 *
 *  Under a leaf, the nodes of one NVLink domain form a "piece". When a
 *  domain spans several leaves (a rack whose nodes are cabled to different
 *  leaves), each leaf holds one piece of it; placement counts pieces, so
 *  leaves are minimised before NVLink domains, as the objective orders them.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE		/* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "fabric_builder_private.h"

typedef struct {
	int nkeys;		/* switch levels above the leaves */
	const int *key;		/* key[leafpos * nkeys + (k - 1)] */
} _sort_ctx_t;

static int _uf_find(int *uf, int i)
{
	while (uf[i] != i) {
		uf[i] = uf[uf[i]];
		i = uf[i];
	}
	return i;
}

/* Union every leaf below switch sw with first (-1: sets it). */
static void _union_below(const tp_fabric_t *f, int sw, const int *leafpos,
			 int *uf, int *first, int *seen, int stamp)
{
	const tp_switch_t *s = &f->switches[sw];

	if (seen[sw] == stamp)
		return;
	seen[sw] = stamp;
	if (s->level == 0) {
		int p = leafpos[sw];

		if (*first < 0)
			*first = p;
		else
			uf[_uf_find(uf, p)] = _uf_find(uf, *first);
		return;
	}
	for (int j = 0; j < s->nchildren; j++)
		_union_below(f, s->children[j], leafpos, uf, first, seen,
			     stamp);
}

static int _cmp_leaf(const void *a, const void *b, void *arg)
{
	const _sort_ctx_t *ctx = arg;
	int la = *(const int *) a, lb = *(const int *) b;

	for (int k = ctx->nkeys - 1; k >= 0; k--) {
		int ka = ctx->key[la * ctx->nkeys + k];
		int kb = ctx->key[lb * ctx->nkeys + k];

		if (ka != kb)
			return ka < kb ? -1 : 1;
	}
	return (la > lb) - (la < lb);
}

/* key[pos * smax + k - 1] = component of leaf pos at switch level k,
 * numbered by first appearance in leaf order. RET key, or NULL (ENOMEM). */
static int *_leaf_components(const tp_fabric_t *f, const int *leaves,
			     int nleaves, const int *leafpos, int smax)
{
	int *key = calloc((size_t) nleaves * (smax ? smax : 1), sizeof(int));
	int *uf = malloc(sizeof(int) * (nleaves + 1));
	int *seen = calloc(f->nswitches + 1, sizeof(int));
	int *renum = malloc(sizeof(int) * (nleaves + 1));
	int stamp = 0;

	if (!key || !uf || !seen || !renum) {
		free(key);
		key = NULL;
		goto fini;
	}
	for (int i = 0; i < nleaves; i++)
		uf[i] = i;
	for (int k = 1; k <= smax; k++) {
		int next = 0;

		for (int s = 0; s < f->nswitches; s++) {
			int first = -1;

			if (f->switches[s].level != k)
				continue;
			_union_below(f, s, leafpos, uf, &first, seen, ++stamp);
		}
		for (int i = 0; i < nleaves; i++)
			renum[i] = -1;
		for (int i = 0; i < nleaves; i++) {
			int r = _uf_find(uf, i);

			if (renum[r] < 0)
				renum[r] = next++;
			key[i * smax + k - 1] = renum[r];
		}
	}
	(void) leaves;
fini:
	free(uf);
	free(seen);
	free(renum);
	return key;
}

static int _new_block(tp_fabric_t *f, int level, int parent, int lo, int id)
{
	tp_block_t *b = &f->blocks[f->nblocks];

	b->level = level;
	b->parent = parent;
	b->lo = lo;
	b->hi = lo;
	b->id = id;
	return f->nblocks++;
}

/* Scratch for _add_leaf_children, sized once for the whole fabric. */
typedef struct {
	int *first;		/* per domain: its first position in the leaf */
	int *last;		/* per domain: its last position so far */
	int *next;		/* per leaf position: the next of its domain */
} _pieces_t;

/* Pieces of one leaf: its nodes grouped by NVLink domain, domains in order
 * of first appearance, nodes in configuration order. Each domain's nodes
 * are chained first, so a leaf of n nodes costs O(n) whatever the number
 * of domains (without topopack.conf every node is its own domain). */
static void _add_leaf_children(tp_fabric_t *f, int sw, int leaf_block,
			       int *order, const _pieces_t *p)
{
	const tp_switch_t *s = &f->switches[sw];

	for (int i = 0; i < s->nnodes; i++) {
		int dom = f->nodes[s->nodes[i]].domain;

		p->next[i] = -1;
		if (p->first[dom] < 0)
			p->first[dom] = i;
		else
			p->next[p->last[dom]] = i;
		p->last[dom] = i;
	}
	for (int i = 0; i < s->nnodes; i++) {
		int dom = f->nodes[s->nodes[i]].domain;
		int piece;

		if (p->first[dom] != i)
			continue;
		piece = _new_block(f, TP_LVL_DOMAIN, leaf_block, *order, dom);
		for (int j = i; j >= 0; j = p->next[j]) {
			int n = s->nodes[j];
			int blk = _new_block(f, TP_LVL_NODE, piece, *order, n);

			f->blocks[blk].hi = *order + 1;
			f->nodes[n].order = *order;
			f->nodes[n].block = blk;
			f->order_node[(*order)++] = n;
		}
		f->blocks[piece].hi = *order;
	}
	for (int i = 0; i < s->nnodes; i++)
		p->first[f->nodes[s->nodes[i]].domain] = -1;
}

/* RET 0, or -1 (ENOMEM). */
static int _link_children(tp_fabric_t *f)
{
	int *fill = calloc(f->nblocks + 1, sizeof(int));

	if (!fill)
		return -1;
	for (int i = 0; i < f->nblocks; i++)
		if (f->blocks[i].parent >= 0)
			f->blocks[f->blocks[i].parent].nchildren++;
	for (int i = 0, off = 0; i < f->nblocks; i++) {
		f->blocks[i].first_child = off;
		off += f->blocks[i].nchildren;
	}
	for (int i = 0; i < f->nblocks; i++) {
		int p = f->blocks[i].parent;

		if (p >= 0)
			f->child_list[f->blocks[p].first_child + fill[p]++] = i;
	}
	free(fill);
	return 0;
}

/* RET 0, or -1 (ENOMEM). */
static int _group_by_level(tp_fabric_t *f)
{
	int fill[TP_MAX_LEVELS] = { 0 };

	f->level_blocks = malloc(sizeof(int) * (f->nblocks + 1));
	if (!f->level_blocks)
		return -1;
	memset(f->level_first, 0, sizeof(f->level_first));
	for (int i = 0; i < f->nblocks; i++)
		f->level_first[f->blocks[i].level + 1]++;
	for (int l = 0; l < TP_MAX_LEVELS; l++)
		f->level_first[l + 1] += f->level_first[l];
	for (int i = 0; i < f->nblocks; i++) {
		int l = f->blocks[i].level;

		f->level_blocks[f->level_first[l] + fill[l]++] = i;
	}
	return 0;
}

extern void tp_fabric_count_gpus(tp_fabric_t *f)
{
	f->total_gpus = f->min_gpus = f->max_gpus = 0;
	for (int i = 0; i < f->nblocks; i++)
		f->blocks[i].gpus = 0;
	for (int l = 0; l < TP_MAX_LEVELS; l++)
		f->level_max_gpus[l] = 0;
	for (int n = 0; n < f->nnodes; n++) {
		int gpus = f->nodes[n].gpus;

		f->total_gpus += gpus;
		if (n == 0 || gpus < f->min_gpus)
			f->min_gpus = gpus;
		if (gpus > f->max_gpus)
			f->max_gpus = gpus;
		for (int l = 0; l < f->nlevels; l++)
			f->blocks[tp_ancestor(f, n, l)].gpus += gpus;
	}
	for (int i = 0; i < f->nblocks; i++) {
		const tp_block_t *b = &f->blocks[i];

		if (b->gpus > f->level_max_gpus[b->level])
			f->level_max_gpus[b->level] = b->gpus;
	}
}

extern int tp_fabric_build_blocks(tp_fabric_t *f)
{
	int L = f->nlevels, smax = L - 3;
	int nleaves = 0, order = 0, rc = -1;
	int *leaves, *leafpos, *key = NULL, *pos = NULL;
	_pieces_t pieces;
	int open[TP_MAX_LEVELS];
	int prev = -1;
	_sort_ctx_t ctx;

	leaves = malloc(sizeof(int) * (f->nswitches + 1));
	leafpos = malloc(sizeof(int) * (f->nswitches + 1));
	pieces.first = malloc(sizeof(int) * (f->ndomains + 1));
	pieces.last = malloc(sizeof(int) * (f->ndomains + 1));
	pieces.next = malloc(sizeof(int) * (f->nnodes + 1));
	f->blocks = calloc((size_t) 2 * f->nnodes +
			   (size_t) f->nswitches * (smax + 1) + 1,
			   sizeof(tp_block_t));
	f->child_list = malloc(sizeof(int) * (2 * f->nnodes +
			       f->nswitches * (smax + 1) + 1));
	f->order_node = malloc(sizeof(int) * (f->nnodes + 1));
	f->ancestor = malloc(sizeof(int) * (size_t) f->nnodes * L + 1);
	/* What f holds is freed with it by the caller. */
	if (!leaves || !leafpos || !pieces.first || !pieces.last ||
	    !pieces.next || !f->blocks ||
	    !f->child_list || !f->order_node || !f->ancestor)
		goto fini;
	for (int i = 0; i < f->ndomains; i++)
		pieces.first[i] = -1;
	for (int s = 0; s < f->nswitches; s++) {
		leafpos[s] = -1;
		if (f->switches[s].level == 0) {
			leafpos[s] = nleaves;
			leaves[nleaves++] = s;
		}
	}
	if (!(key = _leaf_components(f, leaves, nleaves, leafpos, smax)) ||
	    !(pos = malloc(sizeof(int) * (nleaves + 1))))
		goto fini;

	/* Sort leaf positions by component from the top level down: that
	 * is depth-first order of the block tree. */
	for (int i = 0; i < nleaves; i++)
		pos[i] = i;
	ctx.nkeys = smax;
	ctx.key = key;
	if (smax)
		qsort_r(pos, nleaves, sizeof(int), _cmp_leaf, &ctx);
	for (int i = 0; i < nleaves; i++) {
		int p = pos[i], lvl = TP_LVL_LEAF;
		int sw = leaves[p];

		/* Highest switch level whose component changes. */
		for (int k = smax; k >= 1; k--) {
			if (prev < 0 || key[p * smax + k - 1] !=
			    key[prev * smax + k - 1]) {
				lvl = TP_LVL_LEAF + k;
				break;
			}
		}
		for (int l = lvl; l >= TP_LVL_LEAF; l--) {
			int parent = (l == L - 1) ? -1 : open[l + 1];

			if (prev >= 0)
				f->blocks[open[l]].hi = order;
			open[l] = _new_block(f, l, parent, order, sw);
		}
		f->switches[sw].block = open[TP_LVL_LEAF];
		_add_leaf_children(f, sw, open[TP_LVL_LEAF], &order, &pieces);
		prev = p;
	}
	for (int l = TP_LVL_LEAF; l < L && prev >= 0; l++)
		f->blocks[open[l]].hi = order;
	if (_link_children(f) || _group_by_level(f))
		goto fini;
	/* Children follow parents: walk backwards so kids are done first. */
	for (int i = f->nblocks - 1; i >= 0; i--) {
		tp_block_t *b = &f->blocks[i];

		if (b->level == TP_LVL_NODE)
			b->flat = true;
		else if (b->level == TP_LVL_DOMAIN)
			b->flat = b->nchildren == 1;
		else
			b->flat = true;
		for (int k = 0; k < b->nchildren && b->level > TP_LVL_DOMAIN;
		     k++)
			b->flat &= f->blocks[f->child_list[b->first_child +
							   k]].flat;
	}
	for (int n = 0; n < f->nnodes; n++) {
		int b = f->nodes[n].block;

		for (int l = 0; l < L; l++, b = f->blocks[b].parent)
			f->ancestor[n * L + l] = b;
	}
	for (int i = 0; i < f->nblocks; i++) {
		const tp_block_t *b = &f->blocks[i];

		if (b->hi - b->lo > f->level_max_nodes[b->level])
			f->level_max_nodes[b->level] = b->hi - b->lo;
	}
	tp_fabric_count_gpus(f);
	rc = 0;
fini:
	free(leaves);
	free(leafpos);
	free(pieces.first);
	free(pieces.last);
	free(pieces.next);
	free(key);
	free(pos);
	return rc;
}
