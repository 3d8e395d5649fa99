/*****************************************************************************\
 *  test_state.c - allocation state: incremental aggregates must equal a
 *  recount from scratch after any sequence of changes, and refused
 *  changes must change nothing.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <stdlib.h>
#include <string.h>

#include "place/state_private.h"

/* Recount every block's aggregates from the nodes and compare. */
static void _check_aggregates(const tp_state_t *s)
{
	const tp_fabric_t *f = s->fabric;

	for (int b = 0; b < f->nblocks; b++) {
		int free = 0, idle = 0, hist[64] = { 0 };

		for (int o = f->blocks[b].lo; o < f->blocks[b].hi; o++) {
			int n = f->order_node[o];

			if (!tp_state_usable(s, n))
				continue;
			free += s->free_gpus[n];
			idle += s->users[n] == 0;
			hist[s->free_gpus[n]]++;
		}
		ck_assert_int_eq(s->block_free[b], free);
		ck_assert_int_eq(s->block_idle[b], idle);
		for (int g = 0; g < s->hist_width; g++)
			ck_assert_int_eq(s->hist[b * s->hist_width + g],
					 hist[g]);
	}
}

START_TEST(test_random_changes)
{
	tp_test_seed = 7;
	tp_gen_t gen = { .levels = 2, .leaves = 6, .nodes_per_leaf = 4,
			 .gpus_per_node = 8, .leaves_per_pod = 3,
			 .nvl_nodes = 2 };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);
	tp_state_t *s = tp_state_new(f), *copy;
	int refused = 0;

	_check_aggregates(s);
	for (int i = 0; i < 5000; i++) {
		int n = tp_test_rand(f->nnodes), op = tp_test_rand(6), g = tp_test_rand(9);
		int before = s->free_gpus[n], users = s->users[n];
		int rc;

		if (op == 0)
			rc = tp_state_set_avail(s, n, tp_test_rand(3));
		else if (op == 1)
			rc = tp_state_alloc(s, n, 8, true);
		else if (op == 2)
			rc = tp_state_release(s, n, 8, true);
		else if (op == 3)
			rc = tp_state_release(s, n, g, false);
		else
			rc = tp_state_alloc(s, n, g, false);
		if (rc) {
			refused++;
			ck_assert_int_eq(s->free_gpus[n], before);
			ck_assert_int_eq(s->users[n], users);
		}
		ck_assert_int_ge(s->free_gpus[n], 0);
		ck_assert_int_le(s->free_gpus[n], 8);
		if (i % 50 == 0)
			_check_aggregates(s);
	}
	_check_aggregates(s);
	ck_assert_int_gt(refused, 100);
	copy = tp_state_copy(s);
	_check_aggregates(copy);
	ck_assert_mem_eq(copy->hist, s->hist,
			 sizeof(int) * f->nblocks * s->hist_width);
	tp_state_free(copy);
	tp_state_free(s);
	tp_fabric_free(f);
}
END_TEST

START_TEST(test_refusals)
{
	tp_gen_t gen = { .levels = 1, .leaves = 1, .nodes_per_leaf = 2,
			 .gpus_per_node = 4, .nvl_nodes = 1 };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);
	tp_state_t *s = tp_state_new(f);

	ck_assert_int_eq(tp_state_alloc(s, 0, 5, false), -1);
	ck_assert_int_eq(tp_state_alloc(s, 2, 1, false), -1);
	ck_assert_int_eq(tp_state_alloc(s, 0, 1, false), 0);
	/* exclusive needs an idle node; shared use of an exclusive one no */
	ck_assert_int_eq(tp_state_alloc(s, 0, 3, true), -1);
	ck_assert_int_eq(tp_state_alloc(s, 1, 4, true), 0);
	ck_assert_int_eq(tp_state_alloc(s, 1, 0, false), -1);
	ck_assert_int_eq(tp_state_release(s, 1, 4, false), -1);
	ck_assert_int_eq(tp_state_release(s, 1, 4, true), 0);
	ck_assert_int_eq(tp_state_set_avail(s, 0, 7), -1);
	ck_assert_int_eq(tp_state_node_avail(s, 0), TP_NODE_UP);
	ck_assert_int_eq(tp_state_set_avail(s, 0, TP_NODE_DOWN), 0);
	ck_assert_int_eq(tp_state_block_free_gpus(s, 1, TP_LVL_LEAF), 4);
	tp_state_free(s);
	tp_state_free(NULL);
	tp_fabric_free(f);
}
END_TEST

/* The resource manager's truth a live state reads. */
typedef struct {
	tp_usage_t *u;
	int reads;
} _truth_t;

static int _read_truth(void *arg, int node, tp_usage_t *out)
{
	_truth_t *t = arg;

	t->reads++;
	*out = t->u[node];
	return 0;
}

/* The live state equals a state built from scratch from the truth, with
 * withheld and absent nodes down. */
static void _check_live(const tp_live_t *live, const tp_fabric_t *f,
			const _truth_t *t, const uint8_t *offered)
{
	const tp_state_t *s = tp_live_state(live);
	tp_state_t *fresh = tp_state_new(f);

	for (int n = 0; n < f->nnodes; n++) {
		ck_assert_int_eq(tp_state_set_usage(fresh, n, t->u[n].used_gpus,
						    t->u[n].users,
						    t->u[n].exclusive), 0);
		if (!offered[n] || t->u[n].absent)
			tp_state_set_avail(fresh, n, TP_NODE_DOWN);
	}
	_check_aggregates(s);
	ck_assert_mem_eq(s->free_gpus, fresh->free_gpus,
			 sizeof(int) * f->nnodes);
	ck_assert_mem_eq(s->users, fresh->users, sizeof(int) * f->nnodes);
	ck_assert_mem_eq(s->avail, fresh->avail, f->nnodes);
	ck_assert_mem_eq(s->hist, fresh->hist,
			 sizeof(int) * f->nblocks * s->hist_width);
	tp_state_free(fresh);
}

/* Events change the truth and touch the nodes they change; offers come
 * and go. After each sync the live state is the recount, and it read
 * only the touched nodes. */
START_TEST(test_live_follows_events)
{
	tp_gen_t gen = { .levels = 2, .leaves = 6, .nodes_per_leaf = 4,
			 .gpus_per_node = 8, .leaves_per_pod = 3,
			 .nvl_nodes = 2 };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);
	tp_live_t *live = tp_live_new(f);
	_truth_t t = { .u = calloc(f->nnodes, sizeof(tp_usage_t)) };
	uint8_t *offered = malloc(f->nnodes);

	tp_test_seed = 11;
	memset(offered, 1, f->nnodes);
	ck_assert_int_eq(tp_live_sync(live, _read_truth, &t, &err),
			 f->nnodes);
	for (int i = 0; i < 3000; i++) {
		int n = tp_test_rand(f->nnodes), op = tp_test_rand(5);

		if (op < 3) {
			int used = tp_test_rand(9), users = tp_test_rand(3);

			users = (used && !users) ? 1 : users;
			t.u[n] = (tp_usage_t) {
				.used_gpus = used, .users = users,
				.exclusive = users == 1 && tp_test_rand(2),
				.absent = !tp_test_rand(40),
			};
			tp_live_touch(live, n);
		} else {
			offered[n] = !offered[n];
			ck_assert_int_eq(tp_live_offer(live, n, offered[n]),
					 0);
		}
		if (i % 7 == 0) {
			int touched = 0, rc;

			t.reads = 0;
			rc = tp_live_sync(live, _read_truth, &t, &err);
			touched = t.reads;
			ck_assert_int_eq(rc, touched);
			ck_assert_int_le(touched, 7);
			_check_live(live, f, &t, offered);
			ck_assert_int_eq(tp_live_check(live, _read_truth, &t,
						       &err), 0);
		}
	}
	tp_live_free(live);
	tp_fabric_free(f);
	free(t.u);
	free(offered);
}
END_TEST

/* A change nobody told the live state about is what the recount finds;
 * a reading that cannot be right makes the node fully used. */
START_TEST(test_live_check_and_bad_reading)
{
	tp_gen_t gen = { .levels = 1, .leaves = 2, .nodes_per_leaf = 2,
			 .gpus_per_node = 8, .nvl_nodes = 1 };
	tp_error_t err = { { 0 } };
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);
	tp_live_t *live = tp_live_new(f);
	_truth_t t = { .u = calloc(f->nnodes, sizeof(tp_usage_t)) };
	const char *name = tp_fabric_node_name(f, 2);
	char want[128];

	ck_assert_int_eq(tp_live_sync(live, _read_truth, &t, &err), 4);
	t.u[2] = (tp_usage_t) { .used_gpus = 4, .users = 1 };
	ck_assert_int_eq(tp_live_check(live, _read_truth, &t, &err), 1);
	snprintf(want, sizeof(want),
		 "node %s: state has 8 free GPUs, 0 users; a recount has 4, 1",
		 name);
	ck_assert_str_eq(err.text, want);
	tp_live_touch(live, 2);
	ck_assert_int_eq(tp_live_sync(live, _read_truth, &t, &err), 1);
	ck_assert_int_eq(tp_live_check(live, _read_truth, &t, &err), 0);
	ck_assert_int_eq(tp_live_state(live)->free_gpus[2], 4);

	t.u[1] = (tp_usage_t) { .used_gpus = 9, .users = 1 };
	tp_live_touch(live, 1);
	ck_assert_int_eq(tp_live_sync(live, _read_truth, &t, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.text, "does not fit its 8 GPUs"));
	ck_assert_int_eq(tp_live_state(live)->free_gpus[1], 0);
	ck_assert_int_eq(tp_live_offer(live, 4, true), -1);
	tp_live_free(live);
	tp_live_free(NULL);
	tp_fabric_free(f);
	free(t.u);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("aggregates");

	tcase_add_test(tc, test_random_changes);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_live_follows_events);
	tcase_add_test(tc, test_live_check_and_bad_reading);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
