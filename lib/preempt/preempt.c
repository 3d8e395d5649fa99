/*****************************************************************************\
 *  preempt.c - which running jobs to preempt for a high-priority request.
 *
 *  1. Release every preemptable job: the placement there is the most
 *     compact any plan can reach (key K*). If the request can be placed
 *     now as compactly, nothing is preempted.
 *  2. The first plan: K*'s own placement, each of its nodes freed by its
 *     cheapest jobs.
 *  3. Give every node a cost: the least work lost (GPU-seconds) to free
 *     it for the request, from the jobs running on it (a job on several
 *     nodes is charged to each by its share of GPUs there, or wholly:
 *     both are tried).
 *  4. In every block of K*'s top level, the exact programme of
 *     place_knapsack.c, with those costs as node fit, finds the cheapest
 *     node set among those as compact as K*.
 *  5. The jobs to preempt are then those each chosen node needs, and the
 *     cheapest plan by (lost work, jobs, their priorities) wins.
 *
 *  The cheapest jobs of one node are exact however many jobs it holds:
 *  the jobs it loses in any case (one holding it whole; all of them for an
 *  exclusive request), then a covering knapsack over the others by GPUs
 *  freed, in O(jobs x GPUs of the node). With jobs on one node each the
 *  per-node costs add up exactly, so the plan is optimal in compactness
 *  and lost work; a job on several nodes is counted once in the plan's
 *  lost work however it was charged.
 *
 *  The time budget is looked at before steps 3 to 5 (once per way of
 *  charging) and before each block of step 4; one block's programme runs
 *  to its end. Once the budget has run out, the cheapest plan found so
 *  far is returned: as compact as any, as step 2's already is.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "place/place_search_private.h"

typedef struct {
	double lost;			/* HUGE_VAL: no such set */
	int count;
	double priority;		/* sum over the jobs preempted */
} _cost_t;

typedef struct {
	const tp_state_t *s;		/* now: victims hold their GPUs */
	const tp_state_t *all;		/* every preemptable job released */
	const tp_request_t *req;
	const tp_victim_t *v;
	int nv;
	int *start, *vic, *vgpus;	/* per node: preemptable jobs on it */
	double *lost;			/* per job: GPUs x run_seconds */
	int *total;			/* per job: GPUs held */
	bool *chosen;			/* per job, while building a plan */
	bool multi;			/* a job on several nodes */
	/* one node's search (_node_search) */
	int width;			/* most GPUs a node gives, plus one */
	_cost_t *best;			/* [width] */
	uint8_t *take;			/* [jobs on a node x width] */
	int *opt;			/* [jobs on a node] */
	/* time budget */
	struct timespec t0;
	double budget;			/* seconds; negative: none */
	bool cut;
} _planner_t;

/* A node once its jobs that must go are gone. */
typedef struct {
	int base;			/* GPUs it then gives */
	int most;			/* best[] holds 0..most GPUs missing */
	int nopt;			/* jobs it may keep: pl->opt[] */
} _node_t;

static int _cost_cmp(const _cost_t *a, const _cost_t *b)
{
	if (a->lost != b->lost)
		return a->lost < b->lost ? -1 : 1;
	if (a->count != b->count)
		return a->count < b->count ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return 0;
}

static int _oom(tp_error_t *err)
{
	return tp_place_fail(err, "preempt", ENOMEM, "out of memory");
}

/* Has the budget run out? Once it has, it stays so. */
static bool _out_of_time(_planner_t *pl)
{
	struct timespec now;

	if (pl->cut || pl->budget < 0)
		return pl->cut;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pl->cut = (double) (now.tv_sec - pl->t0.tv_sec) +
		(now.tv_nsec - pl->t0.tv_nsec) / 1e9 >= pl->budget;
	return pl->cut;
}

/*****************************************************************************\
 *  Jobs on nodes
\*****************************************************************************/

/* RET 0, or -1 with errno ENOMEM, or EINVAL for a node out of range. */
static int _index_jobs(_planner_t *pl)
{
	int n = pl->s->fabric->nnodes, pairs = 0, most = 0;
	int *fill;

	for (int j = 0; j < pl->nv; j++) {
		const tp_victim_t *v = &pl->v[j];

		for (int i = 0; i < v->nnodes; i++) {
			if (v->node[i] < 0 || v->node[i] >= n) {
				errno = EINVAL;
				return -1;
			}
		}
		pairs += v->preemptable ? v->nnodes : 0;
		pl->multi |= v->preemptable && v->nnodes > 1;
	}
	pl->start = calloc(n + 1, sizeof(int));
	pl->lost = calloc(pl->nv + 1, sizeof(double));
	pl->total = calloc(pl->nv + 1, sizeof(int));
	pl->chosen = calloc(pl->nv + 1, sizeof(bool));
	pl->vic = malloc(sizeof(int) * (pairs + 1));
	pl->vgpus = malloc(sizeof(int) * (pairs + 1));
	fill = calloc(n + 1, sizeof(int));
	if (!pl->start || !pl->lost || !pl->total || !pl->chosen ||
	    !pl->vic || !pl->vgpus || !fill)
		goto oom;
	for (int j = 0; j < pl->nv; j++) {
		const tp_victim_t *v = &pl->v[j];

		for (int i = 0; i < v->nnodes; i++) {
			pl->lost[j] += (double) v->gpus[i] * v->run_seconds;
			pl->total[j] += v->gpus[i];
			if (v->preemptable)
				pl->start[v->node[i] + 1]++;
		}
	}
	for (int i = 0; i < n; i++) {
		most = pl->start[i + 1] > most ? pl->start[i + 1] : most;
		pl->start[i + 1] += pl->start[i];
	}
	for (int j = 0; j < pl->nv; j++) {
		const tp_victim_t *v = &pl->v[j];

		for (int i = 0; v->preemptable && i < v->nnodes; i++) {
			int at = pl->start[v->node[i]] + fill[v->node[i]]++;

			pl->vic[at] = j;
			pl->vgpus[at] = v->gpus[i];
		}
	}
	pl->width = pl->s->fabric->max_gpus + 1;
	pl->best = malloc(sizeof(_cost_t) * pl->width);
	pl->take = malloc((size_t) (most + 1) * pl->width);
	pl->opt = malloc(sizeof(int) * (most + 1));
	if (!pl->best || !pl->take || !pl->opt)
		goto oom;
	free(fill);
	return 0;
oom:
	free(fill);
	errno = ENOMEM;
	return -1;
}

/* The state with every preemptable job gone. RET NULL with errno ENOMEM,
 * or EINVAL when a job does not hold what it says. */
static tp_state_t *_release_all(const _planner_t *pl)
{
	tp_state_t *all = tp_state_copy(pl->s);

	if (!all) {
		errno = ENOMEM;
		return NULL;
	}
	for (int j = 0; j < pl->nv; j++) {
		const tp_victim_t *v = &pl->v[j];

		for (int i = 0; v->preemptable && i < v->nnodes; i++) {
			if (tp_state_release(all, v->node[i], v->gpus[i],
					     v->exclusive)) {
				tp_state_free(all);
				errno = EINVAL;
				return NULL;
			}
		}
	}
	return all;
}

/*****************************************************************************\
 *  The cheapest jobs of one node
\*****************************************************************************/

/* Add the job at position at of a node's list to c. share: charge a job
 * on several nodes by its share of GPUs here. */
static void _cost_add(const _planner_t *pl, int at, bool share, _cost_t *c)
{
	int j = pl->vic[at];

	c->lost += share && pl->v[j].nnodes > 1 && pl->total[j] ?
		pl->lost[j] * pl->vgpus[at] / pl->total[j] : pl->lost[j];
	c->count++;
	c->priority += pl->v[j].priority;
}

/* Must the job at position at go for the node to serve the request? */
static bool _must_go(const _planner_t *pl, int at)
{
	return pl->req->exclusive || pl->v[pl->vic[at]].exclusive;
}

/*
 * The cheapest sets of jobs to preempt on node n, for every number of
 * GPUs missing up to most (jobs already chosen are gone for nothing):
 * pl->best[g] is the cheapest set that frees at least g GPUs more than
 * nd->base, pl->take[i * width + g] says whether its i-th optional job is
 * in it. Jobs holding no GPU are never optional: they free nothing.
 * IN most - the most GPUs the request may need on n: at most its GPUs,
 *	so that best[] (max_gpus + 1) holds them
 * RET false when no set frees the node
 */
static bool _node_search(_planner_t *pl, int n, int most, bool share,
			 _node_t *nd)
{
	const tp_state_t *s = pl->s;
	int first = pl->start[n], last = pl->start[n + 1];
	bool gone = false;

	if (pl->req->exclusive && s->users[n] != last - first)
		return false;	/* a job that is not a candidate stays */
	nd->base = s->free_gpus[n];
	nd->nopt = 0;
	memset(&pl->best[0], 0, sizeof(pl->best[0]));
	for (int at = first; at < last; at++) {
		int j = pl->vic[at];

		if (pl->chosen[j] || _must_go(pl, at)) {
			nd->base += pl->vgpus[at];
			gone = true;
			if (!pl->chosen[j])
				_cost_add(pl, at, share, &pl->best[0]);
		} else if (pl->vgpus[at] > 0) {
			pl->opt[nd->nopt++] = at;
		}
	}
	if (s->exclusive[n] && !gone)
		return false;	/* held whole by a job that is not a candidate */
	nd->most = most > nd->base ? most - nd->base : 0;
	for (int g = 1; g <= nd->most; g++)
		pl->best[g] = (_cost_t) { .lost = HUGE_VAL };
	for (int i = 0; i < nd->nopt; i++) {
		int at = pl->opt[i], gpus = pl->vgpus[at];
		uint8_t *take = pl->take + (size_t) i * pl->width;

		/* down, so that best[] below g is still without job i */
		for (int g = nd->most; g >= 1; g--) {
			_cost_t c = pl->best[g > gpus ? g - gpus : 0];

			take[g] = 0;
			if (c.lost == HUGE_VAL)
				continue;
			_cost_add(pl, at, share, &c);
			if (_cost_cmp(&c, &pl->best[g]) < 0) {
				pl->best[g] = c;
				take[g] = 1;
			}
		}
	}
	return true;
}

/* Index in pl->best of the set giving need GPUs. */
static int _missing(const _planner_t *pl, const _node_t *nd, int need)
{
	if (pl->req->exclusive || need <= nd->base)
		return 0;
	return need - nd->base;
}

/* Mark chosen the jobs of the set _node_search() found on n for need. */
static void _node_pick(_planner_t *pl, int n, const _node_t *nd, int need)
{
	int g = _missing(pl, nd, need);

	for (int i = nd->nopt - 1; i >= 0 && g > 0; i--) {
		int at = pl->opt[i];

		if (!pl->take[(size_t) i * pl->width + g])
			continue;
		pl->chosen[pl->vic[at]] = true;
		g = g > pl->vgpus[at] ? g - pl->vgpus[at] : 0;
	}
	for (int at = pl->start[n]; at < pl->start[n + 1]; at++)
		if (_must_go(pl, at))
			pl->chosen[pl->vic[at]] = true;
}

/*****************************************************************************\
 *  Plans
\*****************************************************************************/

/*
 * Node costs for the programme: cost[n * width + x] to give x units on
 * node n (per-node form: x = 1 is the node), scaled so that sums fit its
 * 32-bit keys. RET NULL with errno ENOMEM.
 */
static uint32_t *_node_costs(_planner_t *pl, bool share)
{
	const tp_fabric_t *f = pl->s->fabric;
	int width = pl->width;
	size_t cells = (size_t) f->nnodes * width;
	uint32_t *cost = calloc(cells + 1, sizeof(uint32_t));
	double *raw = calloc(cells + 1, sizeof(double)), most = 0, unit;
	bool total = pl->req->total_gpus > 0;

	if (!cost || !raw) {
		free(cost);
		free(raw);
		errno = ENOMEM;
		return NULL;
	}
	for (int n = 0; n < f->nnodes; n++) {
		int take, units;
		_node_t nd;

		if (!tp_node_eligible(pl->all, pl->req, n, &take))
			continue;
		units = total ? take : 1;	/* at most the node's GPUs */
		if (!_node_search(pl, n, total ? units :
				  pl->req->gpus_per_node, share, &nd))
			continue;
		for (int x = 1; x <= units; x++) {
			int need = total ? x : pl->req->gpus_per_node;
			const _cost_t *c = &pl->best[_missing(pl, &nd, need)];
			double *r = &raw[(size_t) n * width + x];

			*r = c->lost == HUGE_VAL ? 0 : c->lost;
			most = *r > most ? *r : most;
		}
	}
	unit = most * f->nnodes / 1e9 > 1 ? most * f->nnodes / 1e9 : 1;
	for (size_t i = 0; i < cells; i++)
		cost[i] = (uint32_t) ceil(raw[i] / unit);
	free(raw);
	return cost;
}

/* The jobs the nodes of p need preempted (pl->chosen); their total cost. */
static _cost_t _victims_of(_planner_t *pl, const tp_placement_t *p)
{
	_cost_t total = { 0 };

	memset(pl->chosen, 0, sizeof(bool) * pl->nv);
	for (int i = 0; i < p->count; i++) {
		int n = p->node[i], need = pl->req->exclusive ? 0 : p->gpus[i];
		_node_t nd;

		if (!_node_search(pl, n, need, false, &nd) ||
		    pl->best[_missing(pl, &nd, need)].lost == HUGE_VAL)
			continue;	/* cannot happen: the node is eligible */
		_node_pick(pl, n, &nd, need);
	}
	for (int j = 0; j < pl->nv; j++) {
		if (!pl->chosen[j])
			continue;
		total.lost += pl->lost[j];
		total.count++;
		total.priority += pl->v[j].priority;
	}
	return total;
}

static bool _same_a(const tp_key_t *key, int t, const tp_score_t *want)
{
	for (int l = 0; l < t; l++)
		if (key->v[tp_kpos(t, l, false)] != (uint32_t) want->blocks[l])
			return false;
	return true;
}

/* RET 0, or -1 (ENOMEM) with p cleared. */
static int _placement_set(tp_placement_t *p, int count, const int *node,
			  const int *gpus)
{
	p->node = malloc(sizeof(int) * (count + 1));
	p->gpus = malloc(sizeof(int) * (count + 1));
	if (!p->node || !p->gpus) {
		tp_placement_clear(p);
		errno = ENOMEM;
		return -1;
	}
	p->count = count;
	memcpy(p->node, node, sizeof(int) * count);
	memcpy(p->gpus, gpus, sizeof(int) * count);
	return 0;
}

/* The cheapest single node, for a request that fits on one. */
static int _cheapest_node(const _planner_t *pl, const uint32_t *cost,
			  tp_placement_t *p)
{
	const tp_fabric_t *f = pl->s->fabric;
	int node = -1, gpus = 0, take, w = pl->width;
	int x = pl->req->total_gpus > 0 ? pl->req->total_gpus : 1;

	for (int n = 0; n < f->nnodes; n++) {
		if (!tp_node_eligible(pl->all, pl->req, n, &take) ||
		    (pl->req->total_gpus > take))
			continue;
		if (node < 0 || cost[n * w + x] < cost[node * w + x]) {
			node = n;
			gpus = pl->req->total_gpus > 0 && !pl->req->exclusive ?
				pl->req->total_gpus : take;
		}
	}
	return node < 0 ? 0 : _placement_set(p, 1, &node, &gpus);
}

typedef struct {
	int block;
	int nfit;
	tp_pick_t *pick;
} _knap_arg_t;

static void _knapsack(tp_search_t *c, void *arg)
{
	static const int fit[TP_MAX_LEVELS];
	_knap_arg_t *a = arg;

	tp_knapsack_eval(c, a->block, fit, a->nfit, a->pick);
}

/*
 * The cheapest placement as compact as want, with these node costs, over
 * the blocks of want's top level while the budget lasts. One search for
 * all of them: the capacities are counted once, and its best (compactness
 * first, then cost) is the answer.
 * OUT p - the placement; p->count is 0 when none is as compact
 * RET 0, or -1 with errno ENOMEM
 */
static int _cheapest(_planner_t *pl, const uint32_t *cost,
		     const tp_score_t *want, tp_placement_t *p)
{
	const tp_fabric_t *f = pl->s->fabric;
	int t = want->top_level, rc = 0;
	tp_pick_t pick = { 0 };
	_knap_arg_t arg = { .nfit = f->nlevels - t, .pick = &pick };
	tp_search_t c;

	memset(p, 0, sizeof(*p));
	if (t == 0)
		return _cheapest_node(pl, cost, p);
	pick.node = malloc(sizeof(int) * (f->nnodes + 1));
	pick.gpus = malloc(sizeof(int) * (f->nnodes + 1));
	if (!pick.node || !pick.gpus) {
		free(pick.node);
		free(pick.gpus);
		errno = ENOMEM;
		return -1;
	}
	if (tp_search_init(&c, pl->all, pl->req)) {
		free(pick.node);
		free(pick.gpus);
		return -1;
	}
	c.node_cost = cost;
	c.cost_width = pl->width;
	c.top = t;
	for (int i = f->level_first[t]; i < f->level_first[t + 1]; i++) {
		int b = f->level_blocks[i];

		if (tp_search_cap(&c, b) < c.D)
			continue;
		if (_out_of_time(pl))
			break;
		arg.block = b;
		if ((rc = tp_search_eval(&c, _knapsack, &arg)))
			break;
	}
	if (!rc && c.found && _same_a(&c.best_key, t, want))
		rc = _placement_set(p, c.best_count, c.best_node,
				    c.best_gpus);
	free(pick.node);
	free(pick.gpus);
	tp_search_fini(&c);
	return rc;
}

/* Plan of placement p and the jobs it needs; p is taken over. */
static int _fill_plan(_planner_t *pl, tp_placement_t *p,
		      tp_preempt_plan_t *plan)
{
	_cost_t c = _victims_of(pl, p);
	int k = 0;

	plan->id = calloc(c.count + 1, sizeof(uint32_t));
	if (!plan->id) {
		errno = ENOMEM;
		return -1;
	}
	for (int j = 0; j < pl->nv; j++)
		if (pl->chosen[j])
			plan->id[k++] = pl->v[j].id;
	plan->count = k;
	plan->lost_gpu_seconds = c.lost;
	plan->cut = pl->cut;
	plan->placement = *p;
	memset(p, 0, sizeof(*p));
	return tp_placement_score(pl->s->fabric, &plan->placement);
}

/*
 * Steps 3 to 5 with jobs on several nodes charged by share or wholly:
 * best is replaced when the plan found is cheaper.
 * RET 0, or -1 with errno ENOMEM
 */
static int _charged_plan(_planner_t *pl, bool share, const tp_score_t *want,
			 tp_placement_t *best, _cost_t *best_cost)
{
	tp_placement_t p = { 0 };
	uint32_t *cost;
	_cost_t c;

	/* Costs from the running jobs alone: a plan made before must not
	 * count as preempted already. */
	memset(pl->chosen, 0, sizeof(bool) * pl->nv);
	if (!(cost = _node_costs(pl, share)))
		return -1;
	if (_cheapest(pl, cost, want, &p)) {
		free(cost);
		return -1;
	}
	free(cost);
	if (!p.count)
		return 0;
	c = _victims_of(pl, &p);
	if (_cost_cmp(&c, best_cost) < 0) {
		tp_placement_clear(best);
		*best = p;
		*best_cost = c;
	} else {
		tp_placement_clear(&p);
	}
	return 0;
}

extern int tp_preempt_plan_within(const tp_state_t *s,
				  const tp_request_t *req,
				  const tp_victim_t *victims, int nvictims,
				  double budget_seconds,
				  tp_preempt_plan_t *plan, tp_error_t *err)
{
	_planner_t pl = { .s = s, .req = req, .v = victims, .nv = nvictims,
			  .budget = budget_seconds >= 0 ? budget_seconds : -1 };
	tp_placement_t best = { 0 }, now = { 0 };
	_cost_t best_cost;
	tp_score_t want;
	tp_state_t *all = NULL;
	int rc = -1, errnum;

	clock_gettime(CLOCK_MONOTONIC, &pl.t0);
	memset(plan, 0, sizeof(*plan));
	if (nvictims < 0 || (nvictims && !victims)) {
		tp_place_fail(err, "preempt", EINVAL,
			      "running jobs do not match the state");
		goto fini;
	}
	if (_index_jobs(&pl) || !(all = _release_all(&pl))) {
		if (errno == ENOMEM)
			_oom(err);
		else
			tp_place_fail(err, "preempt", EINVAL,
				      "running jobs do not match the state");
		goto fini;
	}
	pl.all = all;
	if (tp_place(all, TP_POLICY_TOPOPACK, req, &best, err))
		goto fini;	/* not even with everything preempted */
	if (!tp_place(s, TP_POLICY_TOPOPACK, req, &now, NULL) &&
	    !tp_score_cmp(&now.score, &best.score)) {
		plan->placement = now;		/* no need to preempt */
		memset(&now, 0, sizeof(now));
		rc = 0;
		goto fini;
	}
	want = best.score;
	best_cost = _victims_of(&pl, &best);
	/* Steps 3 to 5 charged by share, then wholly (the same unless a job
	 * is on several nodes); best stays the cheapest plan so far. */
	for (int share = 1; share >= !pl.multi && !_out_of_time(&pl);
	     share--) {
		if (_charged_plan(&pl, share, &want, &best, &best_cost)) {
			_oom(err);
			goto fini;
		}
	}
	if ((rc = _fill_plan(&pl, &best, plan)))
		_oom(err);
fini:
	errnum = errno;		/* the failure's, whatever free() does */
	tp_placement_clear(&best);
	tp_placement_clear(&now);
	tp_state_free(all);
	free(pl.start);
	free(pl.vic);
	free(pl.vgpus);
	free(pl.lost);
	free(pl.total);
	free(pl.chosen);
	free(pl.best);
	free(pl.take);
	free(pl.opt);
	errno = errnum;
	return rc;
}

extern int tp_preempt_plan(const tp_state_t *s, const tp_request_t *req,
			   const tp_victim_t *victims, int nvictims,
			   tp_preempt_plan_t *plan, tp_error_t *err)
{
	return tp_preempt_plan_within(s, req, victims, nvictims,
				      TP_PREEMPT_BUDGET, plan, err);
}

extern double tp_lost_seconds(double run_seconds, double interval)
{
	if (run_seconds <= 0)
		return 0;
	if (interval <= 0)
		return run_seconds;
	return fmod(run_seconds, interval);
}

extern void tp_preempt_plan_clear(tp_preempt_plan_t *plan)
{
	if (!plan)
		return;
	free(plan->id);
	tp_placement_clear(&plan->placement);
	memset(plan, 0, sizeof(*plan));
}
