/*****************************************************************************\
 *  test_optimal.c - topopack's placement against exhaustive search.
 *
 *  Thousands of small random fabrics (one to three switch levels, NVLink
 *  domains that may cross leaves or none, mixed GPU counts, disconnected
 *  parts)
 *  and random states. For every request the compactness part of the score
 *  (top level, then blocks per level top down) must equal the best any
 *  subset of eligible nodes reaches, and the placement must be valid.
 *  Requests may carry a node limit (GPU total on at most N nodes), a leaf
 *  limit (--switches) and a usable-node mask; the exhaustive search keeps
 *  only the subsets within them, and both sides are scored by a scorer of
 *  this file's own, not the library's.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/fabric_builder_private.h"
#include "place/place_search_private.h"

#define FABRICS 3000
#define REQUESTS_PER_STATE 6

static tp_fabric_t *_random_fabric(void)
{
	tp_builder_t *b = tp_builder_new();
	tp_fabric_t *f;
	tp_error_t err;
	int levels = tp_test_rand(3), leaves = levels ? 1 + tp_test_rand(4) : 1;
	int node = 0, sw[8], pods, copies[8], uniform;
	char name[32];

	for (int l = 0; l < leaves; l++) {
		int nodes = 1 + tp_test_rand(3);

		snprintf(name, sizeof(name), "leaf%d", l);
		sw[l] = tp_builder_add_switch(b, name, &err);
		for (int i = 0; i < nodes && node < 10; i++) {
			snprintf(name, sizeof(name), "n%d", node++);
			tp_builder_add_node(b, sw[l], name, &err);
		}
		if (!b->switches[sw[l]].nnodes) {
			snprintf(name, sizeof(name), "n%d", node++);
			tp_builder_add_node(b, sw[l], name, &err);
		}
	}
	/* Level 1: spine groups over runs of leaves, sometimes two spines
	 * on the same run (a fat tree), sometimes separate islands. */
	pods = 0;
	for (int l = 0; levels >= 1 && l < leaves; pods++) {
		int run = 1 + tp_test_rand(leaves - l);

		copies[pods] = 1 + tp_test_rand(2);
		for (int c = 0; c < copies[pods]; c++) {
			int s;

			snprintf(name, sizeof(name), "spine%d-%d", pods, c);
			s = tp_builder_add_switch(b, name, &err);
			for (int i = l; i < l + run; i++) {
				snprintf(name, sizeof(name), "leaf%d", i);
				tp_builder_add_child(b, s, name, &err);
			}
		}
		l += run;
	}
	if (levels == 2) {
		int core = tp_builder_add_switch(b, "core", &err);

		for (int p = 0; p < pods; p++) {
			for (int c = 0; c < copies[p]; c++) {
				snprintf(name, sizeof(name), "spine%d-%d", p,
					 c);
				tp_builder_add_child(b, core, name, &err);
			}
		}
	}
	/* a third of the fabrics have alike nodes, as most clusters */
	uniform = tp_test_rand(3) ? -1 : (int) tp_test_rand(5);
	for (int i = 0; i < node; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		tp_builder_where(b, NULL, 0);
		tp_builder_node_gpus(b, name, uniform < 0 ? (int) tp_test_rand(5) :
				     uniform, tp_test_rand(4) ? "a" : "b", &err);
	}
	/* Half the fabrics are HGX-like (every node its own domain); the
	 * others have NVLink domains over consecutive nodes, possibly
	 * across leaves. */
	for (int i = 0, d = 0, hgx = tp_test_rand(2); !hgx && i < node; d++) {
		int len = 1 + tp_test_rand(4), dom;

		snprintf(name, sizeof(name), "nvl%d", d);
		dom = tp_builder_add_domain(b, name, 0, &err);
		for (int j = i; j < i + len && j < node; j++) {
			snprintf(name, sizeof(name), "n%d", j);
			tp_builder_domain_node(b, dom, name, &err);
		}
		i += len;
	}
	f = tp_builder_finish(b, &err);
	ck_assert_msg(f != NULL, "random fabric: %s", err.text);
	return f;
}

static void _random_state(tp_state_t *s)
{
	const tp_fabric_t *f = s->fabric;

	for (int n = 0; n < f->nnodes; n++) {
		int r = tp_test_rand(10);

		if (r == 0)
			tp_state_set_avail(s, n, TP_NODE_DOWN);
		else if (r == 1)
			tp_state_set_avail(s, n, TP_NODE_RESERVED);
		else if (r == 2)
			tp_state_alloc(s, n, f->nodes[n].gpus, true);
		else if (r < 7 && f->nodes[n].gpus)
			tp_state_alloc(s, n, tp_test_rand(f->nodes[n].gpus + 1),
				       false);
	}
}

static uint8_t _mask[16];

static void _random_request(const tp_fabric_t *f, tp_request_t *r)
{
	memset(r, 0, sizeof(*r));
	if (tp_test_rand(2)) {
		r->nodes = 1 + tp_test_rand(f->nnodes < 6 ? f->nnodes : 6);
		r->gpus_per_node = tp_test_rand(4);
	} else {
		r->total_gpus = 1 + tp_test_rand(12);
	}
	r->exclusive = tp_test_rand(5) == 0;
	r->use_reserved = tp_test_rand(4) == 0;
	if (tp_test_rand(4) == 0)
		r->gpu_type = "a";
	if (r->total_gpus > 0 && tp_test_rand(3) == 0)
		r->max_nodes = 1 + tp_test_rand(4);
	if (tp_test_rand(4) == 0)
		r->max_leaves = 1 + tp_test_rand(2);
	if (tp_test_rand(5) == 0) {
		for (int n = 0; n < f->nnodes; n++)
			_mask[n] = tp_test_rand(4) != 0;
		r->usable = _mask;
	}
}

/*
 * The score of a node set, computed here and not by the library: per
 * placement level, the distinct blocks holding a chosen node, and the top
 * level, the lowest one where that count is 1 (f->nlevels: none).
 */
typedef struct {
	int top;
	int blocks[TP_MAX_LEVELS];
} _score_t;

static void _score(const tp_fabric_t *f, const int *node, int count,
		   _score_t *out)
{
	memset(out, 0, sizeof(*out));
	out->top = f->nlevels;
	for (int l = f->nlevels - 1; l >= 0; l--) {
		int seen[16], n = 0;

		for (int i = 0; i < count; i++) {
			int a = f->ancestor[node[i] * f->nlevels + l], j;

			for (j = 0; j < n && seen[j] != a; j++)
				;
			if (j == n)
				seen[n++] = a;
		}
		out->blocks[l] = n;
		if (n == 1)
			out->top = l;
	}
}

/* Lower top level first, then fewer blocks from the top level down. */
static int _score_cmp(const _score_t *a, const _score_t *b)
{
	if (a->top != b->top)
		return a->top < b->top ? -1 : 1;
	for (int l = TP_MAX_LEVELS - 1; l >= 0; l--)
		if (a->blocks[l] != b->blocks[l])
			return a->blocks[l] < b->blocks[l] ? -1 : 1;
	return 0;
}

/* Best score over every subset of eligible nodes within the request's
 * limits (none when limits is false). RET false if none. */
static bool _brute_force(const tp_state_t *s, const tp_request_t *r,
			 bool limits, _score_t *best)
{
	const tp_fabric_t *f = s->fabric;
	int units[16], elig[16], ne = 0;
	bool found = false;
	int node[16];
	_score_t sc;

	for (int n = 0; n < f->nnodes; n++) {
		int take;

		if (!tp_node_eligible(s, r, n, &take))
			continue;
		elig[ne] = n;
		units[ne++] = r->total_gpus > 0 ? take : 1;
	}
	for (uint32_t mask = 1; mask < (1u << ne); mask++) {
		int cnt = 0, sum = 0;

		for (int i = 0; i < ne; i++) {
			if (!(mask & (1u << i)))
				continue;
			node[cnt++] = elig[i];
			sum += units[i];
		}
		if (r->total_gpus > 0) {
			/* each chosen node gives at least one GPU */
			if (sum < r->total_gpus || cnt > r->total_gpus)
				continue;
			if (limits && r->max_nodes && cnt > r->max_nodes)
				continue;
		} else if (cnt != r->nodes) {
			continue;
		}
		_score(f, node, cnt, &sc);
		/* As Slurm's tree: no job spans parts no switch joins. */
		if (sc.top >= f->nlevels)
			continue;
		if (limits && r->max_leaves &&
		    sc.blocks[TP_LVL_LEAF] > r->max_leaves)
			continue;
		if (!found || _score_cmp(&sc, best) < 0) {
			*best = sc;
			found = true;
		}
	}
	return found;
}

static void _check_valid(const tp_state_t *s, const tp_request_t *r,
			 const tp_placement_t *p)
{
	int sum = 0;

	for (int i = 0; i < p->count; i++) {
		int take;

		ck_assert_msg(tp_node_eligible(s, r, p->node[i], &take),
			      "node %d not eligible", p->node[i]);
		for (int j = 0; j < i; j++)
			ck_assert_int_ne(p->node[i], p->node[j]);
		if (r->total_gpus <= 0) {
			ck_assert_int_eq(p->gpus[i], take);
		} else if (!r->exclusive) {
			ck_assert_int_ge(p->gpus[i], 1);
			ck_assert_int_le(p->gpus[i], take);
		}
		sum += r->exclusive && r->total_gpus > 0 ?
			(take < r->total_gpus ? take : r->total_gpus) :
			p->gpus[i];
	}
	if (r->total_gpus > 0 && !r->exclusive)
		ck_assert_int_eq(sum, r->total_gpus);
	else if (r->total_gpus > 0)
		ck_assert_int_ge(sum, r->total_gpus);
	else
		ck_assert_int_eq(p->count, r->nodes);
}

START_TEST(test_matches_brute_force)
{
	int cases = 0, placed = 0, multi_level = 0;
	int with_nodes = 0, with_leaves = 0, with_mask = 0;
	int bound_nodes = 0, bound_leaves = 0;

	tp_test_seed = 20261123;
	for (int i = 0; i < FABRICS; i++) {
		tp_fabric_t *f = _random_fabric();
		tp_state_t *s;

		ck_assert_ptr_nonnull(f);
		s = tp_state_new(f);
		_random_state(s);
		for (int k = 0; k < REQUESTS_PER_STATE; k++) {
			tp_request_t r;
			tp_placement_t p;
			_score_t best, free_best, got;
			tp_error_t err;
			bool possible, free_possible;
			int rc;

			_random_request(f, &r);
			possible = _brute_force(s, &r, true, &best);
			free_possible = _brute_force(s, &r, false, &free_best);
			with_nodes += r.max_nodes > 0;
			with_leaves += r.max_leaves > 0;
			with_mask += r.usable != NULL;
			/* The limit binds: without it the best is another. */
			if (free_possible &&
			    (!possible || _score_cmp(&best, &free_best))) {
				bound_nodes += r.max_nodes > 0;
				bound_leaves += r.max_leaves > 0;
			}
			rc = tp_place(s, TP_POLICY_TOPOPACK, &r, &p, &err);
			cases++;
			ck_assert_msg(possible == (rc == 0),
				      "fabric %d request %d: brute force %s, topopack %s",
				      i, k, possible ? "places" : "cannot",
				      rc ? err.text : "places");
			if (rc)
				continue;
			placed++;
			multi_level += p.score.top_level > TP_LVL_LEAF;
			_check_valid(s, &r, &p);
			_score(f, p.node, p.count, &got);
			ck_assert_msg(!_score_cmp(&got, &best),
				      "fabric %d request %d: top %d vs best %d, leaves %d vs %d, pieces %d vs %d, nodes %d vs %d",
				      i, k, got.top, best.top,
				      got.blocks[2], best.blocks[2],
				      got.blocks[1], best.blocks[1],
				      got.blocks[0], best.blocks[0]);
			tp_placement_clear(&p);
		}
		tp_state_free(s);
		tp_fabric_free(f);
	}
	printf("optimality: %d requests, %d placed, %d across switches; node limit on %d (binding %d), leaf limit on %d (binding %d), usable mask on %d\n",
	       cases, placed, multi_level, with_nodes, bound_nodes,
	       with_leaves, bound_leaves, with_mask);
	ck_assert_int_gt(multi_level, 100);
	ck_assert_int_gt(bound_nodes, 20);
	ck_assert_int_gt(bound_leaves, 20);
}
END_TEST

typedef void (*_eval_fn)(tp_search_t *, int, const int *, int, tp_pick_t *);

/* Evaluate top block b at level t with one evaluator; RET found, *key. */
static bool _eval(const tp_state_t *s, const tp_request_t *r, int b, int t,
		  _eval_fn eval, tp_key_t *key)
{
	tp_search_t c;
	tp_pick_t p;
	int fit[TP_MAX_LEVELS] = { 0 };
	bool found;

	ck_assert_int_eq(tp_search_init(&c, s, r), 0);
	c.top = t;
	p.count = 0;
	p.node = malloc(sizeof(int) * s->fabric->nnodes);
	p.gpus = malloc(sizeof(int) * s->fabric->nnodes);
	eval(&c, b, fit, s->fabric->nlevels - t, &p);
	found = c.found;
	*key = c.best_key;
	free(p.node);
	free(p.gpus);
	tp_search_fini(&c);
	return found;
}

/* The spine-group evaluator as the search uses it. */
static void _group(tp_search_t *c, int b, const int *fit, int nfit,
		   tp_pick_t *p)
{
	if (!tp_group_eval(c, b, fit, nfit, p))
		tp_knapsack_eval(c, b, fit, nfit, p);
}

/*
 * The fast paths must reach the same compactness as the exact programme,
 * on fabrics too large for exhaustive search: 8 leaves of 8 nodes, random
 * load, every leaf and the spine group as top. On HGX-style nodes both
 * forms and both levels; with NVLink domains of 4 nodes both forms on the
 * spine group (leaves there take the programme itself).
 */
static void _cross_check(int nvl, int *compared, int *multi)
{
	tp_gen_t gen = { .levels = 1, .leaves = 8, .nodes_per_leaf = 8,
			 .gpus_per_node = 8, .nvl_nodes = nvl };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);

	for (int i = 0; i < 300; i++) {
		tp_state_t *s = tp_state_new(f);

		for (int n = 0; n < f->nnodes; n++)
			if (tp_test_rand(3))
				tp_state_alloc(s, n, tp_test_rand(9), false);
		for (int k = 0; k < 10; k++) {
			tp_request_t r = { 0 };
			int t = nvl > 1 ? TP_LVL_LEAF + 1 :
				TP_LVL_LEAF + (int) tp_test_rand(2);

			if (tp_test_rand(2)) {
				r.nodes = 1 + tp_test_rand(t == TP_LVL_LEAF ? 8 : 40);
				r.gpus_per_node = 1 + tp_test_rand(8);
			} else {
				r.total_gpus = 1 + tp_test_rand(t == TP_LVL_LEAF ?
							  64 : 300);
			}
			for (int x = f->level_first[t];
			     x < f->level_first[t + 1]; x++) {
				int b = f->level_blocks[x];
				tp_key_t fast, exact;
				bool a = _eval(s, &r, b, t, t == TP_LVL_LEAF ?
					       tp_flat_leaf_eval : _group,
					       &fast);
				bool e = _eval(s, &r, b, t, tp_knapsack_eval,
					       &exact);

				ck_assert_int_eq(a, e);
				if (!a)
					continue;
				(*compared)++;
				*multi += t > TP_LVL_LEAF && fast.v[0] >= 2;
				for (int v = 0; v < t; v++)
					ck_assert_msg(fast.v[v] == exact.v[v],
						      "nvl %d state %d request %d level %d: key[%d] %u vs exact %u",
						      nvl, i, k, t, v,
						      fast.v[v], exact.v[v]);
			}
		}
		tp_state_free(s);
	}
	tp_fabric_free(f);
}

START_TEST(test_fast_paths_match_knapsack)
{
	int hgx = 0, hgx_multi = 0, nvl = 0, nvl_multi = 0;

	tp_test_seed = 99;
	_cross_check(1, &hgx, &hgx_multi);
	_cross_check(4, &nvl, &nvl_multi);
	printf("fast paths equal to the knapsack: HGX %d (%d over two or more leaves), NVLink %d (%d)\n",
	       hgx, hgx_multi, nvl, nvl_multi);
	ck_assert_int_gt(hgx_multi, 200);
	ck_assert_int_gt(nvl_multi, 200);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("optimal");
	TCase *tc = tcase_create("brute-force");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_matches_brute_force);
	tcase_add_test(tc, test_fast_paths_match_knapsack);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
