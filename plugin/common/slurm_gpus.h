/*****************************************************************************\
 *  slurm_gpus.h - GPUs (gres/gpu) as slurmctld's node and job records
 *  count them.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SLURM_GPUS_H
#define _TOPOPACK_SLURM_GPUS_H

#include "src/common/node_conf.h"
#include "src/slurmctld/slurmctld.h"

/* GPUs Slurm counts on the node: available and allocated. */
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

#endif /* _TOPOPACK_SLURM_GPUS_H */
