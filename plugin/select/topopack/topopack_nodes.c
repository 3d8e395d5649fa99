/*****************************************************************************\
 *  topopack_nodes.c - slurmctld's node records as a libtopopack allocation
 *  state, and placements back as Slurm node bitmaps.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/gres.h"
#include "src/common/list.h"
#include "src/common/node_conf.h"
#include "src/common/slurm_protocol_defs.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "topopack_nodes.h"

extern void topopack_node_gpus(node_record_t *node_ptr, uint64_t *avail,
			       uint64_t *alloc)
{
	gres_node_state_t *gres_ns;
	gres_state_t *gres_state;
	ListIterator iter;

	*avail = *alloc = 0;
	if (!node_ptr->gres_list)
		return;
	iter = list_iterator_create(node_ptr->gres_list);
	while ((gres_state = list_next(iter))) {
		if (xstrcmp(gres_state->gres_name, "gpu") ||
		    !(gres_ns = gres_state->gres_data))
			continue;
		*avail += gres_ns->gres_cnt_avail;
		*alloc += gres_ns->gres_cnt_alloc;
	}
	list_iterator_destroy(iter);
}

extern bool topopack_node_unusable(node_record_t *node_ptr)
{
	return !node_ptr || IS_NODE_DOWN(node_ptr) || IS_NODE_DRAIN(node_ptr) ||
		IS_NODE_FAIL(node_ptr) || IS_NODE_NO_RESPOND(node_ptr) ||
		IS_NODE_FUTURE(node_ptr);
}

/* Put one Slurm node's usage on fabric node f. RET 0, or -1 when the
 * state refuses it (it cannot: the counts are clamped to the node's). */
static int _node(tp_state_t *state, const tp_fabric_t *fabric, int f,
		 node_record_t *node_ptr)
{
	int gpus = tp_fabric_node_gpus(fabric, f);
	uint64_t avail, alloc, free_gpus;
	int used, jobs;
	bool exclusive;

	if (topopack_node_unusable(node_ptr))
		return tp_state_set_avail(state, f, TP_NODE_DOWN);
	topopack_node_gpus(node_ptr, &avail, &alloc);
	free_gpus = (alloc >= avail) ? 0 : avail - alloc;
	used = (free_gpus >= (uint64_t) gpus) ? 0 : gpus - (int) free_gpus;
	jobs = node_ptr->run_job_cnt + node_ptr->sus_job_cnt;
	exclusive = node_ptr->no_share_job_cnt > 0;
	if (!used && !jobs && !exclusive)
		return 0;
	return tp_state_alloc(state, f, used, exclusive);
}

extern tp_state_t *topopack_nodes_state(topopack_fabric_t *tf,
					bitstr_t *usable_bitmap,
					uint8_t **usable)
{
	tp_state_t *state = tp_state_new(tf->fabric);
	uint8_t *mask = NULL;

	*usable = NULL;
	if (!state)
		return NULL;
	if (usable_bitmap)
		mask = xcalloc(tf->nnodes + 1, sizeof(uint8_t));
	for (int f = 0; f < tf->nnodes; f++) {
		int i = tf->to_slurm[f];
		node_record_t *node_ptr = (i >= 0) ?
			node_record_table_ptr[i] : NULL;

		if (_node(state, tf->fabric, f, node_ptr))
			(void) tp_state_set_avail(state, f, TP_NODE_DOWN);
		if (mask && (i >= 0) && (i < bit_size(usable_bitmap)))
			mask[f] = bit_test(usable_bitmap, i) ? 1 : 0;
	}
	*usable = mask;
	return state;
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
