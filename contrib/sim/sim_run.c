/*****************************************************************************\
 *  sim_run.c - discrete-event replay of a job trace under one placement
 *  policy, scheduled as Slurm schedules a single partition.
 *
 *  Events are job submissions and job ends. After the events of one
 *  instant, the main scheduler starts queued jobs in order (priority, then
 *  submission) and stops at the first that does not fit, as sched/builtin
 *  and the main loop of sched/backfill do. Every bf_interval seconds in
 *  which something changed, an EASY backfill pass runs: the first queued
 *  job is given the earliest time it could start (running jobs ending in
 *  order), and a later job starts now if it ends before then or leaves
 *  the first job's placement possible at that time. Run times serve as
 *  the time limits, so the estimates are exact.
 *
 *  With failures, node failures and repairs are events too, and so is
 *  the end of a requeued job's begin-time delay. A job on a failed node
 *  keeps the work up to its last checkpoint; under a recovery that holds
 *  its surviving nodes it waits first in the queue, asking only for
 *  replacements, until they are found.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../splitmix64.h"
#include "sim.h"
#include "place/metrics_sim.h"

typedef enum {
	JOB_FUTURE = 0,		/* not submitted yet */
	JOB_PENDING,
	JOB_RUNNING,
	JOB_DONE,
	JOB_SKIPPED,		/* no empty fabric holds it */
} _job_state_t;

typedef struct {
	_job_state_t state;
	tp_request_t req;	/* while recovering: the replacements only */
	tp_placement_t pl;	/* while running */
	int seq;		/* runs so far: tells stale heap entries */
	int need;		/* GPUs req asks for */
	tp_request_t full;	/* the job's whole request */
	double remaining;	/* work left, in seconds at full speed */
	double rate;		/* work per second of the current run */
	double rate_before;	/* of the run the first failure cut */
	bool after_failure;	/* its current run follows a failure */
	bool recovering;	/* holds held, waits for replacements */
	bool top;		/* first in the queue (expedite, topopack) */
	tp_placement_t held;	/* surviving nodes, while recovering */
	int fail_node;		/* the node of its last failure */
	int fail_gpus;		/* GPUs it had there */
	long open;		/* its restart record still open, or -1 */
	int *bad;		/* nodes that failed under it */
	int nbad;
} _job_t;

/* A requeued job waiting for its begin time (SIM_RECOVERY_NONE). */
typedef struct {
	double begin;
	int job;
} _delay_t;

typedef struct {
	double end;
	int job;
	int seq;
} _end_t;

typedef struct {
	int gpus;
	int nodes;
	bool fits;
} _shape_t;

typedef struct {
	const tp_fabric_t *fabric;
	const sim_job_t *tj;		/* trace jobs */
	const sim_opts_t *opts;
	sim_result_t *out;
	tp_state_t *state;
	sim_leaves_t lv;
	_job_t *job;
	int njobs;
	int *queue;			/* pending jobs, in scheduling order */
	int nqueue;
	int *running;			/* running jobs, any order */
	int nrunning;
	int *run_pos;			/* per job: its slot in running */
	_end_t *heap;			/* ends, earliest first */
	int nheap;
	int cap_heap;
	_shape_t *shape;		/* distinct (gpus, nodes), sorted */
	int nshapes;
	int *leaf_busy;			/* with a timeline */
	uint8_t *leaf_seen;		/* scratch, per leaf */
	uint8_t *on;			/* scratch, per node */
	int free_gpus;
	int busy_gpus;
	double now;
	bool oom;
	tp_error_t *err;		/* what failed, other than memory */
	/* Failures */
	bool failing;			/* recovery is not SIM_RECOVERY_OFF */
	_end_t *nev;			/* node events (end, job = node) */
	int nnev;
	int cap_nev;
	double *node_next;		/* per node: its next failure or repair */
	uint64_t *rng;			/* per node: its failure times */
	uint8_t *down;			/* per node */
	uint8_t *spare;			/* per node: kept for recovery */
	uint8_t *mask;			/* scratch, per node */
	int *scratch;			/* scratch, per job */
	int ndown;
	sim_fail_t *fail;		/* injected failures, by time */
	int nfail;
	int next_fail;
	_delay_t *delayed;
	int ndelayed;
	int recovering_for;		/* job a preemption recovers, or -1 */
} _sim_t;

static int _oom(_sim_t *s)
{
	s->oom = true;
	return -1;
}

/*****************************************************************************\
 *  Requests
\*****************************************************************************/

/* A job with a node count asks for an even share of its GPUs on each node
 * (Philly's layouts are even), or for its total on exactly that many
 * nodes; without, for a total on any number of nodes, as Slurm's --gpus
 * alone does. */
static void _request(const sim_job_t *job, tp_request_t *req)
{
	memset(req, 0, sizeof(*req));
	if (job->nodes > 0 && job->gpus % job->nodes == 0) {
		req->nodes = job->nodes;
		req->gpus_per_node = job->gpus / job->nodes;
	} else if (job->nodes > 0) {
		req->total_gpus = job->gpus;
		req->nodes = job->nodes;
		req->max_nodes = job->nodes;
	} else {
		req->total_gpus = job->gpus;
		req->nodes = 1;
	}
}

extern void sim_job_request(const sim_job_t *job, tp_request_t *req)
{
	_request(job, req);
}

static int _cmp_shape(const void *a, const void *b)
{
	const _shape_t *x = a, *y = b;

	if (x->gpus != y->gpus)
		return (x->gpus > y->gpus) - (x->gpus < y->gpus);
	return (x->nodes > y->nodes) - (x->nodes < y->nodes);
}

/* Which job shapes an empty fabric holds under this policy: each distinct
 * shape is placed once. */
static int _shapes(_sim_t *s)
{
	tp_state_t *empty = tp_state_new(s->fabric);
	int n = 0;

	s->shape = malloc(sizeof(_shape_t) * (s->njobs + 1));
	if (!empty || !s->shape) {
		tp_state_free(empty);
		return _oom(s);
	}
	for (int i = 0; i < s->njobs; i++)
		s->shape[i] = (_shape_t) { s->tj[i].gpus, s->tj[i].nodes, false };
	qsort(s->shape, s->njobs, sizeof(_shape_t), _cmp_shape);
	for (int i = 0; i < s->njobs; i++) {
		sim_job_t job = { .gpus = s->shape[i].gpus,
				  .nodes = s->shape[i].nodes };
		tp_request_t req;
		tp_placement_t pl = { 0 };
		tp_error_t err;

		if (n && !_cmp_shape(&s->shape[n - 1], &s->shape[i]))
			continue;
		_request(&job, &req);
		s->shape[n] = s->shape[i];
		s->shape[n].fits = !tp_place(empty, s->opts->policy, &req,
					      &pl, &err);
		tp_placement_clear(&pl);
		n++;
	}
	s->nshapes = n;
	tp_state_free(empty);
	return 0;
}

static bool _fits_empty(_sim_t *s, const sim_job_t *job)
{
	_shape_t key = { job->gpus, job->nodes, false };
	_shape_t *hit = bsearch(&key, s->shape, s->nshapes, sizeof(_shape_t),
				_cmp_shape);

	return hit && hit->fits;
}

/*****************************************************************************\
 *  The queue and the running jobs
\*****************************************************************************/

/* Scheduling order: recoveries first, then higher priority, then trace
 * (submit) order. */
static bool _before(_sim_t *s, int a, int b)
{
	if (s->job[a].top != s->job[b].top)
		return s->job[a].top;
	if (s->tj[a].priority != s->tj[b].priority)
		return s->tj[a].priority > s->tj[b].priority;
	return a < b;
}

static void _enqueue(_sim_t *s, int j)
{
	int lo = 0, hi = s->nqueue;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (_before(s, s->queue[mid], j))
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&s->queue[lo + 1], &s->queue[lo],
		sizeof(int) * (s->nqueue - lo));
	s->queue[lo] = j;
	s->nqueue++;
	s->job[j].state = JOB_PENDING;
}

static void _dequeue(_sim_t *s, int pos)
{
	memmove(&s->queue[pos], &s->queue[pos + 1],
		sizeof(int) * (s->nqueue - pos - 1));
	s->nqueue--;
}

static void _heap_swap(_sim_t *s, int a, int b)
{
	_end_t t = s->heap[a];

	s->heap[a] = s->heap[b];
	s->heap[b] = t;
}

static int _heap_push(_sim_t *s, double end, int j)
{
	int i;

	if (s->nheap == s->cap_heap) {
		int cap = s->cap_heap ? 2 * s->cap_heap : 1024;
		_end_t *h = realloc(s->heap, sizeof(_end_t) * cap);

		if (!h)
			return _oom(s);
		s->heap = h;
		s->cap_heap = cap;
	}
	i = s->nheap++;
	s->heap[i] = (_end_t) { end, j, s->job[j].seq };
	while (i > 0 && s->heap[(i - 1) / 2].end > s->heap[i].end) {
		_heap_swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	return 0;
}

static void _heap_pop(_sim_t *s)
{
	int i = 0;

	s->heap[0] = s->heap[--s->nheap];
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->nheap && s->heap[l].end < s->heap[m].end)
			m = l;
		if (r < s->nheap && s->heap[r].end < s->heap[m].end)
			m = r;
		if (m == i)
			break;
		_heap_swap(s, i, m);
		i = m;
	}
}

/* RET the next end still valid (preempted runs leave stale entries). */
static const _end_t *_heap_top(_sim_t *s)
{
	while (s->nheap) {
		const _end_t *e = &s->heap[0];

		if (s->job[e->job].state == JOB_RUNNING &&
		    s->job[e->job].seq == e->seq)
			return e;
		_heap_pop(s);
	}
	return NULL;
}

/*****************************************************************************\
 *  Timeline
\*****************************************************************************/

static int _step(_sim_t *s, int leaf, int busy)
{
	sim_result_t *o = s->out;

	if (o->nsteps == o->cap_steps) {
		long cap = o->cap_steps ? 2 * o->cap_steps : 4096;
		sim_step_t *st = realloc(o->step, sizeof(*st) * cap);

		if (!st)
			return _oom(s);
		o->step = st;
		o->cap_steps = cap;
	}
	o->step[o->nsteps++] = (sim_step_t) { s->now, leaf, busy };
	return 0;
}

/* Record the busy GPUs of the fabric and of the leaves p touches, after
 * sign * p's GPUs were taken. */
static void _timeline(_sim_t *s, const tp_placement_t *p, int sign)
{
	uint8_t *seen = s->leaf_seen;

	if (!s->opts->timeline)
		return;
	for (int i = 0; i < p->count; i++)
		s->leaf_busy[s->lv.leaf_of[p->node[i]]] += sign * p->gpus[i];
	for (int i = 0; i < p->count; i++) {
		int l = s->lv.leaf_of[p->node[i]];

		if (seen[l])
			continue;
		seen[l] = 1;
		(void) _step(s, l, s->leaf_busy[l]);
	}
	for (int i = 0; i < p->count; i++)
		seen[s->lv.leaf_of[p->node[i]]] = 0;
	(void) _step(s, -1, s->busy_gpus);
}

/*****************************************************************************\
 *  Starting and stopping jobs
\*****************************************************************************/

/* Run time on this placement: the all-reduce share of the work is slowed
 * by the placement's bus bandwidth against its nodes' NICs (ratio), which
 * only a slower fabric than the NICs (oversubscribed uplinks) lowers. */
static double _run_time(_sim_t *s, int j, double ratio)
{
	double f = s->opts->stretch, d = s->job[j].remaining;

	if (f <= 0 || ratio <= 0)
		return d;
	if (ratio > 1)
		ratio = 1;
	return d * ((1 - f) + f / ratio);
}

static double _predicted_ratio(_sim_t *s, const tp_placement_t *p)
{
	double ratio;

	if (s->opts->stretch <= 0 ||
	    (ratio = tp_metrics_nic_ratio(s->state, p)) < 0)
		return 1;
	return ratio;
}

static bool _is_spare_user(_sim_t *s, int j)
{
	return s->opts->spares > 0 &&
		s->tj[j].priority <= SIM_PREEMPTABLE_PRIORITY;
}

/* Is job j (running) preemptable work on a spare node? */
static bool _on_spare(_sim_t *s, int j)
{
	const tp_placement_t *p = &s->job[j].pl;

	if (!_is_spare_user(s, j))
		return false;
	for (int i = 0; i < p->count; i++)
		if (s->spare[p->node[i]])
			return true;
	return false;
}

/* What a start means for failures, once o->end is set: the speed of the
 * run, and the end of a wait after a failure. */
static void _started(_sim_t *s, int j)
{
	_job_t *job = &s->job[j];
	sim_outcome_t *o = &s->out->job[j];
	double run = o->end - s->now;

	job->rate = run > 0 ? job->remaining / run : 1;
	if (job->seq == 1)
		o->first_start = s->now;
	if (job->open >= 0) {
		sim_restart_t *r = &s->out->restart[job->open];

		r->restart = s->now;
		o->recovery_wait_gpu_s += s->tj[j].gpus * (s->now - r->fail);
		job->open = -1;
	}
}

/* What a stop after ran seconds means: the work kept when the run was
 * cut (up to its last checkpoint), the time a run after a failure lost
 * by being slower than the run the failure cut, and the spares held by
 * jobs that may not be preempted. */
static void _stopping(_sim_t *s, int j, double ran, bool cut)
{
	_job_t *job = &s->job[j];
	sim_outcome_t *o = &s->out->job[j];
	const tp_placement_t *p = &job->pl;
	int g = s->tj[j].gpus;

	if (job->after_failure && job->rate < job->rate_before)
		o->recovery_slow_gpu_s += g * ran *
			(1 - job->rate / job->rate_before);
	if (cut) {
		double kept = ran - tp_lost_seconds(ran,
						    s->opts->checkpoint_s);

		job->remaining -= kept * job->rate;
		if (job->remaining < 1e-6)
			job->remaining = 1e-6;
	}
	if (s->opts->spares > 0 && !_is_spare_user(s, j))
		for (int i = 0; i < p->count; i++)
			if (s->spare[p->node[i]])
				s->out->spare_used_gpu_s += p->gpus[i] * ran;
}

/* Start job j (already off the queue) on p, which it takes over (and
 * clears when it fails). */
static int _start(_sim_t *s, int j, tp_placement_t *p)
{
	_job_t *job = &s->job[j];
	sim_outcome_t *o = &s->out->job[j];
	tp_metrics_t m;
	double ratio;

	o->min_leaves = p->count > 1 ?
		sim_min_leaves(&s->lv, s->state, &job->req) : 1;
	if (tp_state_apply(s->state, p, false)) {
		/* The policy placed it on this very state: a bug, which ends
		 * the replay with an error. */
		snprintf(s->err->text, sizeof(s->err->text),
			 "job %ld: placement does not apply", s->tj[j].id);
		tp_placement_clear(p);
		return -1;
	}
	if (tp_metrics(s->state, p, &m) ||
	    (ratio = tp_metrics_nic_ratio(s->state, p)) < 0) {
		tp_placement_clear(p);
		return _oom(s);
	}
	job->pl = *p;
	memset(p, 0, sizeof(*p));
	job->state = JOB_RUNNING;
	job->seq++;
	o->ran = true;
	o->start = s->now;
	o->end = s->now + _run_time(s, j, ratio);
	o->nodes = m.nodes;
	o->leaves = m.leaves;
	o->domains = m.domains;
	o->max_hops = m.max_hops;
	o->busbw_gbs = m.busbw_gbs;
	o->efficiency = m.efficiency;
	o->stretch_ratio = ratio;
	_started(s, j);
	s->run_pos[j] = s->nrunning;
	s->running[s->nrunning++] = j;
	s->free_gpus -= s->tj[j].gpus;
	s->busy_gpus += s->tj[j].gpus;
	_timeline(s, &job->pl, 1);
	return _heap_push(s, o->end, j);
}

typedef enum {
	STOP_END,		/* it ended */
	STOP_PREEMPT,		/* preempted: requeued */
	STOP_FAIL,		/* a node under it failed: the caller requeues */
} _stop_t;

/* Take job j off the machine. */
static void _stop(_sim_t *s, int j, _stop_t why)
{
	_job_t *job = &s->job[j];
	sim_outcome_t *o = &s->out->job[j];
	int pos = s->run_pos[j], g = s->tj[j].gpus;
	double ran = s->now - o->start;
	bool requeue = why == STOP_PREEMPT;

	_stopping(s, j, ran, why != STOP_END);
	tp_state_unapply(s->state, &job->pl, false);
	s->running[pos] = s->running[--s->nrunning];
	s->run_pos[s->running[pos]] = pos;
	s->run_pos[j] = -1;
	s->free_gpus += g;
	s->busy_gpus -= g;
	_timeline(s, &job->pl, -1);
	tp_placement_clear(&job->pl);
	if (requeue) {
		double lost = tp_lost_seconds(ran, s->opts->checkpoint_s);

		o->restarts++;
		s->out->preemptions++;
		s->out->lost_gpu_s += g * lost;
		if (s->recovering_for >= 0)
			s->out->job[s->recovering_for].recovery_victims_gpu_s +=
				g * lost;
		_enqueue(s, j);
	} else if (why == STOP_FAIL) {
		job->state = JOB_PENDING;
	} else {
		o->end = s->now;
		job->state = JOB_DONE;
		if (s->now > s->out->last_end)
			s->out->last_end = s->now;
	}
}

/* RET true when p could be found for job j in this state. */
static bool _place(_sim_t *s, const tp_state_t *state, int free_gpus, int j,
		   tp_placement_t *p)
{
	tp_error_t err;

	if (s->job[j].need > free_gpus)
		return false;
	return !tp_place(state, s->opts->policy, &s->job[j].req, p, &err);
}

/*****************************************************************************\
 *  Preemption
\*****************************************************************************/

/* topopack: the planner's victims and placement for req (job j's own,
 * or its replacements); with spare_victims, preemptable jobs on spare
 * nodes are victims whatever their priority. */
static bool _preempt_plan(_sim_t *s, int j, const tp_request_t *req,
			  bool spare_victims, tp_placement_t *p)
{
	int prio = s->tj[j].priority, nv = 0;
	tp_victim_t *v = malloc(sizeof(tp_victim_t) * (s->nrunning + 1));
	tp_preempt_plan_t plan = { 0 };
	tp_error_t err;
	bool ok;

	if (!v) {
		_oom(s);
		return false;
	}
	for (int i = 0; i < s->nrunning; i++) {
		int r = s->running[i];

		if (s->tj[r].priority >= prio &&
		    !(spare_victims && _on_spare(s, r)))
			continue;
		v[nv++] = (tp_victim_t) {
			.id = (uint32_t) r,
			.nnodes = s->job[r].pl.count,
			.node = s->job[r].pl.node,
			.gpus = s->job[r].pl.gpus,
			.priority = (uint32_t) s->tj[r].priority,
			.run_seconds = tp_lost_seconds(
				s->now - s->out->job[r].start,
				s->opts->checkpoint_s),
			.preemptable = true,
		};
	}
	/* No time budget: a replay must not depend on the machine's speed. */
	ok = nv && !tp_preempt_plan_within(s->state, req, v, nv, -1, &plan,
					   &err);
	free(v);
	if (!ok)
		return false;
	for (int i = 0; i < plan.count; i++)
		_stop(s, (int) plan.id[i], STOP_PREEMPT);
	*p = plan.placement;
	memset(&plan.placement, 0, sizeof(plan.placement));
	tp_preempt_plan_clear(&plan);
	return true;
}

static int _cmp_candidate(const void *a, const void *b, void *arg)
{
	const _sim_t *s = arg;
	int x = *(const int *) a, y = *(const int *) b;
	int px = s->tj[x].priority, py = s->tj[y].priority;

	if (px != py)
		return (px > py) - (px < py);
	return (x > y) - (x < y);
}

/* Other policies, as cons_tres preempts: candidates from the lowest
 * priority up are set aside until the job fits; then only those under the
 * nodes chosen are preempted. */
static bool _preempt_stock(_sim_t *s, int j, tp_placement_t *p)
{
	int prio = s->tj[j].priority, nc = 0, freed = s->free_gpus, k;
	int *cand = malloc(sizeof(int) * (s->nrunning + 1));
	tp_state_t *trial = tp_state_copy(s->state);
	bool ok = false;

	if (!cand || !trial) {
		free(cand);
		tp_state_free(trial);
		_oom(s);
		return false;
	}
	for (int i = 0; i < s->nrunning; i++)
		if (s->tj[s->running[i]].priority < prio)
			cand[nc++] = s->running[i];
	qsort_r(cand, nc, sizeof(int), _cmp_candidate, s);
	for (k = 0; k < nc && !ok; k++) {
		tp_state_unapply(trial, &s->job[cand[k]].pl, false);
		freed += s->tj[cand[k]].gpus;
		ok = _place(s, trial, freed, j, p);
	}
	tp_state_free(trial);
	if (ok) {
		int n = tp_fabric_node_count(s->fabric);
		uint8_t *on = s->on;

		memset(on, 0, n);
		for (int i = 0; i < p->count; i++)
			on[p->node[i]] = 1;
		for (int c = 0; c < k; c++) {
			const tp_placement_t *vp = &s->job[cand[c]].pl;
			bool under = false;

			for (int i = 0; i < vp->count && !under; i++)
				under = on[vp->node[i]];
			if (under)
				_stop(s, cand[c], STOP_PREEMPT);
		}
		memset(on, 0, n);
	}
	free(cand);
	return ok;
}

static bool _preempt(_sim_t *s, int j, tp_placement_t *p)
{
	if (s->opts->policy == TP_POLICY_TOPOPACK)
		return _preempt_plan(s, j, &s->job[j].req, false, p);
	return _preempt_stock(s, j, p);
}

/*****************************************************************************\
 *  Recovery from node failures
\*****************************************************************************/

static bool _has(const tp_placement_t *p, int node)
{
	for (int i = 0; i < p->count; i++)
		if (p->node[i] == node)
			return true;
	return false;
}

static bool _is_bad(const _job_t *job, int node)
{
	for (int i = 0; i < job->nbad; i++)
		if (job->bad[i] == node)
			return true;
	return false;
}

static int _bad_add(_sim_t *s, int j, int node)
{
	_job_t *job = &s->job[j];
	int *b;

	if (_is_bad(job, node))
		return 0;
	b = realloc(job->bad, sizeof(int) * (job->nbad + 1));
	if (!b)
		return _oom(s);
	job->bad = b;
	job->bad[job->nbad++] = node;
	return 0;
}

/* Job j's request for what it lacks besides its held nodes. */
static void _rest(_sim_t *s, int j)
{
	_job_t *job = &s->job[j];
	const tp_request_t *f = &job->full;
	int h = job->held.count, hg = 0;

	for (int i = 0; i < h; i++)
		hg += job->held.gpus[i];
	job->req = *f;
	if (f->total_gpus > 0) {
		job->req.total_gpus = f->total_gpus - hg;
		if (f->max_nodes)
			job->req.nodes = job->req.max_nodes = f->nodes - h;
	} else {
		job->req.nodes = f->nodes - h;
	}
	job->need = s->tj[j].gpus - hg;
}

/* Take or give back the GPUs of job j's held nodes in the state. */
static void _hold_apply(_sim_t *s, int j, int sign)
{
	const tp_placement_t *h = &s->job[j].held;

	if (!h->count)
		return;
	if (sign > 0)
		(void) tp_state_apply(s->state, h, false);
	else
		(void) tp_state_unapply(s->state, h, false);
	for (int i = 0; i < h->count; i++)
		s->free_gpus -= sign * h->gpus[i];
}

/* Job j's held node failed: it is a replacement to find too. */
static int _drop_held(_sim_t *s, int j, int node)
{
	tp_placement_t *h = &s->job[j].held;
	int k = 0;

	_hold_apply(s, j, -1);
	for (int i = 0; i < h->count; i++) {
		if (h->node[i] == node)
			continue;
		h->node[k] = h->node[i];
		h->gpus[k++] = h->gpus[i];
	}
	h->count = k;
	_hold_apply(s, j, 1);
	_rest(s, j);
	return _bad_add(s, j, node);
}

/*
 * Mark in s->mask the nodes recovery stage may take for job j: 0 the
 * NVLink domain of the node that failed, 1 and its leaf, 2 and the leaves
 * of the job's held nodes, then, one switch level up at a time, the nodes
 * whose lowest common switch with the failed node is of level stage - 2
 * (a pod before the whole fabric), and at _last_stage() any node; never a
 * held node, nor with avoid_bad a node that failed under the job.
 * RET the nodes marked.
 */
/* Stages 3 to nlevels - 1 are the switch levels (TP_LVL_SWITCH on). */
static int _last_stage(_sim_t *s)
{
	return tp_fabric_level_count(s->fabric);
}

static int _mask(_sim_t *s, int j, int stage, bool avoid_bad)
{
	const _job_t *job = &s->job[j];
	const tp_placement_t *h = &job->held;
	int x = job->fail_node, n = s->lv.nnodes, count = 0;
	const char *dom = tp_fabric_node_domain(s->fabric, x);
	uint8_t *leaf = s->leaf_seen;

	leaf[s->lv.leaf_of[x]] = 1;
	for (int i = 0; stage >= 2 && i < h->count; i++)
		leaf[s->lv.leaf_of[h->node[i]]] = 1;
	for (int i = 0; i < n; i++) {
		const char *d = tp_fabric_node_domain(s->fabric, i);

		s->mask[i] = stage >= _last_stage(s) ||
			(stage >= 3 && tp_fabric_hops(s->fabric, x, i) <=
				       2 * (stage - 1)) ||
			(stage >= 1 && s->lv.leaf_of[i] == s->lv.leaf_of[x]) ||
			(stage >= 2 && leaf[s->lv.leaf_of[i]]) ||
			(i == x || (dom && d && !strcmp(d, dom)));
	}
	leaf[s->lv.leaf_of[x]] = 0;
	for (int i = 0; i < h->count; i++) {
		leaf[s->lv.leaf_of[h->node[i]]] = 0;
		s->mask[h->node[i]] = 0;
	}
	for (int i = 0; avoid_bad && i < job->nbad; i++)
		s->mask[job->bad[i]] = 0;
	for (int i = 0; i < n; i++)
		count += s->mask[i];
	return count;
}

static bool _place_req(_sim_t *s, int j, const tp_request_t *req,
		       tp_placement_t *p)
{
	tp_error_t err;

	if (s->job[j].need > s->free_gpus)
		return false;
	return !tp_place(s->state, s->opts->policy, req, p, &err);
}

/* The all-reduce speed of job j on its held nodes and rep. RET -1 when
 * out of memory. */
static double _held_ratio(_sim_t *s, int j, const tp_placement_t *rep)
{
	const tp_placement_t *h = &s->job[j].held;
	int n = h->count + rep->count;
	tp_placement_t both = { .count = n };
	double ratio = -1;

	both.node = malloc(sizeof(int) * (n + 1));
	both.gpus = malloc(sizeof(int) * (n + 1));
	if (both.node && both.gpus) {
		memcpy(both.node, h->node, sizeof(int) * h->count);
		memcpy(both.gpus, h->gpus, sizeof(int) * h->count);
		memcpy(both.node + h->count, rep->node,
		       sizeof(int) * rep->count);
		memcpy(both.gpus + h->count, rep->gpus,
		       sizeof(int) * rep->count);
		ratio = tp_metrics_nic_ratio(s->state, &both);
	}
	tp_placement_clear(&both);
	return ratio;
}

/*
 * Replacements from beyond the job's own leaves make it wider than it
 * was. The requeued job restarts from its checkpoint wherever it runs, so
 * a whole new placement on free nodes (never one that failed under it)
 * costs no work: take it when there are no free replacements rep (rep
 * count 0) or it runs faster than the survivors plus rep.
 * RET true with p that placement, rep cleared and the hold released.
 */
static bool _fresh_better(_sim_t *s, int j, tp_placement_t *rep,
			  tp_placement_t *p)
{
	_job_t *job = &s->job[j];
	tp_request_t req = job->full;
	double held = rep->count ? _held_ratio(s, j, rep) : 0;
	int n = s->lv.nnodes;

	if (held < 0)
		return _oom(s), false;
	_hold_apply(s, j, -1);
	for (int i = 0; i < n; i++)
		s->mask[i] = 1;
	for (int i = 0; i < job->nbad; i++)
		s->mask[job->bad[i]] = 0;
	req.usable = s->mask;
	req.use_reserved = false;
	if (!_place_req(s, j, &req, p) ||
	    tp_metrics_nic_ratio(s->state, p) <= held) {
		tp_placement_clear(p);
		_hold_apply(s, j, 1);
		return false;
	}
	tp_placement_clear(rep);
	tp_placement_clear(&job->held);
	job->req = job->full;
	job->need = s->tj[j].gpus;
	job->recovering = false;
	job->top = false;
	return true;
}

/*
 * topopack: near the failed node first, then wider; at each stage a free
 * node, a spare, then the planner's least lost work. Beyond the job's
 * own leaves (stage 3 on), a whole new placement may be better.
 * RET 0 with the replacements in rep, 1 with a whole placement in p, or
 * -1 when neither is found.
 */
static int _recover_near(_sim_t *s, int j, tp_placement_t *rep,
			 tp_placement_t *p)
{
	tp_request_t req = s->job[j].req;
	int before = -1;

	for (int stage = 0; stage <= _last_stage(s) && !s->oom; stage++) {
		int n = _mask(s, j, stage, true);
		bool found;

		if (n == before)
			continue;
		before = n;
		req.usable = s->mask;
		req.use_reserved = false;
		found = _place_req(s, j, &req, rep);
		if (stage > 2 && _fresh_better(s, j, rep, p))
			return 1;
		if (found)
			return 0;
		(void) _mask(s, j, stage, true);
		req.use_reserved = true;
		if (s->opts->spares > 0 && _place_req(s, j, &req, rep))
			return 0;
		if (_preempt_plan(s, j, &req, true, rep))
			return 0;
	}
	return -1;
}

/* Job j's held nodes and its replacements rep (cleared) as one placement
 * p; j asks for its whole request again. */
static int _combine(_sim_t *s, int j, tp_placement_t *rep,
		    tp_placement_t *p)
{
	_job_t *job = &s->job[j];
	int n = job->held.count + rep->count;

	p->node = malloc(sizeof(int) * (n + 1));
	p->gpus = malloc(sizeof(int) * (n + 1));
	if (!p->node || !p->gpus) {
		tp_placement_clear(p);
		tp_placement_clear(rep);
		return _oom(s);
	}
	memcpy(p->node, job->held.node, sizeof(int) * job->held.count);
	memcpy(p->gpus, job->held.gpus, sizeof(int) * job->held.count);
	memcpy(p->node + job->held.count, rep->node, sizeof(int) * rep->count);
	memcpy(p->gpus + job->held.count, rep->gpus, sizeof(int) * rep->count);
	p->count = n;
	p->score = rep->score;
	_hold_apply(s, j, -1);
	tp_placement_clear(&job->held);
	tp_placement_clear(rep);
	job->req = job->full;
	job->need = s->tj[j].gpus;
	job->recovering = false;
	job->top = false;
	return 0;
}

/* A recovering job: RET true with its whole placement p when its
 * replacements are found. */
static bool _recover(_sim_t *s, int j, tp_placement_t *p)
{
	_job_t *job = &s->job[j];
	tp_placement_t rep = { 0 };
	bool ok;

	s->recovering_for = j;
	if (s->opts->recovery == SIM_RECOVERY_TOPOPACK) {
		int got = _recover_near(s, j, &rep, p);

		if (got == 1) {
			s->recovering_for = -1;
			return true;
		}
		ok = got == 0;
	} else {
		tp_request_t keep = job->req;

		(void) _mask(s, j, _last_stage(s), false);
		job->req.usable = s->mask;
		ok = _place(s, s->state, s->free_gpus, j, &rep) ||
			(s->opts->preempt && _preempt(s, j, &rep));
		job->req = keep;
	}
	s->recovering_for = -1;
	return ok && !_combine(s, j, &rep, p);
}

/*****************************************************************************\
 *  Scheduling passes
\*****************************************************************************/

/* Main scheduler: in queue order until the first job that cannot start. */
static int _schedule(_sim_t *s)
{
	while (s->nqueue && !s->oom) {
		int j = s->queue[0];
		tp_placement_t p = { 0 };

		if (s->job[j].recovering) {
			if (!_recover(s, j, &p))
				break;
		} else if (!_place(s, s->state, s->free_gpus, j, &p) &&
			   !(s->opts->preempt && _preempt(s, j, &p))) {
			break;
		}
		/* Victims queue behind j: it is still first. */
		_dequeue(s, 0);
		if (_start(s, j, &p))
			return -1;
	}
	return s->oom ? -1 : 0;
}

static int _cmp_end(const void *a, const void *b, void *arg)
{
	const _sim_t *s = arg;
	double x = s->out->job[*(const int *) a].end;
	double y = s->out->job[*(const int *) b].end;

	return (x > y) - (x < y);
}

/*
 * The first queued job's reservation: the earliest end after which it
 * fits, and the state then. RET the state (caller frees), shadow set to
 * the time (INFINITY when it never fits), later_free to its free GPUs.
 */
static tp_state_t *_shadow(_sim_t *s, int head, double *shadow,
			   int *later_free)
{
	tp_state_t *later = tp_state_copy(s->state);
	int *order = malloc(sizeof(int) * (s->nrunning + 1));
	int freed = s->free_gpus;
	tp_placement_t p = { 0 };

	*shadow = INFINITY;
	if (!later || !order) {
		tp_state_free(later);
		free(order);
		_oom(s);
		return NULL;
	}
	memcpy(order, s->running, sizeof(int) * s->nrunning);
	qsort_r(order, s->nrunning, sizeof(int), _cmp_end, s);
	for (int k = 0; k < s->nrunning; k++) {
		int r = order[k];
		double t = s->out->job[r].end;

		tp_state_unapply(later, &s->job[r].pl, false);
		freed += s->tj[r].gpus;
		/* Jobs ending at the same time free their GPUs together. */
		if (k + 1 < s->nrunning && s->out->job[order[k + 1]].end == t)
			continue;
		if (_place(s, later, freed, head, &p)) {
			*shadow = t;
			break;
		}
	}
	tp_placement_clear(&p);
	free(order);
	*later_free = freed;
	return later;
}

/* Is (gpus, nodes) among the shapes that did not fit in this pass? The
 * pass only ever takes GPUs, so what did not fit never will in it. */
static bool _failed(const sim_job_t *failed, int nfailed, const sim_job_t *j)
{
	for (int i = 0; i < nfailed; i++)
		if (failed[i].gpus == j->gpus && failed[i].nodes == j->nodes)
			return true;
	return false;
}

#define FAILED_SHAPES 64

static int _backfill(_sim_t *s)
{
	int head, tried = 0, later_free, nfailed = 0;
	sim_job_t failed[FAILED_SHAPES];
	double shadow;
	tp_state_t *later;

	if (s->nqueue < 2)
		return 0;
	head = s->queue[0];
	later = _shadow(s, head, &shadow, &later_free);
	if (!later)
		return -1;
	for (int pos = 1; pos < s->nqueue && tried < s->opts->bf_depth &&
	     s->free_gpus > 0; tried++) {
		int j = s->queue[pos];
		const sim_job_t *tj = &s->tj[j];
		tp_placement_t p = { 0 }, q = { 0 };
		double end;
		bool go;

		/* Ends after the shadow time (stretch only lengthens) and
		 * leaves too few GPUs then for the first job: skip it without
		 * placing anything. */
		if (tj->gpus > s->free_gpus || _failed(failed, nfailed, tj) ||
		    s->job[j].recovering ||
		    (s->now + s->job[j].remaining > shadow &&
		     later_free - tj->gpus < s->job[head].need)) {
			pos++;
			continue;
		}
		if (!_place(s, s->state, s->free_gpus, j, &p)) {
			if (nfailed < FAILED_SHAPES)
				failed[nfailed++] = *tj;
			pos++;
			continue;
		}
		end = s->now + _run_time(s, j, _predicted_ratio(s, &p));
		go = end <= shadow;
		if (!go && !tp_state_apply(later, &p, false)) {
			/* It would still hold p at the shadow time. */
			go = !tp_place(later, s->opts->policy,
				       &s->job[head].req, &q, NULL);
			tp_placement_clear(&q);
			if (go)
				later_free -= tj->gpus;
			else
				tp_state_unapply(later, &p, false);
		}
		if (!go) {
			tp_placement_clear(&p);
			pos++;
			continue;
		}
		_dequeue(s, pos);
		if (_start(s, j, &p)) {
			tp_state_free(later);
			return -1;
		}
	}
	tp_state_free(later);
	return s->oom ? -1 : 0;
}

/*****************************************************************************\
 *  The replay
\*****************************************************************************/

/*****************************************************************************\
 *  Failures and repairs
\*****************************************************************************/

static int _nev_push(_sim_t *s, double t, int node)
{
	int i;

	s->node_next[node] = t;
	if (s->nnev == s->cap_nev) {
		int cap = s->cap_nev ? 2 * s->cap_nev : 1024;
		_end_t *h = realloc(s->nev, sizeof(_end_t) * cap);

		if (!h)
			return _oom(s);
		s->nev = h;
		s->cap_nev = cap;
	}
	i = s->nnev++;
	s->nev[i] = (_end_t) { t, node, 0 };
	while (i > 0 && s->nev[(i - 1) / 2].end > s->nev[i].end) {
		_end_t e = s->nev[i];

		s->nev[i] = s->nev[(i - 1) / 2];
		s->nev[(i - 1) / 2] = e;
		i = (i - 1) / 2;
	}
	return 0;
}

static void _nev_pop(_sim_t *s)
{
	int i = 0;

	s->nev[0] = s->nev[--s->nnev];
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		_end_t e;

		if (l < s->nnev && s->nev[l].end < s->nev[m].end)
			m = l;
		if (r < s->nnev && s->nev[r].end < s->nev[m].end)
			m = r;
		if (m == i)
			break;
		e = s->nev[i];
		s->nev[i] = s->nev[m];
		s->nev[m] = e;
		i = m;
	}
}

/* RET the next node event still valid, or NULL. */
static const _end_t *_nev_top(_sim_t *s)
{
	while (s->nnev && s->nev[0].end != s->node_next[s->nev[0].job])
		_nev_pop(s);
	return s->nnev ? &s->nev[0] : NULL;
}

/* Seconds to node's next failure: exponential, from its own stream so
 * that every policy sees the same failures. */
static double _draw(_sim_t *s, int node)
{
	double u = (double) (splitmix64(&s->rng[node]) >> 11) * 0x1.0p-53;

	return -s->opts->node_mtbf_s * log1p(-u);
}

static int _cmp_fail(const void *a, const void *b)
{
	const sim_fail_t *x = a, *y = b;

	if (x->t != y->t)
		return (x->t > y->t) - (x->t < y->t);
	return (x->node > y->node) - (x->node < y->node);
}

static int _fail_init(_sim_t *s)
{
	int n = s->lv.nnodes, k = 0;

	for (int i = 0; i < s->opts->nfail; i++)
		if (s->opts->fail[i].node >= 0 && s->opts->fail[i].node < n)
			s->fail[k++] = s->opts->fail[i];
	qsort(s->fail, k, sizeof(sim_fail_t), _cmp_fail);
	s->nfail = k;
	/* Spares: the last nodes of every leaf. */
	for (int l = 0; l < s->lv.nleaves; l++)
		s->lv.count[l] = 0;
	for (int i = n - 1; s->opts->spares > 0 && i >= 0; i--) {
		int l = s->lv.leaf_of[i];

		if (s->lv.count[l] >= s->opts->spares)
			continue;
		s->lv.count[l]++;
		s->spare[i] = 1;
		(void) tp_state_set_avail(s->state, i, TP_NODE_RESERVED);
		s->out->spare_gpus += tp_fabric_node_gpus(s->fabric, i);
	}
	for (int i = 0; i < n; i++) {
		s->rng[i] = s->opts->seed ^ (0x9e3779b97f4a7c15ULL * (i + 1));
		(void) splitmix64(&s->rng[i]);
		s->node_next[i] = INFINITY;
		if (s->opts->node_mtbf_s > 0 &&
		    _nev_push(s, s->out->first_submit + _draw(s, i), i))
			return -1;
	}
	return 0;
}

static int _restart_record(_sim_t *s, int j)
{
	sim_result_t *o = s->out;

	if (o->nrestarts == o->cap_restarts) {
		long cap = o->cap_restarts ? 2 * o->cap_restarts : 256;
		sim_restart_t *r = realloc(o->restart, sizeof(*r) * cap);

		if (!r)
			return _oom(s);
		o->restart = r;
		o->cap_restarts = cap;
	}
	o->restart[o->nrestarts] = (sim_restart_t) { j, s->now, NAN, false };
	s->job[j].open = o->nrestarts++;
	return 0;
}

/* Did the leaf of job j's failed node have, just after the failure, a
 * free node (or spare) that could replace it, or a job the topopack
 * recovery could preempt? */
static bool _room(_sim_t *s, int j)
{
	const _job_t *job = &s->job[j];
	int x = job->fail_node, leaf = s->lv.leaf_of[x];
	int prio = s->tj[j].priority;
	int want = job->full.total_gpus > 0 ? job->fail_gpus :
		job->full.gpus_per_node;

	for (int i = 0; i < s->lv.nnodes; i++) {
		int avail = tp_state_node_avail(s->state, i);

		if (s->lv.leaf_of[i] != leaf || avail == TP_NODE_DOWN ||
		    _is_bad(job, i) || _has(&job->held, i))
			continue;
		if (tp_state_node_free_gpus(s->state, i) >= want)
			return true;
	}
	for (int k = 0; k < s->nrunning; k++) {
		int r = s->running[k];
		const tp_placement_t *p = &s->job[r].pl;

		if (s->tj[r].priority >= prio && !_on_spare(s, r))
			continue;
		for (int i = 0; i < p->count; i++)
			if (s->lv.leaf_of[p->node[i]] == leaf &&
			    !_is_bad(job, p->node[i]))
				return true;
	}
	return false;
}

/* A node under running job j failed. */
static int _interrupt(_sim_t *s, int j, int x)
{
	_job_t *job = &s->job[j];
	sim_outcome_t *o = &s->out->job[j];
	const tp_placement_t *pl = &job->pl;
	tp_placement_t held = { 0 };

	o->failures++;
	if (o->failures == 1) {
		o->leaves_before = o->leaves;
		job->rate_before = job->rate;
	}
	o->ckpt_lost_gpu_s += s->tj[j].gpus *
		tp_lost_seconds(s->now - o->start, s->opts->checkpoint_s);
	job->fail_node = x;
	for (int i = 0; i < pl->count; i++)
		if (pl->node[i] == x)
			job->fail_gpus = pl->gpus[i];
	if (_bad_add(s, j, x) || _restart_record(s, j))
		return -1;
	if (s->opts->recovery != SIM_RECOVERY_NONE) {
		held.node = malloc(sizeof(int) * (pl->count + 1));
		held.gpus = malloc(sizeof(int) * (pl->count + 1));
		if (!held.node || !held.gpus) {
			tp_placement_clear(&held);
			return _oom(s);
		}
		for (int i = 0; i < pl->count; i++) {
			if (pl->node[i] == x)
				continue;
			held.node[held.count] = pl->node[i];
			held.gpus[held.count++] = pl->gpus[i];
		}
	}
	_stop(s, j, STOP_FAIL);
	job->after_failure = true;
	if (s->opts->recovery == SIM_RECOVERY_NONE) {
		/* Stock: begin time now + cred_expire, nodes free. */
		s->delayed[s->ndelayed++] = (_delay_t) {
			s->now + s->opts->cred_expire_s, j };
		return 0;
	}
	job->held = held;
	job->recovering = true;
	job->top = true;
	_hold_apply(s, j, 1);
	_rest(s, j);
	_enqueue(s, j);
	return 0;
}

static int _node_fail(_sim_t *s, int x)
{
	long first = s->out->nrestarts;
	int nv = 0;

	if (s->down[x])
		return 0;
	s->out->node_failures++;
	for (int i = 0; i < s->nrunning; i++)
		if (_has(&s->job[s->running[i]].pl, x))
			s->scratch[nv++] = s->running[i];
	for (int k = 0; k < nv; k++)
		if (_interrupt(s, s->scratch[k], x))
			return -1;
	for (int q = 0; q < s->nqueue; q++) {
		int j = s->queue[q];

		if (s->job[j].recovering && _has(&s->job[j].held, x) &&
		    _drop_held(s, j, x))
			return -1;
	}
	s->free_gpus -= tp_state_node_free_gpus(s->state, x);
	(void) tp_state_set_avail(s->state, x, TP_NODE_DOWN);
	s->down[x] = 1;
	s->ndown++;
	for (long r = first; r < s->out->nrestarts; r++)
		s->out->restart[r].room = _room(s, s->out->restart[r].job);
	return _nev_push(s, s->now + s->opts->repair_s, x);
}

static int _node_repair(_sim_t *s, int x)
{
	s->down[x] = 0;
	s->ndown--;
	(void) tp_state_set_avail(s->state, x, s->spare[x] ?
				  TP_NODE_RESERVED : TP_NODE_UP);
	s->free_gpus += tp_state_node_free_gpus(s->state, x);
	if (s->opts->node_mtbf_s <= 0) {
		s->node_next[x] = INFINITY;
		return 0;
	}
	return _nev_push(s, s->now + _draw(s, x), x);
}

/* RET the time of the next failure event: a begin time, and while
 * anything is left to replay, a failure or repair. */
static double _fail_next(_sim_t *s, bool submits)
{
	const _end_t *e;
	double t = INFINITY;

	for (int i = 0; i < s->ndelayed; i++)
		t = fmin(t, s->delayed[i].begin);
	if (!submits && !s->nrunning && !s->ndelayed &&
	    !(s->nqueue && s->ndown))
		return t;
	if ((e = _nev_top(s)))
		t = fmin(t, e->end);
	if (s->next_fail < s->nfail)
		t = fmin(t, s->fail[s->next_fail].t);
	return t;
}

static int _fail_events(_sim_t *s, double t, bool *changed)
{
	const _end_t *e;

	for (int i = 0; i < s->ndelayed;) {
		if (s->delayed[i].begin > t) {
			i++;
			continue;
		}
		_enqueue(s, s->delayed[i].job);
		s->delayed[i] = s->delayed[--s->ndelayed];
		*changed = true;
	}
	while ((e = _nev_top(s)) && e->end <= t) {
		int x = e->job;

		_nev_pop(s);
		if (s->down[x] ? _node_repair(s, x) : _node_fail(s, x))
			return -1;
		*changed = true;
	}
	while (s->next_fail < s->nfail && s->fail[s->next_fail].t <= t) {
		if (_node_fail(s, s->fail[s->next_fail++].node))
			return -1;
		*changed = true;
	}
	return s->oom ? -1 : 0;
}

static int _alloc(_sim_t *s)
{
	int n = tp_fabric_node_count(s->fabric);
	sim_result_t *o = s->out;

	s->job = calloc(s->njobs + 1, sizeof(_job_t));
	s->queue = malloc(sizeof(int) * (s->njobs + 1));
	s->running = malloc(sizeof(int) * (s->njobs + 1));
	s->run_pos = malloc(sizeof(int) * (s->njobs + 1));
	s->on = calloc(n + 1, 1);
	s->leaf_seen = calloc(n + 1, 1);
	s->leaf_busy = calloc(n + 1, sizeof(int));
	o->job = calloc(s->njobs + 1, sizeof(sim_outcome_t));
	s->state = tp_state_new(s->fabric);
	s->spare = calloc(n + 1, 1);
	if (!s->job || !s->queue || !s->running || !s->run_pos || !s->on ||
	    !s->leaf_seen || !s->leaf_busy || !o->job || !s->state ||
	    !s->spare || sim_leaves_init(&s->lv, s->fabric))
		return _oom(s);
	if (s->failing) {
		s->node_next = malloc(sizeof(double) * (n + 1));
		s->rng = calloc(n + 1, sizeof(uint64_t));
		s->down = calloc(n + 1, 1);
		s->mask = calloc(n + 1, 1);
		s->scratch = malloc(sizeof(int) * (s->njobs + 1));
		s->delayed = malloc(sizeof(_delay_t) * (s->njobs + 1));
		s->fail = malloc(sizeof(sim_fail_t) * (s->opts->nfail + 1));
		if (!s->node_next || !s->rng || !s->down || !s->mask ||
		    !s->scratch || !s->delayed || !s->fail)
			return _oom(s);
	}
	o->count = s->njobs;
	return 0;
}

static void _free(_sim_t *s)
{
	for (int i = 0; s->job && i < s->njobs; i++) {
		tp_placement_clear(&s->job[i].pl);
		tp_placement_clear(&s->job[i].held);
		free(s->job[i].bad);
	}
	free(s->job);
	free(s->nev);
	free(s->node_next);
	free(s->rng);
	free(s->down);
	free(s->spare);
	free(s->mask);
	free(s->scratch);
	free(s->fail);
	free(s->delayed);
	free(s->queue);
	free(s->running);
	free(s->run_pos);
	free(s->heap);
	free(s->shape);
	free(s->on);
	free(s->leaf_seen);
	free(s->leaf_busy);
	sim_leaves_fini(&s->lv);
	tp_state_free(s->state);
}

static double _seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int _loop(_sim_t *s)
{
	const double bfi = s->opts->bf_interval;
	double bf_next = INFINITY;
	int next = 0;
	bool changed = false;

	for (int i = 0; i < s->njobs; i++) {
		_job_t *job = &s->job[i];

		_request(&s->tj[i], &job->req);
		job->req.use_reserved = s->opts->spares > 0 &&
			s->tj[i].priority <= SIM_PREEMPTABLE_PRIORITY;
		job->full = job->req;
		job->need = s->tj[i].gpus;
		job->remaining = s->tj[i].duration;
		job->rate = 1;
		job->open = -1;
	}
	s->out->first_submit = s->njobs ? s->tj[0].submit : 0;
	s->out->last_end = s->out->first_submit;
	if (s->failing && _fail_init(s))
		return -1;
	for (;;) {
		const _end_t *e = _heap_top(s);
		double t = INFINITY;

		if (next < s->njobs)
			t = s->tj[next].submit;
		if (e && e->end < t)
			t = e->end;
		if (changed && s->nqueue && bf_next < t)
			t = bf_next;
		if (s->failing)
			t = fmin(t, _fail_next(s, next < s->njobs));
		if (t == INFINITY) {
			/* Queued jobs left now would wait forever. */
			s->out->stuck = s->nqueue;
			break;
		}
		s->now = t;
		while ((e = _heap_top(s)) && e->end <= t) {
			int j = e->job;

			_heap_pop(s);
			_stop(s, j, STOP_END);
			changed = true;
		}
		if (s->failing && _fail_events(s, t, &changed))
			return -1;
		for (; next < s->njobs && s->tj[next].submit <= t; next++) {
			if (!_fits_empty(s, &s->tj[next])) {
				s->job[next].state = JOB_SKIPPED;
				s->out->job[next].too_large = true;
				s->out->too_large++;
				continue;
			}
			_enqueue(s, next);
			changed = true;
		}
		if (_schedule(s))
			return -1;
		if (!changed || !s->nqueue || bfi <= 0)
			continue;
		if (bf_next == INFINITY || bf_next < t)
			bf_next = (floor(t / bfi) + 1) * bfi;
		else if (bf_next == t) {
			if (_backfill(s))
				return -1;
			changed = false;
			bf_next = (floor(t / bfi) + 1) * bfi;
		}
	}
	return 0;
}

extern int sim_run(const tp_fabric_t *fabric, const sim_trace_t *trace,
		   const sim_opts_t *opts, sim_result_t *out, tp_error_t *err)
{
	_sim_t s = { .fabric = fabric, .tj = trace->job, .opts = opts,
		     .out = out, .njobs = trace->count, .err = err,
		     .failing = opts->recovery != SIM_RECOVERY_OFF,
		     .recovering_for = -1 };
	double t0 = _seconds();
	int rc;

	memset(out, 0, sizeof(*out));
	s.free_gpus = tp_fabric_gpu_count(fabric);
	rc = _alloc(&s) || _shapes(&s) ? -1 : _loop(&s);
	out->wall_s = _seconds() - t0;
	_free(&s);
	if (rc) {
		if (s.oom)
			snprintf(err->text, sizeof(err->text),
				 "out of memory");
		sim_result_free(out);
		errno = s.oom ? ENOMEM : EINVAL;
	}
	return rc;
}

extern void sim_result_free(sim_result_t *res)
{
	if (!res)
		return;
	free(res->job);
	free(res->step);
	free(res->restart);
	memset(res, 0, sizeof(*res));
}
