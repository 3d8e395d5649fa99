/*****************************************************************************\
 *  topopack_hold.h - preemption plans kept while their victims drain.
 *
 *  When a pending job has had jobs preempted for it, the job waits until
 *  they are gone (KillWait, GraceTime, epilogs). Planned afresh on every
 *  scheduling cycle, it could then hop to another block and have a second
 *  round of jobs preempted. A hold remembers, per pending job id, the plan
 *  that was carried out: the Slurm nodes it targets, the ids of the jobs
 *  it preempts and when it was made, so that later cycles reuse it.
 *
 *  A second kind of hold keeps the surviving nodes of a job that lost a
 *  node and was requeued (--topopack-recover): the nodes it is to get
 *  back and those that failed under it. The two kinds are kept apart: a
 *  job may have one of each, and the functions without a kind argument
 *  handle preemption plans only.
 *
 *  This module only stores holds; whether a hold still applies is decided
 *  by its user (select/topopack's topopack_preempt.c, topology/topopack's
 *  topology_preempt.c) from slurmctld's records. Holds are
 *  copied in and out, so nothing returned refers to the store. Every
 *  function is thread safe.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_HOLD_H
#define _TOPOPACK_HOLD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "src/common/bitstring.h"

typedef enum {
	TOPOPACK_HOLD_PREEMPT = 0,	/* a preemption plan */
	TOPOPACK_HOLD_RECOVER,		/* nodes kept for a requeued job */
} topopack_hold_kind_t;

typedef struct {
	uint32_t job_id;	/* the pending job the plan is for */
	topopack_hold_kind_t kind;
	bitstr_t *nodes;	/* Slurm nodes the job is to take */
	bitstr_t *failed;	/* RECOVER: nodes that failed under it */
	uint32_t *victim;	/* ids of the jobs preempted for it */
	int nvictims;
	time_t made;		/* when the plan was carried out */
} topopack_hold_t;

/*
 * Remember a plan for job_id, replacing any earlier one. nodes and
 * victim are copied.
 */
extern void topopack_hold_put(uint32_t job_id, bitstr_t *nodes,
			      const uint32_t *victim, int nvictims,
			      time_t made);

/*
 * The plan held for job_id.
 * OUT out - a copy (free with topopack_hold_free()) when found
 * RET true when a plan is held
 */
extern bool topopack_hold_get(uint32_t job_id, topopack_hold_t *out);

/* Forget the plan of job_id (no-op when none is held). */
extern void topopack_hold_forget(uint32_t job_id);

/*
 * Forget every plan for which keep(hold, arg) returns false (preemption
 * plans only). keep must not call back into this module.
 */
extern void topopack_hold_prune(bool (*keep)(const topopack_hold_t *hold,
					     void *arg), void *arg);

/* RET whether id is one of the hold's victims. */
extern bool topopack_hold_is_victim(const topopack_hold_t *hold, uint32_t id);

/* Free a copy returned by topopack_hold_get() (its fields). */
extern void topopack_hold_free(topopack_hold_t *hold);

/*
 * Keep nodes for a job that lost failed (a recovery hold), replacing any
 * earlier recovery hold of the job. nodes and failed are copied; failed
 * may be NULL.
 */
extern void topopack_hold_put_recover(uint32_t job_id, bitstr_t *nodes,
				      bitstr_t *failed, time_t made);

/*
 * The hold of that kind for job_id.
 * OUT out - a copy (free with topopack_hold_free()) when found
 * RET true when one is held
 */
extern bool topopack_hold_get_kind(uint32_t job_id, topopack_hold_kind_t kind,
				   topopack_hold_t *out);

/* Forget the hold of that kind of job_id (no-op when none is held). */
extern void topopack_hold_forget_kind(uint32_t job_id,
				      topopack_hold_kind_t kind);

/*
 * Forget every hold of that kind for which keep(hold, arg) returns
 * false. keep must not call back into this module.
 */
extern void topopack_hold_prune_kind(topopack_hold_kind_t kind,
				     bool (*keep)(const topopack_hold_t *hold,
						  void *arg), void *arg);

/*
 * The union of the nodes of every recovery hold of a job other than
 * job_id (0: of every job), as a bitmap of size bits.
 * RET a new bitmap (FREE_NULL_BITMAP it), or NULL when no such hold has
 *	a node
 */
extern bitstr_t *topopack_hold_recover_nodes(uint32_t job_id, int size);

/* Forget every hold of every kind (plugin fini). */
extern void topopack_hold_clear(void);

#endif /* _TOPOPACK_HOLD_H */
