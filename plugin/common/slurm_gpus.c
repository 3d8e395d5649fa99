/*****************************************************************************\
 *  slurm_gpus.c - GPUs (gres/gpu) as slurmctld's node and job records
 *  count them.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <limits.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/list.h"
#include "src/common/xstring.h"

#include "slurm_gpus.h"
#include "slurm_release.h"

typedef struct {
	uint64_t avail, alloc, config;
	int types;
	const char *type;
} node_sum_t;

static int _node_sum(void *x, void *arg)
{
	gres_state_t *gres_state = x;
	gres_node_state_t *gres_ns = gres_state->gres_data;
	node_sum_t *sum = arg;

	if (xstrcmp(gres_state->gres_name, "gpu") || !gres_ns)
		return 0;
	sum->avail += gres_ns->gres_cnt_avail;
	sum->alloc += gres_ns->gres_cnt_alloc;
	/* Configured count; a node whose slurm.conf line names no count
	 * has only what it registered. */
	sum->config += gres_ns->gres_cnt_config ? gres_ns->gres_cnt_config :
		gres_ns->gres_cnt_avail;
	for (int t = 0; t < gres_ns->type_cnt; t++) {
		if (!gres_ns->type_name || !gres_ns->type_name[t])
			continue;
		sum->types++;
		sum->type = gres_ns->type_name[t];
	}
	return 0;
}

static void _node_sum_of(node_record_t *node_ptr, node_sum_t *sum)
{
	memset(sum, 0, sizeof(*sum));
	if (node_ptr->gres_list)
		(void) list_for_each(node_ptr->gres_list, _node_sum, sum);
}

extern void topopack_node_gpus(node_record_t *node_ptr, uint64_t *avail,
			       uint64_t *alloc)
{
	node_sum_t sum;

	_node_sum_of(node_ptr, &sum);
	*avail = sum.avail;
	*alloc = sum.alloc;
}

extern int topopack_node_gpu_config(node_record_t *node_ptr,
				    const char **type)
{
	node_sum_t sum;

	_node_sum_of(node_ptr, &sum);
	*type = (sum.types == 1) ? sum.type : NULL;
	return (sum.config > INT_MAX) ? INT_MAX : (int) sum.config;
}

extern bool topopack_node_unusable(node_record_t *node_ptr)
{
	return !node_ptr || IS_NODE_DOWN(node_ptr) || IS_NODE_DRAIN(node_ptr) ||
		IS_NODE_FAIL(node_ptr) || IS_NODE_NO_RESPOND(node_ptr) ||
		IS_NODE_FUTURE(node_ptr);
}

typedef struct {
	int i, k;		/* Slurm node index, node of the job */
	uint64_t gpus;
	bool found;
} job_sum_t;

static int _job_alloc(void *x, void *arg)
{
	gres_state_t *gres_state = x;
	gres_job_state_t *gres_js = gres_state->gres_data;
	job_sum_t *sum = arg;

	if (xstrcmp(gres_state->gres_name, "gpu") || !gres_js ||
	    !gres_js->gres_cnt_node_alloc ||
	    (sum->k >= (int) gres_js->node_cnt))
		return 0;
	sum->gpus += gres_js->gres_cnt_node_alloc[sum->k];
	sum->found = true;
	return 0;
}

static int _job_select(void *x, void *arg)
{
	gres_state_t *gres_state = x;
	gres_job_state_t *gres_js = gres_state->gres_data;
	job_sum_t *sum = arg;
	int i = sum->i;

	if (xstrcmp(gres_state->gres_name, "gpu") || !gres_js)
		return 0;
	if (gres_js->gres_cnt_node_select &&
	    (i < (int) gres_js->total_node_cnt))
		sum->gpus += gres_js->gres_cnt_node_select[i];
	else if (gres_js->gres_bit_select &&
		 (i < (int) gres_js->total_node_cnt) &&
		 gres_js->gres_bit_select[i])
		sum->gpus += bit_set_count(gres_js->gres_bit_select[i]);
	else
		sum->gpus += gres_js->gres_per_node;
	return 0;
}

/*
 * At job begin cons_tres has chosen the GPUs (gres_cnt_node_select /
 * gres_bit_select of the request) but not yet recorded the allocation;
 * the allocation is read first in case it is there.
 */
extern int topopack_job_node_gpus(job_record_t *job_ptr, int i, int k,
				  int cap)
{
	job_sum_t sum = { .i = i, .k = k };

	if (job_ptr->gres_list_alloc)
		(void) list_for_each(job_ptr->gres_list_alloc, _job_alloc,
				     &sum);
	if (!sum.found && job_ptr->gres_list_req)
		(void) list_for_each(job_ptr->gres_list_req, _job_select,
				     &sum);
	return (sum.gpus > (uint64_t) cap) ? cap : (int) sum.gpus;
}
