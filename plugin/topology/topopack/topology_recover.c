/*****************************************************************************\
 *  topology_recover.c - a job that lost a node restarts where it ran
 *  (Slurm 24.11 and later).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <time.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"

#include "slurmctld_weak.h"
#include "topology_preempt.h"
#include "topology_recover.h"
#include "topopack_request.h"

/* A job that asked for recovery, as last seen. */
typedef struct {
	uint32_t job_id;
	uint16_t restart_cnt;	/* its restarts then */
	bitstr_t *nodes;	/* where it ran (or was placed) */
	uint32_t node_cnt;	/* running: its node count then; 0: not
				 * seen running since placed or requeued */
} watched_t;

/* Jobs that ask for recovery are the large ones: few at once. */
static watched_t *_watched = NULL;
static int _nwatched = 0, _room = 0;

/* When the job list was last walked, and its update stamp then. */
static time_t _walked_at = 0, _walked_update = 0;

static watched_t *_find(uint32_t job_id)
{
	for (int w = 0; w < _nwatched; w++)
		if (_watched[w].job_id == job_id)
			return &_watched[w];
	return NULL;
}

static bool _runs(job_record_t *job_ptr)
{
	return (IS_JOB_RUNNING(job_ptr) || IS_JOB_SUSPENDED(job_ptr)) &&
		job_ptr->node_bitmap;
}

/* Remember job_ptr on nodes (copied), with its restarts now. */
static void _remember(job_record_t *job_ptr, bitstr_t *nodes)
{
	watched_t *w = _find(job_ptr->job_id);

	if (!w) {
		if (_nwatched == _room) {
			_room = _room ? 2 * _room : 16;
			xrecalloc(_watched, _room, sizeof(*_watched));
		}
		w = &_watched[_nwatched++];
		w->job_id = job_ptr->job_id;
	}
	w->restart_cnt = job_ptr->restart_cnt;
	w->node_cnt = _runs(job_ptr) ? job_ptr->node_cnt : 0;
	if (w->nodes && (bit_size(w->nodes) == bit_size(nodes))) {
		bit_copybits(w->nodes, nodes);
	} else {
		FREE_NULL_BITMAP(w->nodes);
		w->nodes = bit_copy(nodes);
	}
}

static void _drop(int w)
{
	FREE_NULL_BITMAP(_watched[w].nodes);
	_watched[w] = _watched[--_nwatched];
}

/* Running batch jobs that asked for recovery are remembered. */
static int _walk(void *x, void *arg __attribute__((unused)))
{
	job_record_t *job_ptr = x;

	if (_runs(job_ptr) && job_ptr->batch_flag && !_find(job_ptr->job_id) &&
	    topopack_request_recover(job_ptr))
		_remember(job_ptr, job_ptr->node_bitmap);
	return 0;
}

/* What became of a remembered job. RET false when it is forgotten. */
static bool _follow(watched_t *w)
{
	job_record_t *job_ptr = find_job_record(w->job_id);

	if (!job_ptr)
		return false;
	if (_runs(job_ptr)) {
		/* Every placement comes here: only a start (or a resize)
		 * is news. */
		if ((w->node_cnt != job_ptr->node_cnt) ||
		    (w->restart_cnt != job_ptr->restart_cnt)) {
			recover_hold_started(job_ptr);
			_remember(job_ptr, job_ptr->node_bitmap);
		}
		return true;
	}
	if (!IS_JOB_PENDING(job_ptr))
		return false;
	if (job_ptr->restart_cnt != w->restart_cnt) {
		/* Requeued since last seen running. */
		if ((bit_size(w->nodes) != node_record_count) ||
		    !recover_hold_make(job_ptr, w->nodes))
			debug("topopack: %pJ requeued, no node it ran on failed: nothing held",
			      job_ptr);
		w->restart_cnt = job_ptr->restart_cnt;
		w->node_cnt = 0;
	}
	return true;
}

extern void topology_recover_watch(void)
{
	time_t now = time(NULL);

	if (job_list && (last_job_update != _walked_update) &&
	    (now > _walked_at)) {
		(void) list_for_each(job_list, _walk, NULL);
		_walked_at = now;
		_walked_update = last_job_update;
	}
	for (int w = 0; w < _nwatched;) {
		if (_follow(&_watched[w]))
			w++;
		else
			_drop(w);
	}
}

extern void topology_recover_placed(job_record_t *job_ptr, bitstr_t *nodes)
{
	if (job_ptr->batch_flag && topopack_request_recover(job_ptr))
		_remember(job_ptr, nodes);
}

extern recover_choice_t topology_recover_choose(topology_eval_t *te,
						const slurm_fabric_t *sf,
						const int *leaf_of,
						unsigned long generation,
						const tp_request_t *req,
						const topopack_hold_t *own,
						bitstr_t **chosen,
						const tp_placement_t **block)
{
	job_record_t *job_ptr = te->job_ptr;
	recover_choice_t choice = RECOVER_ANYWHERE;
	bitstr_t *region = NULL;
	int *cand = NULL, n, k;
	bool first_spare;
	const char *how = NULL;
	char *names;

	if (!bit_super_set(own->nodes, te->node_map)) {
		/* Still completing, or another partition's: wait for them
		 * while the hold lasts. */
		log_flag(SELECT_TYPE, "%pJ: recovery: its held nodes are not all offered, waits",
			 job_ptr);
		return RECOVER_WAIT;
	}
	k = MAX(te->min_nodes, te->req_nodes) - bit_set_count(own->nodes);
	n = recover_candidates(sf, leaf_of, own, te->node_map, &cand,
			       &first_spare, &region);
	if (k <= 0) {
		*chosen = bit_copy(own->nodes);
		how = "its held nodes";
	} else if ((*chosen = recover_with_free(own, cand, n, k))) {
		how = first_spare ? "a free spare of its domains or leaves" :
			"a free node of its domains or leaves";
	} else {
		bit_or(region, own->nodes);
		*block = topology_preempt_block(sf, generation, job_ptr, req,
						region);
		if (*block)
			how = "preempting on its domains or leaves";
	}
	if (*chosen) {
		choice = RECOVER_NODES;
		names = recover_names(*chosen);
		log_flag(SELECT_TYPE, "%pJ: recovery: nodes %s (%s)", job_ptr,
			 names, how);
		xfree(names);
	} else if (*block) {
		choice = RECOVER_BLOCK;
		log_flag(SELECT_TYPE, "%pJ: recovery: %s", job_ptr, how);
	} else {
		log_flag(SELECT_TYPE, "%pJ: recovery: no room on its domains or leaves now, placed as any job",
			 job_ptr);
	}
	xfree(cand);
	FREE_NULL_BITMAP(region);
	return choice;
}

extern void topology_recover_fini(void)
{
	while (_nwatched)
		_drop(0);
	xfree(_watched);
	_room = 0;
	_walked_at = _walked_update = 0;
}
