/*****************************************************************************\
 *  topopack_preempt.h - which jobs to preempt, chosen by libtopopack's
 *  preemption planner, carried into select/cons_tres.
 *
 *  Stock cons_tres removes preemptable jobs one by one, in the order of
 *  Slurm's candidate list (priority, or youngest first), until the job
 *  fits anywhere; it knows nothing of where the freed GPUs are. topopack
 *  hands the candidates to tp_preempt_plan(), which picks the set of
 *  jobs whose removal gives the request the most compact placement with
 *  the least work lost, then offers cons_tres only the plan's nodes and
 *  only the plan's victims as candidates: Slurm then preempts exactly
 *  those (preemptee_job_list).
 *
 *  A plan that was carried out (RUN_NOW) is held for the job
 *  (topopack_hold.h) while the victims drain, and reused on later calls,
 *  so the job neither moves to another block nor has a second round of
 *  jobs preempted. A held plan is dropped when the job starts, when it is
 *  stale (a node of the plan is down or drained, a job started on its
 *  nodes after it was made, or it is older than ten minutes), and when
 *  the job is no longer pending.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SELECT_PREEMPT_H
#define _TOPOPACK_SELECT_PREEMPT_H

#include "src/common/select.h"
#include "src/slurmctld/slurmctld.h"

/* A held plan older than this is forgotten. */
#define TOPOPACK_HOLD_MAX_AGE 600

/*
 * select_p_job_test with preemption through topopack (arguments as
 * select_p_job_test's; cons is cons_tres; job and node locks held).
 *
 * 1. A valid plan held for the job: cons_tres tests the job on the plan's
 *    nodes with, as candidates, the plan's victims that Slurm still lists.
 *    The answer is final (the job waits for its victims) unless cons_tres
 *    refuses and no victim is left draining: the hold is then dropped and
 *    step 2 follows.
 * 2. RUN_NOW or WILL_RUN with preemptee candidates, all of them removable
 *    by cons_tres (PreemptMode REQUEUE or CANCEL), for a job topopack
 *    places: tp_preempt_plan() over slurmctld's jobs, within its time
 *    budget (a cut search is logged with DebugFlags=SelectType; running
 *    out of memory, at error level). A plan with victims
 *    is offered to cons_tres (plan's nodes, plan's victims); in RUN_NOW
 *    mode, when cons_tres accepts and Slurm is to preempt jobs, the plan
 *    is logged at info level as
 *	topopack: preempt JobId=A,B,... for JobId=M nodes=<hostlist>
 *	lost_gpu_seconds=S
 *    and held.
 * Anything else (no candidates, a plan without victims, a job topopack
 * does not place, cons_tres refusing a fresh plan) is not handled here.
 * OUT rc - the answer when handled
 * RET true when handled (node_bitmap and *preemptee_job_list are set as
 *	cons_tres set them), false to go on with the usual placement
 */
extern bool topopack_preempt_job(slurm_select_ops_t *cons,
				 job_record_t *job_ptr, bitstr_t *node_bitmap,
				 uint32_t min_nodes, uint32_t max_nodes,
				 uint32_t req_nodes, uint16_t mode,
				 List preemptee_candidates,
				 List *preemptee_job_list,
				 bitstr_t *exc_core_bitmap, int *rc);

/* The job starts (select_p_job_begin): forget its plan. */
extern void topopack_preempt_job_started(job_record_t *job_ptr);

/* Forget every plan (plugin fini). */
extern void topopack_preempt_fini(void);

#endif /* _TOPOPACK_SELECT_PREEMPT_H */
