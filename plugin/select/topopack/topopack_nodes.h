/*****************************************************************************\
 *  topopack_nodes.h - slurmctld's node records as a libtopopack allocation
 *  state, and placements back as Slurm node bitmaps.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_NODES_H
#define _TOPOPACK_NODES_H

#include "src/common/bitstring.h"

#include "topopack_fabric.h"

/*
 * The fabric's allocation state now, from slurmctld's node records (node
 * locks held):
 *  - a node that is down, drained or draining, failing, not responding
 *    or not yet in service (FUTURE), or that Slurm does not know, is
 *    TP_NODE_DOWN;
 *  - its free GPUs are Slurm's: gres/gpu available less allocated,
 *    at most the fabric's count for the node;
 *  - a node running or holding a suspended job has a user (so exclusive
 *    requests avoid it), exclusively when one of its jobs does not share.
 * IN tf - the fabric (locked)
 * IN usable_bitmap - Slurm nodes the request may use, or NULL for all
 * OUT usable - when usable_bitmap is given: an xmalloc'd mask over the
 *	fabric's nodes, 1 where the node is in usable_bitmap (xfree it);
 *	NULL otherwise
 * RET a new state (tp_state_free() it), or NULL when out of memory
 */
/* GPUs (gres/gpu) Slurm counts on the node: available and allocated. */
extern void topopack_node_gpus(node_record_t *node_ptr, uint64_t *avail,
			       uint64_t *alloc);

/* RET true when the node takes no job now (NULL, down, drained, failing,
 * not responding or future). */
extern bool topopack_node_unusable(node_record_t *node_ptr);

extern tp_state_t *topopack_nodes_state(topopack_fabric_t *tf,
					bitstr_t *usable_bitmap,
					uint8_t **usable);

/*
 * Slurm bitmap (of bitmap_size bits) of a placement's nodes.
 * RET a new bitmap (FREE_NULL_BITMAP it)
 */
extern bitstr_t *topopack_nodes_bitmap(topopack_fabric_t *tf,
				       const tp_placement_t *p,
				       int bitmap_size);

/*
 * Every node of usable_bitmap under a leaf switch that the placement
 * uses: the placement's leaf block, for cons_tres to choose in when the
 * placement's own nodes do not suit it.
 * RET a new bitmap (FREE_NULL_BITMAP it)
 */
extern bitstr_t *topopack_nodes_leaf_block(topopack_fabric_t *tf,
					   const tp_placement_t *p,
					   bitstr_t *usable_bitmap);

#endif /* _TOPOPACK_NODES_H */
