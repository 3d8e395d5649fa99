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

#include "topopack_fabric.h"

/* GPUs (gres/gpu) Slurm counts on the node: available and allocated. */
extern void topopack_node_gpus(node_record_t *node_ptr, uint64_t *avail,
			       uint64_t *alloc);

/*
 * The node's GPUs as configured in Slurm (slurm.conf Gres=gpu:..., with
 * gres.conf): the count, and the type when all of them have one type.
 * OUT type - points into the node's GRES record, or NULL
 * RET the count (0 for a node without GPUs)
 */
extern int topopack_node_gpu_config(node_record_t *node_ptr,
				    const char **type);

/*
 * GPUs job_ptr holds on Slurm node i, the k-th node of its allocation:
 * its allocated gres/gpu there, or, at job begin, before cons_tres has
 * recorded the allocation, what cons_tres selected for it. At most cap
 * (the fabric's count for the node).
 */
extern int topopack_job_node_gpus(job_record_t *job_ptr, int i, int k,
				  int cap);

/* RET true when the node takes no job now (NULL, down, drained, failing,
 * not responding or future). */
extern bool topopack_node_unusable(node_record_t *node_ptr);

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
