/*****************************************************************************\
 *  preempt_victims.h - slurmctld's preemptable jobs and node usage as the
 *  input of libtopopack's preemption planner.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_PREEMPT_VICTIMS_H
#define _TOPOPACK_PREEMPT_VICTIMS_H

#include <time.h>

#include "src/slurmctld/slurmctld.h"

#include "slurm_release.h"
#include "topopack.h"

/* A fabric matched to Slurm's node table by name. */
typedef struct {
	const tp_fabric_t *fabric;
	int nnodes;		/* fabric nodes */
	const int *to_slurm;	/* by fabric node: Slurm node index, or -1 */
	int slurm_count;	/* Slurm nodes in to_fabric */
	const int *to_fabric;	/* by Slurm node index: fabric node, or -1 */
} slurm_fabric_t;

typedef struct {
	int nv;
	tp_victim_t *v;
	job_record_t **job;	/* Slurm's record of each victim */
	int **gpus;		/* v[j].gpus, writable */
} preempt_victims_t;

/*
 * Every candidate with nodes in the fabric as a victim: its GPUs on each
 * node, priority, and the work it would lose now (time since its start,
 * or since its last checkpoint when it declared an interval with
 * --topopack-checkpoint).
 * IN candidates - job_record_t list (Slurm's preemptee candidates)
 * OUT vs - free with preempt_victims_free()
 */
extern void preempt_victims(const slurm_fabric_t *sf, list_t *candidates,
			    time_t now, preempt_victims_t *vs);
extern void preempt_victims_free(preempt_victims_t *vs);

/*
 * The allocation state with each victim as an allocation of its own and
 * everything else Slurm has given out on a node as one more; nodes that
 * take no job now are unavailable. Victims' GPU counts are cut to what
 * Slurm still counts on the node; a victim is exclusive only where it is
 * alone on its nodes (node locks held).
 * RET the state, or NULL when the counts do not fit the nodes
 */
extern tp_state_t *preempt_victims_state(const slurm_fabric_t *sf,
					 preempt_victims_t *vs);

#endif /* _TOPOPACK_PREEMPT_VICTIMS_H */
