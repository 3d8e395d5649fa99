/*****************************************************************************\
 *  topology_recover.h - a job that lost a node restarts where it ran
 *  (Slurm 24.11 and later; recover_hold.h says what is done).
 *
 *  The topology plugin API has no call at job end: what Slurm did is
 *  read from its records at each placement instead. A job that asked for
 *  recovery is remembered with the nodes it runs on (when this plugin
 *  places it, and from a walk of the job list at most once a second
 *  after any job record changes). Slurm requeues a job for a node failure
 *  by setting it PENDING with one more restart (kill_running_job_by_node_
 *  name, job_mgr.c); it keeps it pending for the credential window and
 *  frees its other nodes once their epilogs end. The first placement
 *  after the requeue, which is at the latest the one that could give
 *  those nodes to another job, sees the job pending with a larger
 *  restart count and holds its surviving nodes when one of the nodes it
 *  ran on is no longer usable (a requeue without a failed node holds
 *  nothing). The first placement after it runs again releases the hold.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_TOPOLOGY_RECOVER_H
#define _TOPOPACK_TOPOLOGY_RECOVER_H

#include "src/interfaces/topology.h"

#include "preempt_victims.h"
#include "recover_hold.h"

/* Catch up with slurmctld's job records (job locks held), before a
 * placement narrows its offer (recover_hold_narrow()). */
extern void topology_recover_watch(void);

/* This plugin gave job_ptr nodes: remember them if it asked for
 * recovery, until it is seen running. */
extern void topology_recover_placed(job_record_t *job_ptr, bitstr_t *nodes);

typedef enum {
	RECOVER_NODES,		/* its held nodes and free replacements */
	RECOVER_BLOCK,		/* a preemption plan's block */
	RECOVER_WAIT,		/* no nodes: its held nodes are not offered */
	RECOVER_ANYWHERE,	/* no room where it ran: placed as any job */
} recover_choice_t;

/*
 * Where a recovering job (own: its hold) goes among te's offer: back on
 * its held nodes with the best free replacements (recover_candidates()),
 * else on the block of a preemption plan (topology_preempt.h) made on
 * its held nodes and the candidates alone, else anywhere. While some of
 * its held nodes are not offered (still completing) it waits.
 * IN sf, leaf_of - the fabric matched to Slurm's nodes, and its leaves
 * IN generation - the fabric's
 * IN req - the job's request
 * OUT chosen - RECOVER_NODES: the nodes (FREE_NULL_BITMAP it)
 * OUT block - RECOVER_BLOCK: the block (valid until the next plan)
 */
extern recover_choice_t topology_recover_choose(topology_eval_t *te,
						const slurm_fabric_t *sf,
						const int *leaf_of,
						unsigned long generation,
						const tp_request_t *req,
						const topopack_hold_t *own,
						bitstr_t **chosen,
						const tp_placement_t **block);

/* Forget the jobs remembered (at fini). */
extern void topology_recover_fini(void);

#endif /* _TOPOPACK_TOPOLOGY_RECOVER_H */
