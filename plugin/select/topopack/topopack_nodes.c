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

extern int topopack_node_gpu_config(node_record_t *node_ptr,
				    const char **type)
{
	gres_node_state_t *gres_ns;
	gres_state_t *gres_state;
	ListIterator iter;
	uint64_t gpus = 0;
	int types = 0;

	*type = NULL;
	if (!node_ptr->gres_list)
		return 0;
	iter = list_iterator_create(node_ptr->gres_list);
	while ((gres_state = list_next(iter))) {
		if (xstrcmp(gres_state->gres_name, "gpu") ||
		    !(gres_ns = gres_state->gres_data))
			continue;
		/* Configured count; a node whose slurm.conf line names no
		 * count has only what it registered. */
		gpus += gres_ns->gres_cnt_config ? gres_ns->gres_cnt_config :
			gres_ns->gres_cnt_avail;
		for (int t = 0; t < gres_ns->type_cnt; t++) {
			if (!gres_ns->type_name || !gres_ns->type_name[t])
				continue;
			types++;
			*type = gres_ns->type_name[t];
		}
	}
	list_iterator_destroy(iter);
	if (types != 1)
		*type = NULL;
	return (gpus > INT_MAX) ? INT_MAX : (int) gpus;
}

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

/*
 * At job begin cons_tres has chosen the GPUs (gres_cnt_node_select /
 * gres_bit_select of the request) but not yet recorded the allocation;
 * the allocation is read first in case it is there.
 */
extern int topopack_job_node_gpus(job_record_t *job_ptr, int i, int k,
				  int cap)
{
	gres_job_state_t *gres_js;
	gres_state_t *gres_state;
	ListIterator iter;
	uint64_t gpus = 0;
	bool found = false;

	if (job_ptr->gres_list_alloc) {
		iter = list_iterator_create(job_ptr->gres_list_alloc);
		while ((gres_state = list_next(iter))) {
			gres_js = gres_state->gres_data;
			if (xstrcmp(gres_state->gres_name, "gpu") || !gres_js ||
			    !gres_js->gres_cnt_node_alloc ||
			    (k >= (int) gres_js->node_cnt))
				continue;
			gpus += gres_js->gres_cnt_node_alloc[k];
			found = true;
		}
		list_iterator_destroy(iter);
	}
	if (found || !job_ptr->gres_list_req)
		return (gpus > (uint64_t) cap) ? cap : (int) gpus;
	iter = list_iterator_create(job_ptr->gres_list_req);
	while ((gres_state = list_next(iter))) {
		gres_js = gres_state->gres_data;
		if (xstrcmp(gres_state->gres_name, "gpu") || !gres_js)
			continue;
		if (gres_js->gres_cnt_node_select &&
		    (i < (int) gres_js->total_node_cnt))
			gpus += gres_js->gres_cnt_node_select[i];
		else if (gres_js->gres_bit_select &&
			 (i < (int) gres_js->total_node_cnt) &&
			 gres_js->gres_bit_select[i])
			gpus += bit_set_count(gres_js->gres_bit_select[i]);
		else
			gpus += gres_js->gres_per_node;
	}
	list_iterator_destroy(iter);
	return (gpus > (uint64_t) cap) ? cap : (int) gpus;
}
