/*****************************************************************************\
 *  preempt.c - which running jobs to preempt for a high-priority request.
 *
 *  1. Release every preemptable job: the placement there is the most
 *     compact any plan can reach (key K*). If the request can be placed
 *     now as compactly, nothing is preempted.
 *  2. Give every node a cost: the least work lost (GPU-seconds) to free
 *     it for the request, from the jobs running on it (a subset search
 *     over them; a job on several nodes is charged to each by its share of
 *     GPUs there, or wholly: both are tried).
 *  3. In every block of K*'s top level, the exact programme of
 *     place_knapsack.c, with those costs as node fit, finds the cheapest
 *     node set among those as compact as K*.
 *  4. The jobs to preempt are then those each chosen node needs, and the
 *     cheapest plan by (lost work, jobs, their priorities) wins.
 *  With jobs on one node each the per-node costs add up exactly, so the
 *  plan is optimal in compactness and lost work; a job on several nodes
 *  is counted once in the plan's lost work however it was charged.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place_search.h"

/* Largest per-node subset searched exactly; beyond, cheapest per GPU. */
#define EXACT_JOBS_PER_NODE 12

typedef struct {
	const tp_state_t *s;		/* now: victims hold their GPUs */
	const tp_state_t *all;		/* every preemptable job released */
	const tp_request_t *req;
	const tp_victim_t *v;
	int nv;
	int *start, *vic, *vgpus;	/* per node: preemptable jobs on it */
	double *lost;			/* per job: GPUs x run_seconds */
	bool *chosen;			/* per job, while building a plan */
} _planner_t;

typedef struct {
	double lost;
	int count;
	double priority;		/* sum over the jobs preempted */
} _cost_t;

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

/*****************************************************************************\
 *  Jobs on nodes
\*****************************************************************************/

static int _index_jobs(_planner_t *pl)
{
	int n = pl->s->fabric->nnodes, pairs = 0;
	int *fill;

	pl->start = calloc(n + 1, sizeof(int));
	pl->lost = calloc(pl->nv + 1, sizeof(double));
	pl->chosen = calloc(pl->nv + 1, sizeof(bool));
	for (int j = 0; j < pl->nv; j++)
		pairs += pl->v[j].preemptable ? pl->v[j].nnodes : 0;
	pl->vic = malloc(sizeof(int) * (pairs + 1));
	pl->vgpus = malloc(sizeof(int) * (pairs + 1));
	fill = calloc(n + 1, sizeof(int));
	if (!pl->start || !pl->lost || !pl->chosen || !pl->vic ||
	    !pl->vgpus || !fill) {
		free(fill);
		return -1;
	}
	for (int j = 0; j < pl->nv; j++) {
		const tp_victim_t *v = &pl->v[j];

		for (int i = 0; i < v->nnodes; i++) {
			if (v->node[i] < 0 || v->node[i] >= n) {
				free(fill);
				errno = EINVAL;
				return -1;
			}
			pl->lost[j] += (double) v->gpus[i] * v->run_seconds;
			if (v->preemptable)
				pl->start[v->node[i] + 1]++;
		}
	}
	for (int i = 0; i < n; i++)
		pl->start[i + 1] += pl->start[i];
	for (int j = 0; j < pl->nv; j++) {
		const tp_victim_t *v = &pl->v[j];

		for (int i = 0; v->preemptable && i < v->nnodes; i++) {
			int at = pl->start[v->node[i]] + fill[v->node[i]]++;

			pl->vic[at] = j;
			pl->vgpus[at] = v->gpus[i];
		}
	}
	free(fill);
	return 0;
}

/* The state with every preemptable job gone. */
static tp_state_t *_release_all(const _planner_t *pl)
{
	tp_state_t *all = tp_state_copy(pl->s);

	for (int j = 0; all && j < pl->nv; j++) {
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

/*
 * Does node n give need GPUs to the request once the jobs in mask (over
 * its list of preemptable jobs, plus those already chosen) are gone?
 */
static bool _frees(const _planner_t *pl, int n, unsigned mask, int need)
{
	const tp_state_t *s = pl->s;
	int free = s->free_gpus[n], gone = 0, k = 0;
	bool excl_left = false;

	for (int at = pl->start[n]; at < pl->start[n + 1]; at++, k++) {
		int j = pl->vic[at];

		if (pl->chosen[j] || (k < 32 && (mask & (1u << k)))) {
			free += pl->vgpus[at];
			gone++;
		} else if (pl->v[j].exclusive) {
			excl_left = true;
		}
	}
	if (excl_left || (s->exclusive[n] && !gone))
		return false;
	if (pl->req->exclusive)
		return gone == s->users[n];
	return free >= need;
}

/*
 * Cheapest set of jobs on node n to preempt so that it gives need GPUs
 * (jobs already chosen are gone). share: charge a job on several nodes by
 * its share of GPUs here.
 * OUT mask - the set, over the node's list
 * RET false when no set frees the node
 */
static bool _node_choice(const _planner_t *pl, int n, int need, bool share,
			 unsigned *mask, _cost_t *cost)
{
	int k = pl->start[n + 1] - pl->start[n];
	bool found = false;

	if (k > EXACT_JOBS_PER_NODE) {
		/* all of them: the exact search would be too long */
		*mask = k >= 32 ? ~0u : (1u << k) - 1;
		memset(cost, 0, sizeof(*cost));
		for (int at = pl->start[n]; at < pl->start[n + 1]; at++) {
			int j = pl->vic[at];

			if (pl->chosen[j])
				continue;
			cost->lost += pl->lost[j];
			cost->count++;
			cost->priority += pl->v[j].priority;
		}
		return _frees(pl, n, *mask, need);
	}
	for (unsigned m = 0; m < (1u << k); m++) {
		_cost_t c = { 0 };
		int i = 0;
		bool waste = false;

		for (int at = pl->start[n]; at < pl->start[n + 1]; at++, i++) {
			int j = pl->vic[at];
			int total = 0;

			if (!(m & (1u << i)))
				continue;
			if (pl->chosen[j]) {
				waste = true;	/* already gone */
				break;
			}
			for (int x = 0; x < pl->v[j].nnodes; x++)
				total += pl->v[j].gpus[x];
			c.lost += share && total ? pl->lost[j] *
				pl->vgpus[at] / total : pl->lost[j];
			c.count++;
			c.priority += pl->v[j].priority;
		}
		if (waste || !_frees(pl, n, m, need))
			continue;
		if (!found || _cost_cmp(&c, cost) < 0) {
			*cost = c;
			*mask = m;
			found = true;
		}
	}
	return found;
}

/*****************************************************************************\
 *  Plans
\*****************************************************************************/

/*
 * Node costs for the programme: cost[n * width + x] to give x units on
 * node n (per-node form: x = 1 is the node), scaled so that sums fit its
 * 32-bit keys.
 */
static uint32_t *_node_costs(const _planner_t *pl, bool share, int width)
{
	const tp_fabric_t *f = pl->s->fabric;
	size_t cells = (size_t) f->nnodes * width;
	uint32_t *cost = calloc(cells + 1, sizeof(uint32_t));
	double *raw = calloc(cells + 1, sizeof(double)), most = 0, unit;

	if (!cost || !raw) {
		free(cost);
		free(raw);
		return NULL;
	}
	for (int n = 0; n < f->nnodes; n++) {
		int take, units;

		if (!tp_node_eligible(pl->all, pl->req, n, &take))
			continue;
		units = pl->req->total_gpus > 0 ? take : 1;
		for (int x = 1; x <= units && x < width; x++) {
			int need = pl->req->total_gpus > 0 ? x :
				pl->req->gpus_per_node;
			double *r = &raw[(size_t) n * width + x];
			unsigned mask;
			_cost_t c;

			*r = _node_choice(pl, n, need, share, &mask, &c) ?
				c.lost : 0;
			most = *r > most ? *r : most;
		}
	}
	unit = most * f->nnodes / 1e9 > 1 ? most * f->nnodes / 1e9 : 1;
	for (size_t i = 0; i < cells; i++)
		cost[i] = (uint32_t) ceil(raw[i] / unit);
	free(raw);
	return cost;
}

/* The jobs the nodes of p need preempted; their total cost. */
static _cost_t _victims_of(_planner_t *pl, const tp_placement_t *p)
{
	_cost_t total = { 0 };

	memset(pl->chosen, 0, sizeof(bool) * pl->nv);
	for (int i = 0; i < p->count; i++) {
		int n = p->node[i], k = 0;
		unsigned mask;
		_cost_t c;

		if (!_node_choice(pl, n, pl->req->exclusive ? 0 : p->gpus[i],
				  false, &mask, &c))
			continue;	/* cannot happen: the node is eligible */
		for (int at = pl->start[n]; at < pl->start[n + 1]; at++, k++)
			if (k < 32 && (mask & (1u << k)))
				pl->chosen[pl->vic[at]] = true;
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

/*
 * The cheapest placement as compact as want, with these node costs.
 * RET 0 with p filled, or -1.
 */
static int _cheapest(const _planner_t *pl, const uint32_t *cost,
		     const tp_score_t *want, tp_placement_t *p)
{
	const tp_fabric_t *f = pl->s->fabric;
	int t = want->top_level, rc = -1, fit[TP_MAX_LEVELS] = { 0 };
	uint32_t best = UINT32_MAX;

	if (t == 0) {
		/* one node: the cheapest that serves the request */
		int node = -1, gpus = 0, take, w = f->max_gpus + 1;
		int x = pl->req->total_gpus > 0 ? pl->req->total_gpus : 1;

		for (int n = 0; n < f->nnodes; n++) {
			if (!tp_node_eligible(pl->all, pl->req, n, &take) ||
			    (pl->req->total_gpus > take))
				continue;
			if (node < 0 || cost[n * w + x] < cost[node * w + x]) {
				node = n;
				gpus = pl->req->total_gpus > 0 &&
					!pl->req->exclusive ?
					pl->req->total_gpus : take;
			}
		}
		if (node < 0)
			return -1;
		p->count = 1;
		p->node = malloc(sizeof(int));
		p->gpus = malloc(sizeof(int));
		p->node[0] = node;
		p->gpus[0] = gpus;
		return 0;
	}
	for (int i = f->level_first[t]; i < f->level_first[t + 1]; i++) {
		int b = f->level_blocks[i];
		tp_search_t c;
		tp_pick_t pick = { 0 };
		uint32_t total;

		tp_search_init(&c, pl->all, pl->req);
		c.node_cost = cost;
		c.cost_width = f->max_gpus + 1;
		c.top = t;
		if (tp_search_cap(&c, b) < c.D) {
			tp_search_fini(&c);
			continue;
		}
		pick.node = malloc(sizeof(int) * f->nnodes);
		pick.gpus = malloc(sizeof(int) * f->nnodes);
		tp_knapsack_eval(&c, b, fit, f->nlevels - t, &pick);
		total = c.best_key.v[tp_kpos(t, TP_LVL_NODE, true)];
		if (c.found && _same_a(&c.best_key, t, want) && total < best) {
			best = total;
			tp_placement_clear(p);
			p->count = c.best_count;
			p->node = malloc(sizeof(int) * c.best_count);
			p->gpus = malloc(sizeof(int) * c.best_count);
			memcpy(p->node, c.best_node, sizeof(int) * p->count);
			memcpy(p->gpus, c.best_gpus, sizeof(int) * p->count);
			rc = 0;
		}
		free(pick.node);
		free(pick.gpus);
		tp_search_fini(&c);
	}
	return rc;
}

static int _fill_plan(_planner_t *pl, tp_placement_t *p, const _cost_t *c,
		      tp_preempt_plan_t *plan)
{
	int k = 0;

	plan->id = calloc(c->count + 1, sizeof(uint32_t));
	if (!plan->id)
		return -1;
	_victims_of(pl, p);
	for (int j = 0; j < pl->nv; j++)
		if (pl->chosen[j])
			plan->id[k++] = pl->v[j].id;
	plan->count = k;
	plan->lost_gpu_seconds = c->lost;
	plan->placement = *p;
	tp_placement_score(pl->s->fabric, &plan->placement);
	memset(p, 0, sizeof(*p));
	return 0;
}

extern int tp_preempt_plan(const tp_state_t *s, const tp_request_t *req,
			   const tp_victim_t *victims, int nvictims,
			   tp_preempt_plan_t *plan, tp_error_t *err)
{
	_planner_t pl = { .s = s, .req = req, .v = victims, .nv = nvictims };
	tp_placement_t target = { 0 }, now = { 0 }, best = { 0 };
	_cost_t best_cost = { 0 };
	tp_state_t *all = NULL;
	int rc = -1;

	memset(plan, 0, sizeof(*plan));
	if (nvictims < 0 || (nvictims && !victims) || _index_jobs(&pl) ||
	    !(all = _release_all(&pl))) {
		tp_place_fail(err, "preempt", EINVAL,
			      "running jobs do not match the state");
		goto fini;
	}
	pl.all = all;
	if (tp_place(all, TP_POLICY_TOPOPACK, req, &target, err))
		goto fini;	/* not even with everything preempted */
	if (!tp_place(s, TP_POLICY_TOPOPACK, req, &now, NULL) &&
	    !tp_score_cmp(&now.score, &target.score)) {
		plan->placement = now;		/* no need to preempt */
		memset(&now, 0, sizeof(now));
		rc = 0;
		goto fini;
	}
	/* Share-charged and wholly charged costs; keep the cheaper plan. */
	for (int share = 1; share >= 0; share--) {
		tp_placement_t p = { 0 };
		uint32_t *cost;
		_cost_t c;

		/* Costs from the running jobs alone: the previous pass's
		 * plan must not count as preempted already. */
		memset(pl.chosen, 0, sizeof(bool) * pl.nv);
		cost = _node_costs(&pl, share, s->fabric->max_gpus + 1);
		if (!cost)
			goto fini;
		if (!_cheapest(&pl, cost, &target.score, &p)) {
			c = _victims_of(&pl, &p);
			if (!best.count || _cost_cmp(&c, &best_cost) < 0) {
				tp_placement_clear(&best);
				best = p;
				best_cost = c;
				memset(&p, 0, sizeof(p));
			}
		}
		tp_placement_clear(&p);
		free(cost);
	}
	if (!best.count) {
		tp_place_fail(err, "preempt", EAGAIN,
			      "no set of preemptable jobs frees a placement");
		goto fini;
	}
	rc = _fill_plan(&pl, &best, &best_cost, plan);
fini:
	tp_placement_clear(&target);
	tp_placement_clear(&now);
	tp_placement_clear(&best);
	tp_state_free(all);
	free(pl.start);
	free(pl.vic);
	free(pl.vgpus);
	free(pl.lost);
	free(pl.chosen);
	return rc;
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
