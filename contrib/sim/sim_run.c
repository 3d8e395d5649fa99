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
	tp_request_t req;
	tp_placement_t pl;	/* while running */
	int seq;		/* runs so far: tells stale heap entries */
} _job_t;

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

/* Scheduling order: higher priority first, then trace (submit) order. */
static bool _before(_sim_t *s, int a, int b)
{
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
	double f = s->opts->stretch, d = s->tj[j].duration;

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
	s->run_pos[j] = s->nrunning;
	s->running[s->nrunning++] = j;
	s->free_gpus -= s->tj[j].gpus;
	s->busy_gpus += s->tj[j].gpus;
	_timeline(s, &job->pl, 1);
	return _heap_push(s, o->end, j);
}

/* Take job j off the machine; it ended, or was preempted (requeue). */
static void _stop(_sim_t *s, int j, bool requeue)
{
	_job_t *job = &s->job[j];
	sim_outcome_t *o = &s->out->job[j];
	int pos = s->run_pos[j], g = s->tj[j].gpus;
	double ran = s->now - o->start;

	tp_state_unapply(s->state, &job->pl, false);
	s->running[pos] = s->running[--s->nrunning];
	s->run_pos[s->running[pos]] = pos;
	s->run_pos[j] = -1;
	s->free_gpus += g;
	s->busy_gpus -= g;
	_timeline(s, &job->pl, -1);
	tp_placement_clear(&job->pl);
	if (requeue) {
		o->restarts++;
		s->out->preemptions++;
		s->out->lost_gpu_s += g * ran;
		_enqueue(s, j);
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

	if (s->tj[j].gpus > free_gpus)
		return false;
	return !tp_place(state, s->opts->policy, &s->job[j].req, p, &err);
}

/*****************************************************************************\
 *  Preemption
\*****************************************************************************/

/* topopack: the planner's victims and placement. */
static bool _preempt_plan(_sim_t *s, int j, tp_placement_t *p)
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

		if (s->tj[r].priority >= prio)
			continue;
		v[nv++] = (tp_victim_t) {
			.id = (uint32_t) r,
			.nnodes = s->job[r].pl.count,
			.node = s->job[r].pl.node,
			.gpus = s->job[r].pl.gpus,
			.priority = (uint32_t) s->tj[r].priority,
			.run_seconds = s->now - s->out->job[r].start,
			.preemptable = true,
		};
	}
	/* No time budget: a replay must not depend on the machine's speed. */
	ok = nv && !tp_preempt_plan_within(s->state, &s->job[j].req, v, nv,
					   -1, &plan, &err);
	free(v);
	if (!ok)
		return false;
	for (int i = 0; i < plan.count; i++)
		_stop(s, (int) plan.id[i], true);
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
				_stop(s, cand[c], true);
		}
		memset(on, 0, n);
	}
	free(cand);
	return ok;
}

static bool _preempt(_sim_t *s, int j, tp_placement_t *p)
{
	if (s->opts->policy == TP_POLICY_TOPOPACK)
		return _preempt_plan(s, j, p);
	return _preempt_stock(s, j, p);
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

		if (!_place(s, s->state, s->free_gpus, j, &p) &&
		    !(s->opts->preempt && _preempt(s, j, &p)))
			break;
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
		    (s->now + tj->duration > shadow &&
		     later_free - tj->gpus < s->tj[head].gpus)) {
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
	if (!s->job || !s->queue || !s->running || !s->run_pos || !s->on ||
	    !s->leaf_seen || !s->leaf_busy || !o->job || !s->state ||
	    sim_leaves_init(&s->lv, s->fabric))
		return _oom(s);
	o->count = s->njobs;
	return 0;
}

static void _free(_sim_t *s)
{
	for (int i = 0; s->job && i < s->njobs; i++)
		tp_placement_clear(&s->job[i].pl);
	free(s->job);
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

	for (int i = 0; i < s->njobs; i++)
		_request(&s->tj[i], &s->job[i].req);
	s->out->first_submit = s->njobs ? s->tj[0].submit : 0;
	s->out->last_end = s->out->first_submit;
	for (;;) {
		const _end_t *e = _heap_top(s);
		double t = INFINITY;

		if (next < s->njobs)
			t = s->tj[next].submit;
		if (e && e->end < t)
			t = e->end;
		if (changed && s->nqueue && bf_next < t)
			t = bf_next;
		if (t == INFINITY) {
			/* Queued jobs left now would wait forever. */
			s->out->stuck = s->nqueue;
			break;
		}
		s->now = t;
		while ((e = _heap_top(s)) && e->end <= t) {
			int j = e->job;

			_heap_pop(s);
			_stop(s, j, false);
			changed = true;
		}
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
		     .out = out, .njobs = trace->count, .err = err };
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
	memset(res, 0, sizeof(*res));
}
