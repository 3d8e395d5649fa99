/*****************************************************************************\
 *  topopack_nodes.c - slurmctld's node records as a libtopopack allocation
 *  state, and placements back as Slurm node bitmaps.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <limits.h>
#include <string.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/list.h"
#include "src/common/node_conf.h"
#include "src/common/slurm_protocol_defs.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "slurm_gpus.h"
#include "topopack_nodes.h"

extern int topopack_nodes_usage(void *arg, int f, tp_usage_t *out)
{
	topopack_fabric_t *tf = arg;
	int i = tf->to_slurm[f], gpus = tp_fabric_node_gpus(tf->fabric, f);
	node_record_t *node_ptr = (i >= 0) ? node_record_table_ptr[i] : NULL;
	uint64_t avail, alloc, free_gpus;

	memset(out, 0, sizeof(*out));
	if (!node_ptr) {
		out->absent = true;
		return 0;
	}
	topopack_node_gpus(node_ptr, &avail, &alloc);
	free_gpus = (alloc >= avail) ? 0 : avail - alloc;
	out->used_gpus = (free_gpus >= (uint64_t) gpus) ?
		0 : gpus - (int) free_gpus;
	out->users = node_ptr->run_job_cnt + node_ptr->sus_job_cnt;
	out->exclusive = node_ptr->no_share_job_cnt > 0;
	/* GPUs of a job still completing, or held by a job being set up,
	 * have a user even when the job counts are not there yet. */
	if ((out->used_gpus || out->exclusive) && !out->users)
		out->users = 1;
	return 0;
}

extern bitstr_t *topopack_nodes_bitmap(topopack_fabric_t *tf,
				       const tp_placement_t *p,
				       int bitmap_size)
{
	bitstr_t *bitmap = bit_alloc(bitmap_size);

	for (int k = 0; k < p->count; k++) {
		int i = tf->to_slurm[p->node[k]];

		if ((i >= 0) && (i < bitmap_size))
			bit_set(bitmap, i);
	}
	return bitmap;
}

extern bitstr_t *topopack_nodes_leaf_block(topopack_fabric_t *tf,
					   const tp_placement_t *p,
					   bitstr_t *usable_bitmap)
{
	int size = bit_size(usable_bitmap);
	bitstr_t *bitmap = bit_alloc(size);
	uint8_t *leaf_used = xcalloc(tf->nnodes + 1, sizeof(uint8_t));

	for (int k = 0; k < p->count; k++)
		leaf_used[tf->leaf[p->node[k]]] = 1;
	for (int f = 0; f < tf->nnodes; f++) {
		int i = tf->to_slurm[f];

		if (leaf_used[tf->leaf[f]] && (i >= 0) && (i < size) &&
		    bit_test(usable_bitmap, i))
			bit_set(bitmap, i);
	}
	xfree(leaf_used);
	return bitmap;
}
