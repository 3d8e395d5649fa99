/*****************************************************************************\
 *  recover_hold.h - a job that lost a node restarts where it ran: its
 *  recovery hold, kept from slurmctld's records by every adapter.
 *
 *  When a node of a running batch job fails (set DOWN by an admin or by
 *  slurmctld, or not responding), Slurm requeues the job if it may be
 *  requeued (kill_running_job_by_node_name in job_mgr.c) and keeps it
 *  pending for the credential window (AuthInfo=cred_expire) before it
 *  may run again. In that window stock Slurm lets any job take the nodes
 *  it left, and places it anew afterwards, often elsewhere.
 *
 *  For a job that asked (--topopack-recover, TP_RECOVER_ENV in its job
 *  control environment) the adapters, each from the hook its Slurm
 *  release offers (select/topopack: select_p_job_fini; topology/topopack:
 *  what it sees of the job in slurmctld's records, topology_recover.h):
 *  - keep its surviving nodes (a recovery hold, topopack_hold.h) and
 *    note the nodes that failed:
 *	topopack: JobId=J recovering: holding nodes=<hostlist>
 *	failed=<hostlist> for S s
 *  - start no other job on the held nodes (they are taken out of every
 *    other job's offer) until the job starts again, leaves the queue, is
 *    held (priority 0), or TOPOPACK_RECOVER_HOLD_TIME passes;
 *  - place the job on its held nodes plus replacements from the NVLink
 *    domains, then the leaf switches, it used (recover_candidates()): a
 *    free spare first, then another free node, else by preempting jobs
 *    Slurm lists as preemptable by it there (the preemption planner,
 *    least lost work); only when neither fits is it placed anywhere. The
 *    failed nodes are never offered to it while the hold lasts. When it
 *    runs again:
 *	topopack: JobId=J recovered: nodes=<hostlist> held=<hostlist>
 *	failed=<hostlist> after S s
 *  Jobs that did not ask are left as stock Slurm treats them.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_RECOVER_HOLD_H
#define _TOPOPACK_RECOVER_HOLD_H

#include <stdbool.h>

#include "src/common/bitstring.h"
#include "src/slurmctld/slurmctld.h"

#include "preempt_victims.h"
#include "topopack_hold.h"

/* Seconds a recovering job's nodes are kept for it. */
#define TOPOPACK_RECOVER_HOLD_TIME 300

/*
 * The job, which asked for recovery, was requeued after running on
 * nodes: hold those still usable for it, the others being the failed
 * ones (node records; logged at info level).
 * RET false (nothing held) when none of nodes has failed: the job was
 *	requeued for another reason
 */
extern bool recover_hold_make(job_record_t *job_ptr, bitstr_t *nodes);

/* The job runs again: its recovery hold is released (logged at info
 * level when it had one). */
extern void recover_hold_started(job_record_t *job_ptr);

/*
 * Before a placement: drop the holds that no longer apply, then narrow
 * node_bitmap: for another job, without the nodes held for recovering
 * jobs; for a recovering job, without the nodes that failed under it
 * (held nodes that have failed since are moved to those).
 * OUT own - the job's own hold when it has one (topopack_hold_free() it)
 * RET true when the job has a recovery hold
 */
extern bool recover_hold_narrow(job_record_t *job_ptr, bitstr_t *node_bitmap,
				topopack_hold_t *own);

/* Nothing runs, is suspended or completes on Slurm node i, which is
 * usable. */
extern bool recover_node_free(int i);

/*
 * The nodes that may replace the failed ones, best first: of offered,
 * neither held nor failed, in an NVLink domain the job used (tier 0),
 * then under a leaf switch it used (tier 1); within a tier free spares
 * (topopack_spares.h) first, then other free nodes, then busy ones.
 * IN sf - the fabric matched to Slurm's nodes
 * IN leaf_of - by fabric node: its leaf number (0 to sf->nnodes - 1)
 * OUT cand - Slurm node indices (xfree it); RET their count
 * OUT first_spare - whether cand[0] is a free spare
 * OUT region - every such node (FREE_NULL_BITMAP it)
 */
extern int recover_candidates(const slurm_fabric_t *sf, const int *leaf_of,
			      const topopack_hold_t *hold, bitstr_t *offered,
			      int **cand, bool *first_spare,
			      bitstr_t **region);

/*
 * The held nodes and the k first candidates, when those are all free.
 * RET a new bitmap (FREE_NULL_BITMAP it), or NULL when fewer than k
 *	free candidates lead the list
 */
extern bitstr_t *recover_with_free(const topopack_hold_t *hold,
				   const int *cand, int n, int k);

/* Hostlist of a bitmap ("" for none or NULL); xfree it. */
extern char *recover_names(bitstr_t *nodes);

#endif /* _TOPOPACK_RECOVER_HOLD_H */
