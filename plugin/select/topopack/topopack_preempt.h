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

#include "cons_tres.h"
#include "topopack_fabric.h"
#include "topopack_hold.h"

/* A held plan older than this is forgotten. */
#define TOPOPACK_HOLD_MAX_AGE 600

/*
 * A plan held for the job (looked up by the caller, never in TEST_ONLY
 * mode): cons_tres tests the job on the plan's nodes with, as
 * candidates, the plan's victims that Slurm still lists. The answer is
 * final (the job waits for its victims) unless cons_tres refuses and no
 * victim is left draining: the hold is then dropped.
 * OUT rc - the answer when final
 * RET true when final (node_bitmap and *preemptee_job_list are set as
 *	cons_tres set them)
 */
extern bool topopack_preempt_held(const cons_tres_call_t *call,
				  const topopack_hold_t *hold, int *rc);

/*
 * Whether to plan a preemption for the call: RUN_NOW or WILL_RUN with
 * preemptee candidates, all of them removable by cons_tres (PreemptMode
 * REQUEUE or CANCEL; candidates to suspend are left to cons_tres, which
 * is logged with DebugFlags=SelectType).
 */
extern bool topopack_preempt_wanted(const cons_tres_call_t *call);

/*
 * tp_preempt_plan() for the request over the call's candidates, within
 * its time budget (a cut search is logged with DebugFlags=SelectType;
 * running out of memory, at error level).
 * IN tf - the locked fabric
 * OUT plan - the plan, when it has victims (tp_preempt_plan_clear() it)
 * RET the Slurm nodes of the plan's placement, or NULL: no plan with
 *	victims
 */
extern bitstr_t *topopack_preempt_plan(topopack_fabric_t *tf,
				       const cons_tres_call_t *call,
				       const tp_request_t *request,
				       tp_preempt_plan_t *plan);

/*
 * Offer a fresh plan to cons_tres: the plan's nodes and only the plan's
 * victims as candidates. In RUN_NOW mode, when cons_tres accepts and
 * Slurm is to preempt jobs, the plan is logged at info level as
 *	topopack: preempt JobId=A,B,... for JobId=M nodes=<hostlist>
 *	lost_gpu_seconds=S
 * and held (topopack_hold.h).
 * OUT rc - cons_tres's answer
 * RET true when cons_tres accepted (the answer is final)
 */
extern bool topopack_preempt_offer(const cons_tres_call_t *call,
				   bitstr_t *nodes,
				   const tp_preempt_plan_t *plan, int *rc);

/* The job starts (select_p_job_begin): forget its plan. */
extern void topopack_preempt_job_started(job_record_t *job_ptr);

/* Forget every plan (plugin fini). */
extern void topopack_preempt_fini(void);

#endif /* _TOPOPACK_SELECT_PREEMPT_H */
