/*****************************************************************************\
 *  topopack_pick.h - steer select/cons_tres's choice of nodes with
 *  libtopopack's placement.
 *
 *  select/cons_tres takes a bitmap of the nodes it may use and clears the
 *  ones it does not choose. topopack narrows that bitmap to the nodes its
 *  placement picked and lets cons_tres allocate cores, memory and GPUs
 *  there. When cons_tres cannot fit the job in the narrowed set (the
 *  placement knows GPUs, not cores or memory), the set widens step by
 *  step, ending with the bitmap Slurm gave, so that no job waits, and no
 *  job is preempted, that stock Slurm would start.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SELECT_PICK_H
#define _TOPOPACK_SELECT_PICK_H

#include "src/common/select.h"
#include "src/slurmctld/slurmctld.h"

/*
 * select_p_job_test through topopack. The arguments are
 * select_p_job_test's (see select_topopack.c); cons is cons_tres.
 *
 * 0. Preemption (topopack_preempt.h): a plan held for the job, or a new
 *    plan when Slurm lists preemptee candidates and preempting gives a
 *    more compact placement, is offered to cons_tres first; when it
 *    answers, its answer is final. Otherwise:
 * 1. The job's request and the nodes' state go to libtopopack, which
 *    places the job on the usable nodes of node_bitmap
 *    (TP_POLICY_TOPOPACK). A job it does not place, or cannot place now,
 *    goes to cons_tres as it came (step 3 only).
 * 2. cons_tres tests the job on the placement's nodes, then on every
 *    usable node of the placement's leaf switches. These tries neither
 *    preempt (no preemptee candidates) nor look ahead: in WILL_RUN mode
 *    they must be able to start now (TEST_NOW_ONLY), so a job placed
 *    later by stock Slurm gets stock Slurm's answer.
 * 3. cons_tres tests the job on node_bitmap with every argument as it
 *    came: exactly stock Slurm.
 * The first success wins; node_bitmap is set to the nodes chosen.
 * RET as cons_tres's select_p_job_test
 */
extern int topopack_pick_job(slurm_select_ops_t *cons, job_record_t *job_ptr,
			     bitstr_t *node_bitmap, uint32_t min_nodes,
			     uint32_t max_nodes, uint32_t req_nodes,
			     uint16_t mode, List preemptee_candidates,
			     List *preemptee_job_list,
			     bitstr_t *exc_core_bitmap);

/*
 * select_p_resv_test through topopack: a reservation of node_cnt whole
 * nodes (no core count) is first offered the nodes of the placement of
 * node_cnt exclusive nodes, then, if cons_tres refuses them, everything
 * avail_bitmap holds. Core-count reservations go to cons_tres alone.
 * RET as cons_tres's select_p_resv_test
 */
extern bitstr_t *topopack_pick_resv(slurm_select_ops_t *cons,
				    resv_desc_msg_t *resv_desc_ptr,
				    uint32_t node_cnt, bitstr_t *avail_bitmap,
				    bitstr_t **core_bitmap);

#endif /* _TOPOPACK_SELECT_PICK_H */
