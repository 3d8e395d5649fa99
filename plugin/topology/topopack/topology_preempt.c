/*****************************************************************************\
 *  topology_preempt.c - the block a job must start on when it preempts
 *  (Slurm 24.11 and later).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <string.h>
#include <time.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/interfaces/preempt.h"

#include "slurm_gpus.h"
#include "topology_preempt.h"

/*
 * slurmctld's own. slurmd and the client commands load this plugin too
 * (and never call into this file there): the references are weak so
 * that loading it does not fail on them.
 */
#pragma weak last_job_update
#pragma weak find_job_record
#pragma weak slurm_find_preemptable_jobs
#pragma weak slurm_job_preempt_mode

/* A hold older than this is dropped (seconds). */
#define HOLD_MAX_AGE 600

/*
 * The block of a job whose victims are being preempted: it stays the
 * job's while they drain (its plan would change as they leave, one by
 * one), and no other job is given its nodes meanwhile.
 */
static struct {
	uint32_t job_id;	/* 0: none */
	time_t since;
	tp_placement_t placement;
	bitstr_t *nodes;	/* the block as Slurm node indices */
	uint32_t *victim;
	int nvictims;
} _hold;

/* The last plan, for the job and records it was made for. */
static struct {
	uint32_t job_id;
	time_t job_update, node_update;
	unsigned long generation;
	bool planned;		/* a block: placement holds it */
	tp_placement_t placement;
	char *victims;		/* "14,15": for the log */
} _last;

/* The plan last logged, so that a job waiting for its victims is
 * logged once, not at every scheduling pass. */
static uint32_t _said_job = 0;
static char *_said_victims = NULL;

static void _forget(void)
{
	tp_placement_clear(&_last.placement);
	xfree(_last.victims);
	memset(&_last, 0, sizeof(_last));
}

static void _hold_drop(void)
{
	/* Copied with xcalloc in _hold_set(), not the library's. */
	xfree(_hold.placement.node);
	xfree(_hold.placement.gpus);
	FREE_NULL_BITMAP(_hold.nodes);
	xfree(_hold.victim);
	memset(&_hold, 0, sizeof(_hold));
}

static void _hold_set(const slurm_fabric_t *sf, job_record_t *job_ptr,
		      const tp_preempt_plan_t *plan)
{
	tp_placement_t *p = &_hold.placement;

	_hold_drop();
	_hold.job_id = job_ptr->job_id;
	_hold.since = time(NULL);
	p->count = plan->placement.count;
	p->score = plan->placement.score;
	p->node = xcalloc(p->count + 1, sizeof(int));
	p->gpus = xcalloc(p->count + 1, sizeof(int));
	_hold.nodes = bit_alloc(node_record_count);
	for (int k = 0; k < p->count; k++) {
		p->node[k] = plan->placement.node[k];
		p->gpus[k] = plan->placement.gpus[k];
		bit_set(_hold.nodes, sf->to_slurm[p->node[k]]);
	}
	_hold.victim = xcalloc(plan->count + 1, sizeof(uint32_t));
	memcpy(_hold.victim, plan->id, plan->count * sizeof(uint32_t));
	_hold.nvictims = plan->count;
}

typedef enum {
	HOLD_NONE,	/* over: its job started or left, it is too old, or
			 * no victim holds a node of the block any more */
	HOLD_WAITING,	/* victims hold the block; none is being preempted */
	HOLD_DRAINING,	/* Slurm is preempting victims on the block */
} hold_state_t;

/* A job still on nodes of the block (still running, or completing after
 * it was requeued or cancelled). */
static bool _on_block(job_record_t *job_ptr)
{
	return job_ptr && job_ptr->node_bitmap &&
		(!IS_JOB_PENDING(job_ptr) || IS_JOB_COMPLETING(job_ptr)) &&
		bit_overlap_any(job_ptr->node_bitmap, _hold.nodes);
}

static hold_state_t _hold_state(void)
{
	job_record_t *holder, *victim;
	hold_state_t state = HOLD_NONE;

	if (!_hold.job_id)
		return HOLD_NONE;
	holder = find_job_record(_hold.job_id);
	if (!holder || !IS_JOB_PENDING(holder))
		return HOLD_NONE;
	if (difftime(time(NULL), _hold.since) > HOLD_MAX_AGE) {
		info("topopack: preemption plan for JobId=%u dropped: older than %d s",
		     _hold.job_id, HOLD_MAX_AGE);
		return HOLD_NONE;
	}
	for (int i = 0; next_node_bitmap(_hold.nodes, &i); i++) {
		if (!topopack_node_unusable(node_record_table_ptr[i]))
			continue;
		/* The block cannot be had: plan again now rather than
		 * after the victims have drained. */
		info("topopack: preemption plan for JobId=%u dropped: node %s is not usable",
		     _hold.job_id, node_record_table_ptr[i]->name);
		return HOLD_NONE;
	}
	for (int v = 0; v < _hold.nvictims; v++) {
		victim = find_job_record(_hold.victim[v]);
		if (!_on_block(victim))
			continue;
		if (victim->preempt_time || IS_JOB_COMPLETING(victim))
			return HOLD_DRAINING;
		state = HOLD_WAITING;
	}
	return state;
}

extern bitstr_t *topology_preempt_held(job_record_t *job_ptr)
{
	switch (_hold_state()) {
	case HOLD_NONE:
		_hold_drop();
		return NULL;
	case HOLD_WAITING:
		return NULL;
	case HOLD_DRAINING:
		break;
	}
	return (job_ptr->job_id == _hold.job_id) ? NULL : _hold.nodes;
}

/* Candidates that cons_tres takes away when it preempts. */
static int _removable(void *x, void *arg)
{
	job_record_t *job_ptr = x;
	uint16_t mode = slurm_job_preempt_mode(job_ptr);

	if ((mode == PREEMPT_MODE_REQUEUE) || (mode == PREEMPT_MODE_CANCEL))
		list_append(arg, job_ptr);
	return 0;
}

/* What the planner does not model rules the job out of planning. */
static bool _plannable(job_record_t *job_ptr)
{
	return job_ptr->part_ptr && job_ptr->part_ptr->node_bitmap &&
		job_ptr->details && !job_ptr->resv_name &&
		!(job_ptr->details->features && job_ptr->details->features[0]);
}

/* Nodes the job may not use whatever it preempts: unavailable. */
static void _restrict(const slurm_fabric_t *sf, job_record_t *job_ptr,
		      tp_state_t *state)
{
	bitstr_t *part = job_ptr->part_ptr->node_bitmap;
	bitstr_t *excluded = job_ptr->details->exc_node_bitmap;
	int s;

	for (int f = 0; f < sf->nnodes; f++) {
		s = sf->to_slurm[f];
		if ((s < 0) || !bit_test(part, s) ||
		    (excluded && bit_test(excluded, s)))
			(void) tp_state_set_avail(state, f, TP_NODE_DOWN);
	}
}

/* The plan in slurmctld's log, as select/topopack of 22.05 writes it:
 * once per job and set of victims, not at every scheduling pass. */
static void _said(const slurm_fabric_t *sf, job_record_t *job_ptr,
		  const tp_preempt_plan_t *plan)
{
	bitstr_t *nodes;
	char *names;

	if ((_said_job == job_ptr->job_id) &&
	    !xstrcmp(_said_victims, _last.victims))
		return;
	nodes = bit_alloc(node_record_count);
	for (int k = 0; k < _last.placement.count; k++)
		bit_set(nodes, sf->to_slurm[_last.placement.node[k]]);
	names = bitmap2node_name(nodes);
	info("topopack: preempt JobId=%s for JobId=%u nodes=%s lost_gpu_seconds=%.0f%s",
	     _last.victims, job_ptr->job_id, names, plan->lost_gpu_seconds,
	     plan->cut ? " (search cut at its time budget)" : "");
	xfree(names);
	FREE_NULL_BITMAP(nodes);
	_said_job = job_ptr->job_id;
	xfree(_said_victims);
	_said_victims = xstrdup(_last.victims);
}

static char *_ids(const tp_preempt_plan_t *plan)
{
	char *out = NULL;

	for (int k = 0; k < plan->count; k++)
		xstrfmtcat(out, "%s%u", k ? "," : "", plan->id[k]);
	return out;
}

/* Plan on the records as they are now; _last holds the outcome. */
static void _plan(const slurm_fabric_t *sf, job_record_t *job_ptr,
		  const tp_request_t *req)
{
	list_t *candidates, *removable = NULL;
	preempt_victims_t vs = { 0 };
	tp_preempt_plan_t plan = { 0 };
	tp_error_t err = { .text = "" };
	tp_state_t *state = NULL;

	if (!_plannable(job_ptr) ||
	    !(candidates = slurm_find_preemptable_jobs(job_ptr)))
		return;
	removable = list_create(NULL);
	(void) list_for_each(candidates, _removable, removable);
	if (!list_count(removable))
		goto fini;
	preempt_victims(sf, removable, time(NULL), &vs);
	if (!(state = preempt_victims_state(sf, &vs))) {
		info("topopack: %pJ: running jobs do not match the nodes' GPU counts; its preemption is left to select/cons_tres",
		     job_ptr);
		goto fini;
	}
	_restrict(sf, job_ptr, state);
	if (tp_preempt_plan(state, req, vs.v, vs.nv, &plan, &err)) {
		if (errno == ENOMEM)
			error("topopack: %pJ: %s; its preemption is left to select/cons_tres",
			      job_ptr, err.text);
		else
			debug2("topopack: %pJ: no preemption plan: %s",
			       job_ptr, err.text);
		goto fini;
	}
	if (plan.count) {
		_hold_set(sf, job_ptr, &plan);
		_last.planned = true;
		_last.placement = plan.placement;
		memset(&plan.placement, 0, sizeof(plan.placement));
		_last.victims = _ids(&plan);
		_said(sf, job_ptr, &plan);
	}
	tp_preempt_plan_clear(&plan);
fini:
	tp_state_free(state);
	preempt_victims_free(&vs);
	FREE_NULL_LIST(removable);
	FREE_NULL_LIST(candidates);
}

extern const tp_placement_t *topology_preempt_block(const slurm_fabric_t *sf,
						    unsigned long generation,
						    job_record_t *job_ptr,
						    const tp_request_t *req)
{
	if ((_hold.job_id == job_ptr->job_id) &&
	    (_hold_state() == HOLD_DRAINING)) {
		log_flag(SELECT_TYPE, "%pJ: held preemption plan: JobId=%s (victims draining)",
			 job_ptr, _said_victims);
		return &_hold.placement;
	}
	if ((_last.job_id != job_ptr->job_id) ||
	    (_last.job_update != last_job_update) ||
	    (_last.node_update != last_node_update) ||
	    (_last.generation != generation)) {
		_forget();
		_last.job_id = job_ptr->job_id;
		_last.job_update = last_job_update;
		_last.node_update = last_node_update;
		_last.generation = generation;
		_plan(sf, job_ptr, req);
	}
	return _last.planned ? &_last.placement : NULL;
}

extern void topology_preempt_fini(void)
{
	_forget();
	_hold_drop();
	xfree(_said_victims);
	_said_job = 0;
}
