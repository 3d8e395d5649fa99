/*****************************************************************************\
 *  status_slurm.h - a cluster's usage and jobs from the running Slurm,
 *  through libslurm's public API (slurm_load_node, slurm_load_jobs): no
 *  command output is parsed. Built only when configure finds libslurm.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_STATUS_SLURM_H
#define _TOPOPACK_STATUS_SLURM_H

#include "status_model.h"

/*
 * Load the fabric and read the nodes and jobs of the cluster.
 * IN topology - topology.conf, or NULL: the one next to slurm.conf
 *	($SLURM_CONF, else /etc/slurm/slurm.conf)
 * IN topopack - topopack.conf, or NULL: the one next to slurm.conf if
 *	there is one
 * Each node's GPU count is its configured gres/gpu; GPUs in use come
 * from its gres_used, a job's from its tres_alloc_str or gres_total
 * (running) or tres_req_str, tres_per_job or tres_per_node (pending),
 * and per node from its gres_detail.
 * RET a cluster, or NULL with err
 */
extern status_cluster_t *status_slurm_read(const char *topology,
					   const char *topopack,
					   tp_error_t *err);

/*
 * The preemption counters file slurmctld keeps: TP_PREEMPT_TALLY_FILE in
 * the StateSaveLocation of the running configuration.
 * RET a malloc'd path, or NULL with err
 */
extern char *status_slurm_tally_path(tp_error_t *err);

#endif /* _TOPOPACK_STATUS_SLURM_H */
