/*****************************************************************************\
 *  live.c - the allocation state a daemon keeps between placement calls:
 *  nodes read again only where something changed, and the nodes a call may
 *  use applied as availability, so that placements keep their fast paths.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "state_private.h"

struct tp_live {
	tp_state_t *state;
	uint8_t *offered;	/* per node: the caller offers it */
	uint8_t *absent;	/* per node: the reader does not know it */
	uint8_t *touched;	/* per node: in the touched list */
	int *list;		/* touched nodes, read at the next sync */
	int ntouched;
};

extern tp_live_t *tp_live_new(const tp_fabric_t *f)
{
	tp_live_t *live = calloc(1, sizeof(*live));
	int n = f->nnodes;

	if (!live)
		return NULL;
	live->state = tp_state_new(f);
	live->offered = malloc(n + 1);
	live->absent = calloc(n + 1, 1);
	live->touched = calloc(n + 1, 1);
	live->list = malloc(sizeof(int) * (n + 1));
	if (!live->state || !live->offered || !live->absent ||
	    !live->touched || !live->list) {
		tp_live_free(live);
		errno = ENOMEM;
		return NULL;
	}
	for (int i = 0; i < n; i++)
		live->offered[i] = 1;
	tp_live_touch_all(live);
	return live;
}

extern void tp_live_free(tp_live_t *live)
{
	if (!live)
		return;
	tp_state_free(live->state);
	free(live->offered);
	free(live->absent);
	free(live->touched);
	free(live->list);
	free(live);
}

extern void tp_live_touch(tp_live_t *live, int node)
{
	if (node < 0 || node >= live->state->fabric->nnodes ||
	    live->touched[node])
		return;
	live->touched[node] = 1;
	live->list[live->ntouched++] = node;
}

extern void tp_live_touch_all(tp_live_t *live)
{
	for (int n = 0; n < live->state->fabric->nnodes; n++)
		tp_live_touch(live, n);
}

/* Availability follows from the two flags. */
static void _avail(tp_live_t *live, int n)
{
	int a = (live->offered[n] && !live->absent[n]) ?
		TP_NODE_UP : TP_NODE_DOWN;

	if (live->state->avail[n] != a)
		(void) tp_state_set_avail(live->state, n, a);
}

extern int tp_live_offer(tp_live_t *live, int node, bool offered)
{
	if (node < 0 || node >= live->state->fabric->nnodes) {
		errno = EINVAL;
		return -1;
	}
	if (live->offered[node] != offered) {
		live->offered[node] = offered;
		_avail(live, node);
	}
	return 0;
}

/* A reading, or absent when the reader fails. */
static tp_usage_t _read(tp_usage_read_t read, void *arg, int n)
{
	tp_usage_t u = { 0 };

	if (read(arg, n, &u))
		u = (tp_usage_t) { .absent = true };
	return u;
}

extern int tp_live_sync(tp_live_t *live, tp_usage_read_t read, void *arg,
			tp_error_t *err)
{
	tp_state_t *s = live->state;
	int bad = -1, count = live->ntouched;

	for (int i = 0; i < live->ntouched; i++) {
		int n = live->list[i], gpus = s->fabric->nodes[n].gpus;
		tp_usage_t u = _read(read, arg, n);

		live->touched[n] = 0;
		live->absent[n] = u.absent;
		_avail(live, n);
		if (!tp_state_set_usage(s, n, u.used_gpus, u.users,
					u.exclusive))
			continue;
		if (bad < 0 && err)
			snprintf(err->text, sizeof(err->text),
				 "node %s: %d GPUs used by %d jobs%s does not fit its %d GPUs; taken as fully used",
				 s->fabric->nodes[n].name, u.used_gpus,
				 u.users, u.exclusive ? " (exclusive)" : "",
				 gpus);
		bad = n;
		(void) tp_state_set_usage(s, n, gpus, 1, false);
	}
	live->ntouched = 0;
	if (bad >= 0) {
		errno = EINVAL;
		return -1;
	}
	return count;
}

extern const tp_state_t *tp_live_state(const tp_live_t *live)
{
	return live->state;
}

extern int tp_live_check(const tp_live_t *live, tp_usage_read_t read,
			 void *arg, tp_error_t *err)
{
	const tp_state_t *s = live->state;
	int differ = 0;

	for (int n = 0; n < s->fabric->nnodes; n++) {
		tp_usage_t u = _read(read, arg, n);
		int free = s->fabric->nodes[n].gpus - u.used_gpus;

		if (live->touched[n] ||
		    ((bool) live->absent[n] == u.absent &&
		     (u.absent || (s->free_gpus[n] == free &&
				   s->users[n] == u.users &&
				   (bool) s->exclusive[n] == u.exclusive))))
			continue;
		if (!differ++ && err)
			snprintf(err->text, sizeof(err->text),
				 "node %s: state has %d free GPUs, %d users%s%s; a recount has %d, %d%s%s",
				 s->fabric->nodes[n].name, s->free_gpus[n],
				 s->users[n],
				 s->exclusive[n] ? ", exclusive" : "",
				 live->absent[n] ? ", absent" : "", free,
				 u.users, u.exclusive ? ", exclusive" : "",
				 u.absent ? ", absent" : "");
	}
	return differ;
}
