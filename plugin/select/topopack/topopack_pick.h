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

#include "cons_tres.h"

/*
 * select_p_job_test through topopack, in one pass:
 * 1. A plan held for the job (topopack_hold.h), looked up once, is
 *    offered to cons_tres; when its answer is final, that is the answer.
 * 2. The engine gets the job's request, built once: a preemption plan
 *    (topopack_preempt.h) when Slurm lists preemptee candidates, and the
 *    placement on the usable nodes of node_bitmap as they are
 *    (TP_POLICY_TOPOPACK). A job it does not place, or cannot place now,
 *    goes to cons_tres as it came (the last step only).
 * 3. cons_tres, first success wins: the plan's nodes with the plan's
 *    victims; the placement's nodes, then every usable node of the
 *    placement's leaf switches, preempting nothing and, in WILL_RUN
 *    mode, only to start now; finally node_bitmap with every argument
 *    as it came: exactly stock Slurm. So no job waits, and no job is
 *    preempted, that stock Slurm would start.
 * node_bitmap is set to the nodes chosen.
 * RET as cons_tres's select_p_job_test
 */
extern int topopack_pick_job(const cons_tres_call_t *call);

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
