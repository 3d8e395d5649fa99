/*****************************************************************************\
 *  topopack_recover.h - a job that lost a node restarts where it ran.
 *
 *  Slurm 22.05 requeues a batch job whose node failed through
 *  kill_running_job_by_node_name (job_mgr.c): state NODE_FAIL,
 *  deallocate_nodes -> select_p_job_fini, then PENDING. select/topopack
 *  makes the recovery hold (recover_hold.h) there, releases it at
 *  select_p_job_begin (recover_hold_started()), and places the recovering job through cons_tres on
 *  its held nodes and the best replacements.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SELECT_RECOVER_H
#define _TOPOPACK_SELECT_RECOVER_H

#include "src/slurmctld/slurmctld.h"

#include "cons_tres.h"

/*
 * select_p_job_fini: when the job asked for recovery and Slurm is
 * requeueing it for a node failure, hold its surviving nodes (logged at
 * info level).
 */
extern void topopack_recover_job_fini(job_record_t *job_ptr);

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
