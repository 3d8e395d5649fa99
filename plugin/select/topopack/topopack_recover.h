/*****************************************************************************\
 *  topopack_recover.h - a job that lost a node restarts where it ran.
 *
 *  When a node of a running batch job fails (set DOWN by an admin or by
 *  slurmctld, or not responding), Slurm 22.05 requeues the job if it may
 *  be requeued (kill_running_job_by_node_name in job_mgr.c: state
 *  NODE_FAIL, deallocate_nodes -> select_p_job_fini, then PENDING), and
 *  holds it for the credential window (AuthInfo=cred_expire) before it
 *  may run again. In that window stock Slurm lets any job take the nodes
 *  it left, and places it anew afterwards, often elsewhere.
 *
 *  For a job that asked (--topopack-recover, TP_RECOVER_ENV in its job
 *  control environment), select/topopack:
 *  - at select_p_job_fini of such a requeue, keeps its surviving nodes
 *    (a recovery hold, topopack_hold.h) and notes the nodes that failed:
 *	topopack: JobId=J recovering: holding nodes=<hostlist>
 *	failed=<hostlist> for S s
 *  - starts no other job on the held nodes (they are taken out of the
 *    node bitmap of every other job's placement) until the job starts
 *    again, leaves the queue, is held (priority 0), or
 *    TOPOPACK_RECOVER_HOLD_TIME passes;
 *  - places the job on its held nodes plus replacements from the NVLink
 *    domains, then the leaf switches, it used: a free node first, else
 *    by preempting jobs Slurm lists as preemptable by it there (the
 *    preemption planner, least lost work); only when neither fits is it
 *    placed anywhere. The failed nodes are never offered to it while the
 *    hold lasts. When it starts:
 *	topopack: JobId=J recovered: nodes=<hostlist> held=<hostlist>
 *	failed=<hostlist> after S s
 *  Jobs that did not ask are left as stock Slurm treats them.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SELECT_RECOVER_H
#define _TOPOPACK_SELECT_RECOVER_H

#include "src/slurmctld/slurmctld.h"

#include "cons_tres.h"

/* Seconds a recovering job's nodes are kept for it. */
#define TOPOPACK_RECOVER_HOLD_TIME 300

/*
 * select_p_job_fini: when the job asked for recovery and Slurm is
 * requeueing it for a node failure, hold its surviving nodes (logged at
 * info level).
 */
extern void topopack_recover_job_fini(job_record_t *job_ptr);

/* select_p_job_begin: the job starts; its recovery hold is released
 * (logged at info level when it had one). */
extern void topopack_recover_job_started(job_record_t *job_ptr);

/*
 * Before a placement (RUN_NOW or WILL_RUN; TEST_ONLY calls are left
 * alone): drop the holds that no longer apply, then narrow the call's
 * node_bitmap: for another job, without the nodes held for recovering
 * jobs; for a recovering job, without the nodes that failed under it.
 * RET true when the call is for a job with a recovery hold
 */
extern bool topopack_recover_narrow(const cons_tres_call_t *call);

/*
 * Place a recovering job (topopack_recover_narrow() returned true) back
 * on its held nodes and its domains' and leaves' nodes, see above.
 * OUT rc - the answer when final
 * RET true when final (node_bitmap and *preemptee_job_list set as
 *	cons_tres set them); false: place it as any other job
 */
extern bool topopack_recover_place(const cons_tres_call_t *call, int *rc);

#endif /* _TOPOPACK_SELECT_RECOVER_H */
