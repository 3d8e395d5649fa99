/*****************************************************************************\
 *  cons_tres.h - select/cons_tres loaded inside select/topopack, so that
 *  every select_p_* call can be handed to it.
 *
 *  select/topopack only chooses which nodes a job may use; cores, memory,
 *  GRES accounting and everything Slurm stores about a node or a job stay
 *  select/cons_tres's. This file loads cons_tres through Slurm's plugin
 *  loader (it searches each directory of PluginDir, checks the release and
 *  calls cons_tres's init()) and keeps its entry points.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SELECT_CONS_TRES_H
#define _TOPOPACK_SELECT_CONS_TRES_H

#include "src/common/select.h"
#include "src/slurmctld/slurmctld.h"

/*
 * Load select/cons_tres once per process (later calls return at once).
 * Safe to call from any thread. cons_tres's init() is idempotent, so it
 * does not matter that Slurm may have loaded it already as one of the
 * select plugins found in PluginDir.
 * RET SLURM_SUCCESS, or SLURM_ERROR (logged) when it cannot be loaded.
 */
extern int cons_tres_load(void);

/*
 * The loaded entry points, or NULL when cons_tres_load() did not succeed.
 * The table has the layout Slurm uses for every select plugin.
 */
extern slurm_select_ops_t *cons_tres_ops(void);

/*
 * Entry points, loading cons_tres on first use; NULL (logged once) when
 * it cannot be loaded. For calls that can arrive before init() decided
 * anything, e.g. unpacking job or node data tagged with this plugin's id
 * in a daemon configured with another SelectType.
 */
extern slurm_select_ops_t *cons_tres_ops_load(void);

/* One select_p_job_test call, as slurmctld made it (see
 * select_topopack.c for the arguments), with cons_tres to answer it. */
typedef struct {
	slurm_select_ops_t *cons;
	job_record_t *job_ptr;
	bitstr_t *node_bitmap;
	uint32_t min_nodes;
	uint32_t max_nodes;
	uint32_t req_nodes;
	uint16_t mode;
	List preemptee_candidates;
	List *preemptee_job_list;
	bitstr_t *exc_core_bitmap;
} cons_tres_call_t;

/*
 * cons_tres's job_test for the call on nodes instead of the call's
 * node_bitmap.
 * IN preempt - true: a preemption plan's try, with victims (jobs of the
 *	call's candidates, may be NULL) as the candidates; on success
 *	*preemptee_job_list gets the jobs Slurm is to preempt.
 *	false: preempting nothing, and in WILL_RUN mode only an answer of
 *	"now" counts, so a job stock Slurm would start later gets stock
 *	Slurm's answer.
 * On success the call's node_bitmap gets the nodes chosen.
 * RET as cons_tres's job_test
 */
extern int cons_tres_test_on(const cons_tres_call_t *call, bitstr_t *nodes,
			     bool preempt, List victims);

/* Unload (calls cons_tres's fini(), which is idempotent too). */
extern void cons_tres_unload(void);

#endif /* _TOPOPACK_SELECT_CONS_TRES_H */
