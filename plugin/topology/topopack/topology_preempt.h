/*****************************************************************************\
 *  topology_preempt.h - the block a job must start on when it preempts
 *  (Slurm 24.11 and later).
 *
 *  cons_tres preempts by trial: it takes its candidates away one by one,
 *  in the order the preempt plugin lists them, and asks the topology
 *  plugin for nodes after each; the jobs on the nodes of the first
 *  answer are preempted. The planner's choice (the most compact
 *  placement, then the least work lost) reaches Slurm through those
 *  answers: no nodes until the plan's block is free, then the block, so
 *  that the jobs preempted are the plan's.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_TOPOLOGY_PREEMPT_H
#define _TOPOPACK_TOPOLOGY_PREEMPT_H

#include "preempt_victims.h"

/*
 * The preemption planned for a pending job on slurmctld's records (job
 * and node locks held): its candidates are the jobs Slurm's preempt
 * plugin lists for it with PreemptMode REQUEUE or CANCEL. A plan is
 * remembered until a job or node record changes.
 * IN sf - the fabric matched to Slurm's nodes
 * IN generation - the fabric's generation (a new fabric: a new plan)
 * IN req - the job's request
 * IN within - Slurm nodes to plan on (a recovering job's domains and
 *	leaves, topology_recover.h), or NULL: the job's partition
 * RET the plan's placement (valid until the next call), or NULL when
 *	no preemption is planned: the job fits on what is free, preempting
 *	cannot place it better, Slurm lists no job it may preempt, no plan
 *	places it, or the job asks for what the planner does not model
 *	(node features, a reservation)
 */
extern const tp_placement_t *topology_preempt_block(const slurm_fabric_t *sf,
						    unsigned long generation,
						    job_record_t *job_ptr,
						    const tp_request_t *req,
						    bitstr_t *within);

/*
 * Once Slurm preempts the plan's victims, the block is the job's while
 * they drain: topology_preempt_block() returns it unchanged (a new plan
 * would change as they leave one by one), and other jobs are not given
 * its nodes; for up to 10 minutes, until the job is no longer pending
 * or no victim holds a node of the block.
 * RET the nodes held for jobs other than job_ptr (Slurm node indices;
 *	FREE_NULL_BITMAP it), or NULL
 */
extern bitstr_t *topology_preempt_held(job_record_t *job_ptr);

/* Forget the remembered plans and holds (at fini). */
extern void topology_preempt_fini(void);

#endif /* _TOPOPACK_TOPOLOGY_PREEMPT_H */
