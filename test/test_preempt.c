/*****************************************************************************\
 *  test_preempt.c - the preemption planner against exhaustive search.
 *
 *  Small fabrics filled with random running jobs (priorities, run times,
 *  some not preemptable), then a request. Every subset of the preemptable
 *  jobs is tried: released, then placed by topopack. The planner's plan
 *  must be valid, reach the best compactness, and, when every job runs on
 *  one node, lose exactly the least work; with jobs on several nodes it
 *  may lose more: how often is the README's figure, checked exactly. With
 *  no time budget at all the plan must still be valid and as compact.
 *  A node with 40 jobs is checked against hand-computed plans.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdio.h>
#include <string.h>

#include "place/place_private.h"
#include "tp_check.h"

#define CASES 1500
#define MAXJOBS 10

typedef struct {
	tp_victim_t v[MAXJOBS];
	int node[MAXJOBS][8], gpus[MAXJOBS][8];
	int n;
	bool multi;		/* some job spans several nodes */
} _jobs_t;

/* Fill s with random jobs placed the way a busy cluster would. */
static void _fill(tp_state_t *s, _jobs_t *jobs)
{
	memset(jobs, 0, sizeof(*jobs));
	for (int k = 0; k < 14 && jobs->n < MAXJOBS; k++) {
		tp_request_t r = { .nodes = 1 + (tp_test_rand(4) == 0),
				   .gpus_per_node = 1 + tp_test_rand(4),
				   .exclusive = tp_test_rand(6) == 0 };
		tp_placement_t p;
		tp_victim_t *v = &jobs->v[jobs->n];

		if (tp_place(s, tp_test_rand(2) ? TP_POLICY_FIRST_FIT :
			     TP_POLICY_TOPOPACK, &r, &p, NULL))
			continue;
		tp_state_apply(s, &p, r.exclusive);
		for (int i = 0; i < p.count; i++) {
			jobs->node[jobs->n][i] = p.node[i];
			jobs->gpus[jobs->n][i] = p.gpus[i];
		}
		v->id = 100 + jobs->n;
		v->nnodes = p.count;
		v->node = jobs->node[jobs->n];
		v->gpus = jobs->gpus[jobs->n];
		v->exclusive = r.exclusive;
		v->priority = tp_test_rand(5);
		v->run_seconds = 60.0 * (1 + tp_test_rand(100));
		v->preemptable = tp_test_rand(8) != 0;
		jobs->multi |= p.count > 1;
		jobs->n++;
		tp_placement_clear(&p);
	}
}

static double _lost(const tp_victim_t *v)
{
	double g = 0;

	for (int i = 0; i < v->nnodes; i++)
		g += v->gpus[i];
	return g * v->run_seconds;
}

static void _release(tp_state_t *s, const tp_victim_t *v)
{
	for (int i = 0; i < v->nnodes; i++)
		ck_assert_int_eq(tp_state_release(s, v->node[i], v->gpus[i],
						  v->exclusive), 0);
}

/* Best (score, lost work) over every subset. RET false if none places. */
static bool _brute_force(const tp_state_t *s, const tp_request_t *r,
			 const _jobs_t *jobs, tp_score_t *score, double *lost)
{
	bool found = false;

	for (unsigned m = 0; m < (1u << jobs->n); m++) {
		tp_state_t *t;
		tp_placement_t p;
		double l = 0;
		bool ok = true;
		int c;

		for (int j = 0; j < jobs->n; j++)
			if ((m & (1u << j)) && !jobs->v[j].preemptable)
				ok = false;
		if (!ok)
			continue;
		t = tp_state_copy(s);
		for (int j = 0; j < jobs->n; j++) {
			if (!(m & (1u << j)))
				continue;
			_release(t, &jobs->v[j]);
			l += _lost(&jobs->v[j]);
		}
		if (!tp_place(t, TP_POLICY_TOPOPACK, r, &p, NULL)) {
			c = found ? tp_score_cmp(&p.score, score) : -1;
			if (c < 0 || (c == 0 && l < *lost)) {
				*score = p.score;
				*lost = l;
				found = true;
			}
			tp_placement_clear(&p);
		}
		tp_state_free(t);
	}
	return found;
}

/* The plan's victims released, its placement must apply. */
static void _check_valid(const tp_state_t *s, const tp_request_t *r,
			 const _jobs_t *jobs, const tp_preempt_plan_t *plan)
{
	tp_state_t *t = tp_state_copy(s);
	double lost = 0;

	for (int k = 0; k < plan->count; k++) {
		int j = (int) plan->id[k] - 100;

		ck_assert(j >= 0 && j < jobs->n);
		ck_assert(jobs->v[j].preemptable);
		_release(t, &jobs->v[j]);
		lost += _lost(&jobs->v[j]);
	}
	ck_assert_double_eq_tol(lost, plan->lost_gpu_seconds, 1e-6);
	for (int i = 0; i < plan->placement.count; i++) {
		int take;

		ck_assert(tp_node_eligible(t, r, plan->placement.node[i],
					   &take));
	}
	ck_assert_int_eq(tp_state_apply(t, &plan->placement, r->exclusive),
			 0);
	tp_state_free(t);
}

/*
 * With no time at all (budget 0) the planner gives a valid plan exactly
 * when there is one, as compact as the best, or says why not.
 */
static void _check_no_time(const tp_state_t *s, const tp_request_t *r,
			   const _jobs_t *jobs, int rc, const tp_score_t *best,
			   double lost)
{
	tp_preempt_plan_t plan;
	tp_error_t err;

	ck_assert_int_eq(tp_preempt_plan_within(s, r, jobs->v, jobs->n, 0,
						&plan, &err), rc);
	if (rc)
		return;
	_check_valid(s, r, jobs, &plan);
	ck_assert(!tp_score_cmp(&plan.placement.score, best));
	ck_assert(plan.lost_gpu_seconds >= lost);
	/* cut exactly when a search was needed: when jobs are preempted */
	ck_assert(plan.cut == (plan.count > 0));
	tp_preempt_plan_clear(&plan);
}

/* Work lost: since the start, or since the last checkpoint. */
START_TEST(test_lost_seconds)
{
	ck_assert_double_eq(tp_lost_seconds(100, 0), 100);
	ck_assert_double_eq(tp_lost_seconds(100, 30), 10);
	ck_assert_double_eq(tp_lost_seconds(90, 30), 0);
	ck_assert_double_eq(tp_lost_seconds(20, 30), 20);
	ck_assert_double_eq(tp_lost_seconds(-5, 30), 0);
}
END_TEST

/* The interval comes from a job's environment, which users control. */
START_TEST(test_checkpoint_parse)
{
	static const char *bad[] = {
		"", "0", "-5", "+5", " 5", "5 ", "5s", "1.5", "1e3", "nan",
		"NAN", "inf", "infinity", "0x10", "31622401",
		"99999999999999999999999", "0000000001000",
	};

	ck_assert_int_eq(tp_checkpoint_parse("1"), 1);
	ck_assert_int_eq(tp_checkpoint_parse("3600"), 3600);
	ck_assert_int_eq(tp_checkpoint_parse("0600"), 600);
	ck_assert_int_eq(tp_checkpoint_parse("31622400"), TP_CHECKPOINT_MAX);
	ck_assert_int_eq(tp_checkpoint_parse(NULL), -1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(tp_checkpoint_parse(bad[i]) == -1,
			      "\"%s\" accepted", bad[i]);
}
END_TEST

START_TEST(test_planner_against_brute_force)
{
	int planned = 0, with_victims = 0, single = 0, multi = 0,
	    multi_optimal = 0;

	tp_test_seed = 4242;
	for (int i = 0; i < CASES; i++) {
		tp_gen_t gen = { .levels = 1, .leaves = 2 + tp_test_rand(2),
				 .nodes_per_leaf = 2 + tp_test_rand(2),
				 .gpus_per_node = 4,
				 .nvl_nodes = 1 + tp_test_rand(2) };
		tp_fabric_t *f = tp_fabric_generate(&gen, NULL);
		tp_state_t *s = tp_state_new(f);
		tp_request_t r = { 0 };
		tp_preempt_plan_t plan;
		tp_score_t best;
		tp_error_t err;
		double lost = 0;
		_jobs_t jobs;
		bool possible;
		int rc;

		_fill(s, &jobs);
		if (tp_test_rand(3)) {
			r.nodes = 1 + tp_test_rand(4);
			r.gpus_per_node = 1 + tp_test_rand(4);
			r.exclusive = tp_test_rand(3) == 0;
		} else {
			r.total_gpus = 1 + tp_test_rand(12);
		}
		possible = _brute_force(s, &r, &jobs, &best, &lost);
		rc = tp_preempt_plan_within(s, &r, jobs.v, jobs.n, -1, &plan,
					    &err);
		ck_assert_msg(possible == (rc == 0), "case %d: %s", i,
			      rc ? err.text : "planned, brute force did not");
		_check_no_time(s, &r, &jobs, rc, &best, lost);
		if (rc) {
			tp_state_free(s);
			tp_fabric_free(f);
			continue;
		}
		planned++;
		with_victims += plan.count > 0;
		ck_assert(!plan.cut);
		_check_valid(s, &r, &jobs, &plan);
		ck_assert_msg(!tp_score_cmp(&plan.placement.score, &best),
			      "case %d: plan top %d leaves %d nodes %d, best top %d leaves %d nodes %d",
			      i, plan.placement.score.top_level,
			      plan.placement.score.blocks[TP_LVL_LEAF],
			      plan.placement.score.blocks[TP_LVL_NODE],
			      best.top_level, best.blocks[TP_LVL_LEAF],
			      best.blocks[TP_LVL_NODE]);
		if (!jobs.multi) {
			single++;
			ck_assert_msg(plan.lost_gpu_seconds == lost,
				      "case %d: lost %.0f, least %.0f", i,
				      plan.lost_gpu_seconds, lost);
		} else {
			multi++;
			ck_assert(plan.lost_gpu_seconds >= lost);
			multi_optimal += plan.lost_gpu_seconds == lost;
		}
		tp_preempt_plan_clear(&plan);
		tp_state_free(s);
		tp_fabric_free(f);
	}
	printf("preemption: %d cases, %d planned (%d with victims); least lost work in %d of %d with one-node jobs and %d of %d with multi-node jobs\n",
	       CASES, planned, with_victims, single, single, multi_optimal,
	       multi);
	/* The figures of the README: a planner that does worse, or better,
	 * must say so there. */
	ck_assert_int_eq(planned, 1449);
	ck_assert_int_eq(with_victims, 1352);
	ck_assert_int_eq(single, 226);
	ck_assert_int_eq(multi, 1223);
	ck_assert_int_eq(multi_optimal, 1178);
}
END_TEST

/*
 * Node 0 of two holds 36 CPU jobs (no GPU, ids 100-135) and then, past
 * the 32nd place of its list, four GPU jobs: A 4 GPUs x 100 s (id 200),
 * B 2 x 90 s (201), C 1 x 150 s (202), D 1 x 160 s (203). Node 1 is held
 * by a job that cannot be preempted.
 */
typedef struct {
	tp_victim_t v[41];
	int node[41], gpus[41];
	int n;
} _big_node_t;

static void _big_node_job(tp_state_t *s, _big_node_t *b, uint32_t id,
			  int node, int gpus, double run, bool preemptable)
{
	tp_victim_t *v = &b->v[b->n];

	ck_assert_int_eq(tp_state_alloc(s, node, gpus, false), 0);
	b->node[b->n] = node;
	b->gpus[b->n] = gpus;
	*v = (tp_victim_t) { .id = id, .nnodes = 1, .node = &b->node[b->n],
			     .gpus = &b->gpus[b->n], .priority = 1,
			     .run_seconds = run, .preemptable = preemptable };
	b->n++;
}

/* The plan preempts exactly the ids listed (in job order) and loses lost;
 * the request goes on node 0. */
static void _big_node_check(const tp_state_t *s, const _big_node_t *b,
			    const tp_request_t *r, const uint32_t *id,
			    int count, double lost)
{
	tp_preempt_plan_t plan;
	tp_error_t err;

	ck_assert_msg(!tp_preempt_plan_within(s, r, b->v, b->n, -1, &plan,
					      &err), "%s", err.text);
	ck_assert_int_eq(plan.count, count);
	for (int k = 0; k < count; k++)
		ck_assert_uint_eq(plan.id[k], id[k]);
	ck_assert_double_eq(plan.lost_gpu_seconds, lost);
	ck_assert_int_eq(plan.placement.count, 1);
	ck_assert_int_eq(plan.placement.node[0], 0);
	ck_assert(!plan.cut);
	tp_preempt_plan_clear(&plan);
}

START_TEST(test_many_jobs_on_a_node)
{
	tp_gen_t gen = { .levels = 1, .leaves = 1, .nodes_per_leaf = 2,
			 .gpus_per_node = 8, .nvl_nodes = 1 };
	tp_fabric_t *f = tp_fabric_generate(&gen, NULL);
	tp_state_t *s = tp_state_new(f);
	_big_node_t b = { .n = 0 };
	uint32_t all[40];
	tp_request_t r = { .nodes = 1 };
	tp_preempt_plan_t plan;

	_big_node_job(s, &b, 1, 1, 8, 50, false);
	for (int k = 0; k < 36; k++)
		_big_node_job(s, &b, 100 + k, 0, 0, 600, true);
	_big_node_job(s, &b, 200, 0, 4, 100, true);
	_big_node_job(s, &b, 201, 0, 2, 90, true);
	_big_node_job(s, &b, 202, 0, 1, 150, true);
	_big_node_job(s, &b, 203, 0, 1, 160, true);
	for (int k = 0; k < 40; k++)
		all[k] = b.v[1 + k].id;

	/* 4 GPUs: A alone (400) beats B, C and D (490) */
	r.gpus_per_node = 4;
	_big_node_check(s, &b, &r, (uint32_t[]) { 200 }, 1, 400);
	/* 3 GPUs: B and C (330), not B and D (340) nor A (400) */
	r.gpus_per_node = 3;
	_big_node_check(s, &b, &r, (uint32_t[]) { 201, 202 }, 2, 330);
	/* 8 GPUs: the four GPU jobs; the CPU jobs stay */
	r.gpus_per_node = 8;
	_big_node_check(s, &b, &r, all + 36, 4, 890);
	/* the whole node: every job on it */
	r.exclusive = true;
	_big_node_check(s, &b, &r, all, 40, 890);
	/* 2 GPUs in the total form: B (180), not C and D (310) */
	r = (tp_request_t) { .total_gpus = 2 };
	_big_node_check(s, &b, &r, (uint32_t[]) { 201 }, 1, 180);
	/* with the default budget: the same unless the search was cut */
	ck_assert(!tp_preempt_plan(s, &r, b.v, b.n, &plan, NULL));
	ck_assert_int_eq(plan.placement.node[0], 0);
	ck_assert(plan.lost_gpu_seconds >= 180);
	ck_assert(plan.cut || plan.lost_gpu_seconds == 180);
	tp_preempt_plan_clear(&plan);

	tp_state_free(s);
	tp_fabric_free(f);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("preempt");
	TCase *tc = tcase_create("brute-force");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_lost_seconds);
	tcase_add_test(tc, test_checkpoint_parse);
	tcase_add_test(tc, test_planner_against_brute_force);
	tcase_add_test(tc, test_many_jobs_on_a_node);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
