/*****************************************************************************\
 *  state_private.h - internal layout of the allocation state.
 *
 *  Per node: free GPUs, users and availability. Per block: free GPUs, idle
 *  nodes and a histogram of usable nodes by free GPU count, kept up to date
 *  on every change by walking the node's ancestors (nlevels steps), so a
 *  placement can size any block without visiting its nodes.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_STATE_PRIVATE_H
#define _TOPOPACK_STATE_PRIVATE_H

#include "fabric/fabric_private.h"

struct tp_state {
	const tp_fabric_t *fabric;
	int *free_gpus;		/* per node */
	int *users;		/* per node: allocations holding it */
	uint8_t *avail;		/* per node: TP_NODE_* */
	uint8_t *exclusive;	/* per node: held by an exclusive allocation */

	int hist_width;		/* max_gpus + 1 */
	int *hist;		/* per block: usable (TP_NODE_UP) nodes by
				 * free GPUs, hist[block * hist_width + f] */
	int *block_free;	/* per block: free GPUs on usable nodes */
	int *block_idle;	/* per block: usable nodes with no users */
};

/* RET true when the node is up and not held exclusively. */
static inline bool tp_state_usable(const tp_state_t *s, int node)
{
	return s->avail[node] == TP_NODE_UP && !s->exclusive[node];
}

/* RET usable nodes in block b with at least g free GPUs. */
static inline int tp_state_block_nodes_with(const tp_state_t *s, int b, int g)
{
	const int *h = s->hist + (size_t) b * s->hist_width;
	int n = 0;

	for (int f = g; f < s->hist_width; f++)
		n += h[f];
	return n;
}

#endif /* _TOPOPACK_STATE_PRIVATE_H */
