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

typedef struct {
	uint32_t job_id;	/* the pending job the plan is for */
	bitstr_t *nodes;	/* Slurm nodes the job is to take */
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
 * Forget every plan for which keep(hold, arg) returns false.
 * keep must not call back into this module.
 */
extern void topopack_hold_prune(bool (*keep)(const topopack_hold_t *hold,
					     void *arg), void *arg);

/* RET whether id is one of the hold's victims. */
extern bool topopack_hold_is_victim(const topopack_hold_t *hold, uint32_t id);

/* Free a copy returned by topopack_hold_get() (its fields). */
extern void topopack_hold_free(topopack_hold_t *hold);

/* Forget every plan (plugin fini). */
extern void topopack_hold_clear(void);

#endif /* _TOPOPACK_HOLD_H */
