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

#include "preempt_tally.h"
#include "slurm_gpus.h"
#include "slurmctld_weak.h"
#include "topology_preempt.h"
#include "topopack_hold.h"

/* A hold older than this is dropped (seconds). */
#define HOLD_MAX_AGE 600

/*
 * The plans, one slot per job id modulo PLAN_SLOTS: cons_tres asks about
 * many pending jobs in one pass (backfill: every one), and a job's plan
 * is made again only when a job or node record has changed since.
 */
#define PLAN_SLOTS 64

typedef struct {
	uint32_t job_id;	/* 0: empty */
	time_t job_update, node_update;
	unsigned long generation;
	bool within;		/* planned on some nodes only */
	bool planned;		/* a block: placement holds it */
	tp_placement_t placement;
	char *victims;		/* "14,15": for the log */
} plan_t;

static plan_t _plans[PLAN_SLOTS];

/*
 * Once Slurm preempts a plan's victims, the plan is held (topopack_hold.h,
 * as select/topopack holds it on 22.05): the block stays the job's while
 * they drain, and no other job is given its nodes meanwhile.
 */

/* The plan last logged, so that a job waiting for its victims is
 * logged once, not at every scheduling pass. */
static uint32_t _said_job = 0;
static char *_said_victims = NULL;

static void _forget(plan_t *plan)
{
	tp_placement_clear(&plan->placement);
	xfree(plan->victims);
	memset(plan, 0, sizeof(*plan));
}

typedef enum {
	HOLD_NONE,	/* over: its job started or left, it is too old, a
			 * node of the block is not usable, or no victim
			 * holds a node of the block any more */
	HOLD_WAITING,	/* victims hold the block; none is being preempted */
	HOLD_DRAINING,	/* Slurm is preempting victims on the block */
} hold_state_t;

/* A job still on nodes of the block (still running, or completing after
 * it was requeued or cancelled). */
static bool _on_block(job_record_t *job_ptr, bitstr_t *nodes)
{
	return job_ptr && job_ptr->node_bitmap &&
		(!IS_JOB_PENDING(job_ptr) || IS_JOB_COMPLETING(job_ptr)) &&
		bit_overlap_any(job_ptr->node_bitmap, nodes);
}

/* Where a hold stands, from slurmctld's records; what ends it is logged. */
static hold_state_t _hold_state(const topopack_hold_t *hold, time_t now)
{
	job_record_t *holder, *victim;
	hold_state_t state = HOLD_NONE;

	holder = find_job_record(hold->job_id);
	if (!holder || !IS_JOB_PENDING(holder))
		return HOLD_NONE;
	if (difftime(now, hold->made) > HOLD_MAX_AGE) {
		info("topopack: preemption plan for JobId=%u dropped: older than %d s",
		     hold->job_id, HOLD_MAX_AGE);
		return HOLD_NONE;
	}
	for (int i = 0; next_node_bitmap(hold->nodes, &i); i++) {
		if (!topopack_node_unusable(node_record_table_ptr[i]))
			continue;
		/* The block cannot be had: plan again now rather than
		 * after the victims have drained. */
		info("topopack: preemption plan for JobId=%u dropped: node %s is not usable",
		     hold->job_id, node_record_table_ptr[i]->name);
		return HOLD_NONE;
	}
	for (int v = 0; v < hold->nvictims; v++) {
		victim = find_job_record(hold->victim[v]);
		if (!_on_block(victim, hold->nodes))
			continue;
		if (victim->preempt_time || IS_JOB_COMPLETING(victim))
			return HOLD_DRAINING;
		state = HOLD_WAITING;
	}
	return state;
}

typedef struct {
	time_t now;
	uint32_t self;		/* the job asking */
	bitstr_t *held;		/* draining blocks of other jobs, or NULL */
} held_arg_t;

static bool _keep(const topopack_hold_t *hold, void *arg)
{
	held_arg_t *a = arg;
	hold_state_t state = _hold_state(hold, a->now);

	if ((state == HOLD_DRAINING) && (hold->job_id != a->self)) {
		if (!a->held)
			a->held = bit_alloc(bit_size(hold->nodes));
		bit_or(a->held, hold->nodes);
	}
	return state != HOLD_NONE;
}

extern bitstr_t *topology_preempt_held(job_record_t *job_ptr)
{
	held_arg_t arg = { .now = time(NULL), .self = job_ptr->job_id };

	topopack_hold_prune(_keep, &arg);
	return arg.held;
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

/* What the planner does not model rules the job out of planning (and a
 * job that is not pending has nothing to preempt for). */
static bool _plannable(job_record_t *job_ptr)
{
	return IS_JOB_PENDING(job_ptr) &&
		job_ptr->part_ptr && job_ptr->part_ptr->node_bitmap &&
		job_ptr->details && !job_ptr->resv_name &&
		!(job_ptr->details->features && job_ptr->details->features[0]);
}

/* Nodes the job may not use whatever it preempts, and those outside
 * within when given: unavailable. */
static void _restrict(const slurm_fabric_t *sf, job_record_t *job_ptr,
		      bitstr_t *within, tp_state_t *state)
{
	bitstr_t *part = job_ptr->part_ptr->node_bitmap;
	bitstr_t *excluded = job_ptr->details->exc_node_bitmap;
	int s;

	for (int f = 0; f < sf->nnodes; f++) {
		s = sf->to_slurm[f];
		if ((s < 0) || !bit_test(part, s) ||
		    (excluded && bit_test(excluded, s)) ||
		    (within && !bit_test(within, s)))
			(void) tp_state_set_avail(state, f, TP_NODE_DOWN);
	}
}

/* The plan in slurmctld's log, as select/topopack of 22.05 writes it, and
 * in the preemption counters: once per job and set of victims, not at
 * every scheduling pass. */
static void _said(job_record_t *job_ptr, const plan_t *made,
		  const tp_preempt_plan_t *plan, bitstr_t *nodes)
{
	char *names;

	if ((_said_job == job_ptr->job_id) &&
	    !xstrcmp(_said_victims, made->victims))
		return;
	names = bitmap2node_name(nodes);
	info("topopack: preempt JobId=%s for JobId=%u nodes=%s lost_gpu_seconds=%.0f%s",
	     made->victims, job_ptr->job_id, names, plan->lost_gpu_seconds,
	     plan->cut ? " (search cut at its time budget)" : "");
	preempt_tally_add(plan->count, plan->lost_gpu_seconds);
	xfree(names);
	_said_job = job_ptr->job_id;
	xfree(_said_victims);
	_said_victims = xstrdup(made->victims);
}

/* The Slurm nodes of a placement. */
static bitstr_t *_nodes(const slurm_fabric_t *sf, const tp_placement_t *p)
{
	bitstr_t *nodes = bit_alloc(node_record_count);

	for (int k = 0; k < p->count; k++)
		bit_set(nodes, sf->to_slurm[p->node[k]]);
	return nodes;
}

static char *_ids(const tp_preempt_plan_t *plan)
{
	char *out = NULL;

	for (int k = 0; k < plan->count; k++)
		xstrfmtcat(out, "%s%u", k ? "," : "", plan->id[k]);
	return out;
}

/* Plan on the records as they are now into slot; a plan that preempts
 * is held. */
static void _plan(const slurm_fabric_t *sf, job_record_t *job_ptr,
		  const tp_request_t *req, bitstr_t *within, plan_t *slot)
{
	bitstr_t *nodes;
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
	_restrict(sf, job_ptr, within, state);
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
		slot->planned = true;
		slot->placement = plan.placement;
		memset(&plan.placement, 0, sizeof(plan.placement));
		slot->victims = _ids(&plan);
		nodes = _nodes(sf, &slot->placement);
		topopack_hold_put(job_ptr->job_id, nodes, plan.id, plan.count,
				  time(NULL));
		_said(job_ptr, slot, &plan, nodes);
		FREE_NULL_BITMAP(nodes);
	}
	tp_preempt_plan_clear(&plan);
fini:
	tp_state_free(state);
	preempt_victims_free(&vs);
	FREE_NULL_LIST(removable);
	FREE_NULL_LIST(candidates);
}

/*
 * The block of a held plan whose victims are draining, into slot: as it
 * was planned when the slot still holds it, else (another job's plan took
 * the slot) its nodes again, each with the request's GPUs per node.
 * RET whether the job's plan is held and draining
 */
static bool _held_block(const slurm_fabric_t *sf, job_record_t *job_ptr,
			const tp_request_t *req, plan_t *slot)
{
	tp_placement_t *p = &slot->placement;
	topopack_hold_t hold;
	bool draining;

	if (!topopack_hold_get(job_ptr->job_id, &hold))
		return false;
	draining = (_hold_state(&hold, time(NULL)) == HOLD_DRAINING);
	if (draining && ((slot->job_id != job_ptr->job_id) || !slot->planned)) {
		_forget(slot);
		slot->job_id = job_ptr->job_id;
		slot->planned = true;
		p->node = calloc(bit_set_count(hold.nodes) + 1, sizeof(int));
		p->gpus = calloc(bit_set_count(hold.nodes) + 1, sizeof(int));
		for (int i = 0; p->node && p->gpus &&
			     next_node_bitmap(hold.nodes, &i); i++) {
			if ((i >= sf->slurm_count) || (sf->to_fabric[i] < 0))
				continue;
			p->node[p->count] = sf->to_fabric[i];
			p->gpus[p->count++] = req->gpus_per_node;
		}
	}
	topopack_hold_free(&hold);
	return draining;
}

extern const tp_placement_t *topology_preempt_block(const slurm_fabric_t *sf,
						    unsigned long generation,
						    job_record_t *job_ptr,
						    const tp_request_t *req,
						    bitstr_t *within)
{
	plan_t *slot = &_plans[job_ptr->job_id % PLAN_SLOTS];

	/* While the victims drain the plan stays as made: planned again,
	 * it would change as they leave one by one. */
	if (_held_block(sf, job_ptr, req, slot)) {
		log_flag(SELECT_TYPE, "%pJ: held preemption plan: JobId=%s (victims draining)",
			 job_ptr, slot->victims ? slot->victims : "");
		return &slot->placement;
	}
	if ((slot->job_id != job_ptr->job_id) ||
	    (slot->job_update != last_job_update) ||
	    (slot->node_update != last_node_update) ||
	    (slot->generation != generation) ||
	    (slot->within != (within != NULL))) {
		_forget(slot);
		slot->job_id = job_ptr->job_id;
		slot->job_update = last_job_update;
		slot->node_update = last_node_update;
		slot->generation = generation;
		slot->within = (within != NULL);
		_plan(sf, job_ptr, req, within, slot);
	}
	return slot->planned ? &slot->placement : NULL;
}

extern void topology_preempt_fini(void)
{
	for (int i = 0; i < PLAN_SLOTS; i++)
		_forget(&_plans[i]);
	topopack_hold_clear();
	xfree(_said_victims);
	_said_job = 0;
}
