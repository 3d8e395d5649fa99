/*****************************************************************************\
 *  topopack_request.h - a Slurm job (or reservation) as a libtopopack
 *  request.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_REQUEST_H
#define _TOPOPACK_REQUEST_H

#include "src/slurmctld/slurmctld.h"

#include "topopack.h"

/*
 * Translate the job's request into a libtopopack request:
 *  - GPUs from the job's GRES request (gres/gpu): --gpus-per-node,
 *    --gres=gpu:N and --gpus-per-socket give the per-node form, --gpus
 *    and --gpus-per-task a GPU total; the GPU type when one is named;
 *  - node count as cons_tres counts it: the larger of min_nodes and
 *    req_nodes for the per-node form, min_nodes (and max_nodes when it
 *    is below the fabric's size) for a total;
 *  - exclusive for --exclusive or an OverSubscribe=EXCLUSIVE partition;
 *  - max_leaves from --switches=N while its wait has not run out.
 * Jobs topopack does not place (left to Slurm's own algorithm):
 * required node lists (-w), contiguous allocations, several GPU requests
 * of different types, non-consumable GPUs, and jobs that ask for no GPU
 * and no whole node.
 * IN job_ptr - the job being tested (job locks held)
 * IN min_nodes, max_nodes, req_nodes - as Slurm passes them to the
 *	plugin (select_p_job_test, or topology_p_eval_nodes)
 * IN fabric_nodes - node count of the fabric
 * OUT req - filled on success (zeroed first); req->gpu_type points into
 *	the job's GRES record, valid while the job locks are held;
 *	req->usable is left NULL for the caller
 * OUT why - on failure, a static text saying why topopack leaves the job
 * RET SLURM_SUCCESS, or SLURM_ERROR when topopack does not place the job
 */
extern int topopack_request_from_job(job_record_t *job_ptr,
				     uint32_t min_nodes, uint32_t max_nodes,
				     uint32_t req_nodes, int fabric_nodes,
				     tp_request_t *req, const char **why);

/* Whether the job takes whole nodes (--exclusive, or a partition with
 * OverSubscribe=EXCLUSIVE). */
extern bool topopack_request_exclusive(job_record_t *job_ptr);

/*
 * Whether the job asked to be recovered in place after a node failure
 * (--topopack-recover: TP_RECOVER_ENV=1 in its job control environment;
 * any other value counts as no), or, without TP_RECOVER_ENV, its
 * partition does by default (topopack.conf PartitionName= Recover=yes).
 */
extern bool topopack_request_recover(job_record_t *job_ptr);

/*
 * A reservation of node_cnt whole nodes.
 * OUT req - zeroed, then node_cnt exclusive nodes with no GPU count
 */
extern void topopack_request_from_resv(uint32_t node_cnt, tp_request_t *req);

#endif /* _TOPOPACK_REQUEST_H */
