/*****************************************************************************\
 *  topopack_request.c - a Slurm job (or reservation) as a libtopopack
 *  request.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <limits.h>
#include <string.h>
#include <time.h>

#include "src/common/slurm_xlator.h"

#include "src/common/list.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "slurm_release.h"
#include "topopack_request.h"

typedef struct {
	gres_job_state_t *found;
	bool several;
} gpu_find_t;

static int _gpu_find(void *x, void *arg)
{
	gres_state_t *gres_state = x;
	gpu_find_t *find = arg;

	if (xstrcmp(gres_state->gres_name, "gpu"))
		return 0;
	if (find->found)
		find->several = true;
	find->found = gres_state->gres_data;
	return 0;
}

/* The job's only gres/gpu request, NULL when it has none; *several when it
 * has more than one (e.g. two GPU types). */
static gres_job_state_t *_gpu_request(job_record_t *job_ptr, bool *several)
{
	gpu_find_t find = { .found = NULL, .several = false };

	if (job_ptr->gres_list_req)
		(void) list_for_each(job_ptr->gres_list_req, _gpu_find, &find);
	*several = find.several;
	return find.found;
}

static int _clamp(uint64_t v)
{
	return (v > INT_MAX) ? INT_MAX : (int) v;
}

/* GPUs: per node (req->gpus_per_node) or in total (req->total_gpus). */
static int _gpus(job_record_t *job_ptr, gres_job_state_t *gpu,
		 tp_request_t *req, const char **why)
{
	job_details_t *details = job_ptr->details;
	uint16_t sockets = NO_VAL16;

	if (gpu->gres_per_node) {
		req->gpus_per_node = _clamp(gpu->gres_per_node);
	} else if (gpu->gres_per_job) {
		req->total_gpus = _clamp(gpu->gres_per_job);
	} else if (gpu->gres_per_task) {
		if (!details->num_tasks || (details->num_tasks == NO_VAL)) {
			*why = "GPUs per task without a task count";
			return SLURM_ERROR;
		}
		req->total_gpus = _clamp(gpu->gres_per_task *
					 details->num_tasks);
	} else if (gpu->gres_per_socket) {
		if (details->mc_ptr)
			sockets = details->mc_ptr->sockets_per_node;
		if (!sockets || (sockets == NO_VAL16)) {
			*why = "GPUs per socket without a socket count";
			return SLURM_ERROR;
		}
		req->gpus_per_node = _clamp(gpu->gres_per_socket * sockets);
	} else {
		*why = "GPU request without a count";
		return SLURM_ERROR;
	}
	req->gpu_type = gpu->type_name;
	return SLURM_SUCCESS;
}

extern bool topopack_request_exclusive(job_record_t *job_ptr)
{
	if (job_ptr->details &&
	    (job_ptr->details->whole_node == WHOLE_NODE_REQUIRED))
		return true;
	return job_ptr->part_ptr && (job_ptr->part_ptr->max_share == 0);
}

/* --switches=N: the leaf limit while the job may still wait for it. */
static int _max_leaves(job_record_t *job_ptr)
{
	if (!job_ptr->req_switch || (job_ptr->req_switch == NO_VAL))
		return 0;
	if (job_ptr->wait4switch_start &&
	    (difftime(time(NULL), job_ptr->wait4switch_start) >=
	     job_ptr->wait4switch))
		return 0;	/* waited long enough: any leaves */
	return _clamp(job_ptr->req_switch);
}

extern int topopack_request_from_job(job_record_t *job_ptr,
				     uint32_t min_nodes, uint32_t max_nodes,
				     uint32_t req_nodes, int fabric_nodes,
				     tp_request_t *req, const char **why)
{
	job_details_t *details = job_ptr->details;
	gres_job_state_t *gpu;
	bool several;
	uint32_t nodes;

	memset(req, 0, sizeof(*req));
	if (!details) {
		*why = "no job details";
		return SLURM_ERROR;
	}
	if (details->req_node_bitmap) {
		*why = "required nodes";
		return SLURM_ERROR;
	}
	if (details->contiguous) {
		*why = "contiguous nodes";
		return SLURM_ERROR;
	}
	req->exclusive = topopack_request_exclusive(job_ptr);
	gpu = _gpu_request(job_ptr, &several);
	if (several) {
		*why = "several GPU requests";
		return SLURM_ERROR;
	}
	if (gpu && TOPOPACK_GRES_JOB_NO_CONSUME(gpu)) {
		*why = "non-consumable GPUs";
		return SLURM_ERROR;
	}
	if (!gpu && !req->exclusive) {
		*why = "neither GPUs nor whole nodes";
		return SLURM_ERROR;
	}
	if (gpu && (_gpus(job_ptr, gpu, req, why) != SLURM_SUCCESS))
		return SLURM_ERROR;

	if (max_nodes >= (uint32_t) fabric_nodes)
		max_nodes = 0;	/* no limit within the fabric */
	if (req->total_gpus) {
		req->nodes = _clamp(MAX(min_nodes, 1));
		req->max_nodes = _clamp(max_nodes);
	} else {
		nodes = MAX(MAX(min_nodes, req_nodes), 1);
		if (max_nodes && (nodes > max_nodes))
			nodes = max_nodes;
		req->nodes = _clamp(nodes);
	}
	req->max_leaves = _max_leaves(job_ptr);
	return SLURM_SUCCESS;
}

extern void topopack_request_from_resv(uint32_t node_cnt, tp_request_t *req)
{
	memset(req, 0, sizeof(*req));
	req->nodes = _clamp(node_cnt);
	req->exclusive = true;
}

extern bool topopack_request_recover(job_record_t *job_ptr)
{
	size_t len = strlen(TP_RECOVER_ENV);
	const char *part;
	tp_fabric_t *fabric;
	bool recovers;

	for (uint32_t i = 0; i < job_ptr->spank_job_env_size; i++) {
		const char *e = job_ptr->spank_job_env[i];

		if (e && !strncmp(e, TP_RECOVER_ENV, len) && (e[len] == '='))
			return !strcmp(e + len + 1, "1");
	}
	/* Its partition's default: the one it runs in, or its only one. */
	part = job_ptr->part_ptr ? job_ptr->part_ptr->name :
		job_ptr->partition;
	if (!part || !(fabric = tp_fabric_hold(NULL)))
		return false;
	recovers = tp_fabric_partition_recovers(fabric, part);
	tp_fabric_put(fabric);
	return recovers;
}
