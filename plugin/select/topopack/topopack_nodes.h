/*****************************************************************************\
 *  topopack_nodes.h - slurmctld's node records as a libtopopack allocation
 *  state, and placements back as Slurm node bitmaps.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SELECT_NODES_H
#define _TOPOPACK_SELECT_NODES_H

#include "src/common/bitstring.h"

#include "slurm_gpus.h"
#include "topopack_fabric.h"

/*
 * The tp_usage_read_t of the live state: what fabric node f holds now,
 * from slurmctld's node records (node locks held). GPUs in use are
 * Slurm's available less allocated gres/gpu, cut to the fabric's count;
 * running and suspended jobs are users, exclusive when one does not
 * share. A fabric node Slurm does not know is absent.
 * IN arg - the topopack_fabric_t
 */
extern int topopack_nodes_usage(void *arg, int f, tp_usage_t *out);

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

#endif /* _TOPOPACK_SELECT_NODES_H */
