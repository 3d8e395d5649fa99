/*****************************************************************************\
 *  state.c - allocation state with per-block aggregates kept incrementally.
 *
 *  Every change to a node touches only the node's ancestors (one block per
 *  level), so keeping free counts per leaf, domain and switch group costs
 *  O(levels) per node and never a scan of the cluster.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "state_private.h"

extern tp_state_t *tp_state_new(const tp_fabric_t *f)
{
	tp_state_t *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->fabric = f;
	s->hist_width = f->max_gpus + 1;
	s->free_gpus = malloc(sizeof(int) * (f->nnodes + 1));
	s->users = calloc(f->nnodes + 1, sizeof(int));
	s->avail = calloc(f->nnodes + 1, 1);
	s->exclusive = calloc(f->nnodes + 1, 1);
	s->hist = calloc((size_t) f->nblocks * s->hist_width + 1, sizeof(int));
	s->block_free = calloc(f->nblocks + 1, sizeof(int));
	s->block_idle = calloc(f->nblocks + 1, sizeof(int));
	if (!s->free_gpus || !s->users || !s->avail || !s->exclusive ||
	    !s->hist || !s->block_free || !s->block_idle) {
		tp_state_free(s);
		errno = ENOMEM;
		return NULL;
	}
	for (int n = 0; n < f->nnodes; n++) {
		int g = f->nodes[n].gpus;

		s->free_gpus[n] = g;
		for (int l = 0; l < f->nlevels; l++) {
			int b = tp_ancestor(f, n, l);

			s->hist[(size_t) b * s->hist_width + g]++;
			s->block_free[b] += g;
			s->block_idle[b]++;
		}
	}
	return s;
}

extern void tp_state_free(tp_state_t *s)
{
	if (!s)
		return;
	free(s->free_gpus);
	free(s->users);
	free(s->avail);
	free(s->exclusive);
	free(s->hist);
	free(s->block_free);
	free(s->block_idle);
	free(s);
}

extern tp_state_t *tp_state_copy(const tp_state_t *src)
{
	const tp_fabric_t *f = src->fabric;
	tp_state_t *s = tp_state_new(f);

	if (!s)
		return NULL;
	memcpy(s->free_gpus, src->free_gpus, sizeof(int) * f->nnodes);
	memcpy(s->users, src->users, sizeof(int) * f->nnodes);
	memcpy(s->avail, src->avail, f->nnodes);
	memcpy(s->exclusive, src->exclusive, f->nnodes);
	memcpy(s->hist, src->hist,
	       sizeof(int) * (size_t) f->nblocks * s->hist_width);
	memcpy(s->block_free, src->block_free, sizeof(int) * f->nblocks);
	memcpy(s->block_idle, src->block_idle, sizeof(int) * f->nblocks);
	return s;
}

/* Add (sign 1) or remove (sign -1) the node's contribution to the
 * aggregates of its ancestors. Only usable nodes contribute. */
static void _account(tp_state_t *s, int n, int sign)
{
	const tp_fabric_t *f = s->fabric;
	int g = s->free_gpus[n];
	bool idle = s->users[n] == 0;

	if (!tp_state_usable(s, n))
		return;
	for (int l = 0; l < f->nlevels; l++) {
		int b = tp_ancestor(f, n, l);

		s->hist[(size_t) b * s->hist_width + g] += sign;
		s->block_free[b] += sign * g;
		s->block_idle[b] += sign * idle;
	}
}

static bool _valid(const tp_state_t *s, int n)
{
	if (n < 0 || n >= s->fabric->nnodes) {
		errno = EINVAL;
		return false;
	}
	return true;
}

extern int tp_state_set_avail(tp_state_t *s, int n, int avail)
{
	if (!_valid(s, n))
		return -1;
	if (avail != TP_NODE_UP && avail != TP_NODE_DOWN &&
	    avail != TP_NODE_RESERVED) {
		errno = EINVAL;
		return -1;
	}
	_account(s, n, -1);
	s->avail[n] = avail;
	_account(s, n, 1);
	return 0;
}

extern int tp_state_node_avail(const tp_state_t *s, int n)
{
	return _valid(s, n) ? s->avail[n] : -1;
}

extern int tp_state_node_free_gpus(const tp_state_t *s, int n)
{
	return _valid(s, n) ? s->free_gpus[n] : -1;
}

extern int tp_state_node_users(const tp_state_t *s, int n)
{
	return _valid(s, n) ? s->users[n] : -1;
}

extern int tp_state_alloc(tp_state_t *s, int n, int gpus, bool exclusive)
{
	if (!_valid(s, n))
		return -1;
	if (gpus < 0 || gpus > s->free_gpus[n] || s->exclusive[n] ||
	    (exclusive && s->users[n])) {
		errno = EINVAL;
		return -1;
	}
	_account(s, n, -1);
	s->free_gpus[n] -= gpus;
	s->users[n]++;
	s->exclusive[n] = exclusive;
	_account(s, n, 1);
	return 0;
}

extern int tp_state_release(tp_state_t *s, int n, int gpus, bool exclusive)
{
	if (!_valid(s, n))
		return -1;
	if (gpus < 0 || s->users[n] < 1 ||
	    s->free_gpus[n] + gpus > s->fabric->nodes[n].gpus ||
	    (bool) s->exclusive[n] != exclusive) {
		errno = EINVAL;
		return -1;
	}
	_account(s, n, -1);
	s->free_gpus[n] += gpus;
	s->users[n]--;
	s->exclusive[n] = 0;
	_account(s, n, 1);
	return 0;
}

extern int tp_state_set_usage(tp_state_t *s, int n, int used_gpus,
			      int users, bool exclusive)
{
	if (!_valid(s, n))
		return -1;
	if (used_gpus < 0 || used_gpus > s->fabric->nodes[n].gpus ||
	    users < 0 || (exclusive && !users) || (used_gpus && !users)) {
		errno = EINVAL;
		return -1;
	}
	_account(s, n, -1);
	s->free_gpus[n] = s->fabric->nodes[n].gpus - used_gpus;
	s->users[n] = users;
	s->exclusive[n] = exclusive;
	_account(s, n, 1);
	return 0;
}

extern int tp_state_block_free_gpus(const tp_state_t *s, int n, int level)
{
	if (!_valid(s, n) || level < 0 || level >= s->fabric->nlevels) {
		errno = EINVAL;
		return -1;
	}
	return s->block_free[tp_ancestor(s->fabric, n, level)];
}

extern int tp_state_apply(tp_state_t *s, const tp_placement_t *p,
			  bool exclusive)
{
	for (int i = 0; i < p->count; i++) {
		if (tp_state_alloc(s, p->node[i], p->gpus[i], exclusive)) {
			int saved = errno;

			while (i-- > 0)
				tp_state_release(s, p->node[i], p->gpus[i],
						 exclusive);
			errno = saved;
			return -1;
		}
	}
	return 0;
}

extern int tp_state_unapply(tp_state_t *s, const tp_placement_t *p,
			    bool exclusive)
{
	for (int i = 0; i < p->count; i++) {
		if (tp_state_release(s, p->node[i], p->gpus[i], exclusive)) {
			int saved = errno;

			while (i-- > 0)
				tp_state_alloc(s, p->node[i], p->gpus[i],
					       exclusive);
			errno = saved;
			return -1;
		}
	}
	return 0;
}
