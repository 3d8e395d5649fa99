/*****************************************************************************\
 *  test_preempt.c - the preemption planner against exhaustive search.
 *
 *  Small fabrics filled with random running jobs (priorities, run times,
 *  some not preemptable), then a request. Every subset of the preemptable
 *  jobs is tried: released, then placed by topopack. The planner's plan
 *  must be valid, reach the best compactness, and, when every job runs on
 *  one node, lose exactly the least work; with jobs on several nodes it
 *  may lose more, and the test reports how often.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdio.h>
#include <string.h>

#include "place.h"
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
		rc = tp_preempt_plan(s, &r, jobs.v, jobs.n, &plan, &err);
		ck_assert_msg(possible == (rc == 0), "case %d: %s", i,
			      rc ? err.text : "planned, brute force did not");
		if (rc) {
			tp_state_free(s);
			tp_fabric_free(f);
			continue;
		}
		planned++;
		with_victims += plan.count > 0;
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
	ck_assert_int_gt(with_victims, 200);
	ck_assert_int_gt(single, 100);
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
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
