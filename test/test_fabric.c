/*****************************************************************************\
 *  test_fabric.c - fabric model: generated trees, levels, blocks, hops and
 *  the builder's whole-model checks (cycles, orphans, missing children).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/fabric_builder_private.h"

START_TEST(test_generated_two_levels)
{
	tp_gen_t gen = { .levels = 1, .leaves = 4, .nodes_per_leaf = 8,
			 .gpus_per_node = 8, .nvl_nodes = 1 };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(tp_fabric_node_count(f), 32);
	ck_assert_int_eq(tp_fabric_gpu_count(f), 256);
	ck_assert_int_eq(tp_fabric_leaf_count(f), 4);
	ck_assert_int_eq(tp_fabric_domain_count(f), 32);
	ck_assert_int_eq(tp_fabric_level_count(f), 4);
	ck_assert_str_eq(tp_fabric_node_name(f, 0), "gpu001");
	ck_assert_str_eq(tp_fabric_node_leaf(f, 9), "leaf02");
	ck_assert_int_eq(tp_fabric_hops(f, 3, 3), 0);
	ck_assert_int_eq(tp_fabric_hops(f, 0, 7), 2);
	ck_assert_int_eq(tp_fabric_hops(f, 0, 8), 4);
	ck_assert_int_eq(tp_fabric_hops(f, 0, 99), TP_HOPS_UNREACHABLE);
	/* one root holding everything */
	ck_assert_int_eq(f->level_first[4] - f->level_first[3], 1);
	ck_assert_int_eq(f->blocks[f->level_blocks[f->level_first[3]]].gpus,
			 256);
	tp_fabric_free(f);
}
END_TEST

START_TEST(test_generated_pods_and_domains)
{
	tp_gen_t gen = { .levels = 2, .leaves = 8, .nodes_per_leaf = 4,
			 .gpus_per_node = 4, .leaves_per_pod = 2,
			 .nvl_nodes = 2 };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(tp_fabric_level_count(f), 5);
	ck_assert_int_eq(tp_fabric_domain_count(f), 16);
	ck_assert_str_eq(tp_fabric_node_domain(f, 0),
			 tp_fabric_node_domain(f, 1));
	ck_assert_str_ne(tp_fabric_node_domain(f, 1),
			 tp_fabric_node_domain(f, 2));
	ck_assert_int_eq(tp_fabric_hops(f, 0, 1), 2);	/* NVLink */
	ck_assert_int_eq(tp_fabric_hops(f, 0, 4), 4);	/* same pod */
	ck_assert_int_eq(tp_fabric_hops(f, 0, 8), 6);	/* across pods */
	ck_assert_int_eq(f->level_first[3] - f->level_first[2], 8);
	ck_assert_int_eq(f->level_first[4] - f->level_first[3], 4);
	tp_fabric_free(f);
}
END_TEST

typedef struct {
	const char *what;
	const char *lines;	/* "S name children|nodes" per ';' */
	const char *expect;	/* error substring, NULL: loads */
} _build_case_t;

/*
 * A tiny line format to drive the builder as a config reader does:
 *   "s NAME"  declare switch, "c NAME CHILD" child switch,
 *   "n NAME NODE" node under leaf, "d DOMAIN NODE" NVLink domain member.
 * Each element is recorded at line = its position, file "t.conf".
 */
static tp_fabric_t *_build(const char *spec, tp_error_t *err)
{
	tp_builder_t *b = tp_builder_new();
	char *copy = strdup(spec), *save = NULL;
	int line = 0;

	for (char *l = strtok_r(copy, ";", &save); l;
	     l = strtok_r(NULL, ";", &save)) {
		char op, a[32], c[32] = "";
		int sw, rc = 0;

		sscanf(l, " %c %31s %31s", &op, a, c);
		tp_builder_where(b, "t.conf", ++line);
		if (op == 's') {
			rc = tp_builder_add_switch(b, a, err) < 0;
		} else if (op == 'c') {
			sw = tp_builder_find_switch(b, a);
			rc = tp_builder_add_child(b, sw, c, err);
		} else if (op == 'n') {
			sw = tp_builder_find_switch(b, a);
			rc = tp_builder_add_node(b, sw, c, err);
		} else if (op == 'd') {
			int d = tp_builder_add_domain(b, a, 0, err);

			if (d < 0)
				d = b->ndomains - 1;
			rc = tp_builder_domain_node(b, d, c, err);
		}
		if (rc) {
			free(copy);
			tp_builder_free(b);
			return NULL;
		}
	}
	free(copy);
	return tp_builder_finish(b, err);
}

static const _build_case_t _build_cases[] = {
	{ "fat tree: two spines over both leaves",
	  "s l1;n l1 a;s l2;n l2 b;s s1;c s1 l1;c s1 l2;s s2;c s2 l1;c s2 l2",
	  NULL },
	{ "islands at the top level are allowed",
	  "s l1;n l1 a;s l2;n l2 b;s s1;c s1 l1;s s2;c s2 l2", NULL },
	{ "cycle", "s l1;n l1 a;s s1;c s1 l1;c s1 s2;s s2;c s2 s1",
	  "t.conf:6: switch cycle: s1 -> s2 -> s1" },
	{ "missing child", "s l1;n l1 a;s s1;c s1 l9",
	  "t.conf:3: switch s1 lists unknown switch l9" },
	{ "duplicate switch", "s l1;n l1 a;s l1",
	  "t.conf:3: duplicate switch name l1 (first at t.conf:1)" },
	{ "node under two leaves", "s l1;n l1 a;s l2;n l2 a",
	  "t.conf:4: node a is under two leaf switches: l1 and l2" },
	{ "switch without children", "s l1;n l1 a;s s1",
	  "t.conf:3: switch s1 has no children" },
	{ "leaf and spine at once", "s l1;n l1 a;s l2;n l2 b;c l2 l1",
	  "t.conf:3: switch l2 has both Nodes= and Switches=" },
	{ "orphan leaf below the top", "s l1;n l1 a;s l2;n l2 b;s s1;c s1 l1",
	  "t.conf:3: switch l2 (level 0) has no parent switch" },
	{ "self child", "s l1;n l1 a;s s1;c s1 s1",
	  "t.conf:4: switch s1 lists itself as a child" },
	{ "domain names an unknown node", "s l1;n l1 a;d nv1 zz",
	  "t.conf:3: unknown node zz" },
	{ "node in two domains", "s l1;n l1 a;d nv1 a;d nv2 a",
	  "t.conf:4: node a is in two NVLink domains: nv1 and nv2" },
};

START_TEST(test_builder_checks)
{
	const _build_case_t *c = &_build_cases[_i];
	tp_error_t err = { "" };
	tp_fabric_t *f = _build(c->lines, &err);

	if (!c->expect) {
		ck_assert_msg(f != NULL, "%s: %s", c->what, err.text);
	} else {
		ck_assert_msg(f == NULL, "%s: loaded", c->what);
		ck_assert_msg(strstr(err.text, c->expect) != NULL,
			      "%s: got '%s', expected '%s'", c->what,
			      err.text, c->expect);
	}
	tp_fabric_free(f);
}
END_TEST

START_TEST(test_domain_across_leaves)
{
	tp_error_t err;
	tp_fabric_t *f = _build("s l1;n l1 a;n l1 b;s l2;n l2 c;s s1;c s1 l1;"
				"c s1 l2;d nv1 b;d nv1 c", &err);
	int a = tp_fabric_node_index(f, "a"), b = tp_fabric_node_index(f, "b");
	int c = tp_fabric_node_index(f, "c");

	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(tp_fabric_node_domain(f, b), "nv1");
	ck_assert_str_eq(tp_fabric_node_domain(f, c), "nv1");
	ck_assert_str_eq(tp_fabric_node_domain(f, a), "a");
	/* one domain, two pieces: one under each leaf */
	ck_assert_int_ne(tp_ancestor(f, b, TP_LVL_DOMAIN),
			 tp_ancestor(f, c, TP_LVL_DOMAIN));
	ck_assert_int_eq(tp_fabric_hops(f, b, c), 4);
	tp_fabric_free(f);
}
END_TEST

START_TEST(test_islands_unreachable)
{
	tp_error_t err;
	tp_fabric_t *f = _build("s l1;n l1 a;s l2;n l2 b;s s1;c s1 l1;"
				"s s2;c s2 l2", &err);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(tp_fabric_hops(f, 0, 1), TP_HOPS_UNREACHABLE);
	tp_fabric_free(f);
}
END_TEST

START_TEST(test_generator_rejects)
{
	tp_gen_t bad = { .levels = 3, .leaves = 1, .nodes_per_leaf = 1 };
	tp_gen_t none = { .levels = 1, .leaves = 0, .nodes_per_leaf = 1 };
	tp_error_t err;

	ck_assert_ptr_null(tp_fabric_generate(&bad, &err));
	ck_assert_ptr_nonnull(strstr(err.text, "levels"));
	ck_assert_ptr_null(tp_fabric_generate(&none, &err));
	tp_fabric_free(NULL);
}
END_TEST

/* The process's fabric: a holder keeps a replaced fabric alive until it
 * lets go (AddressSanitizer would see a use after free or a leak). */
START_TEST(test_shared_fabric)
{
	tp_gen_t gen = { .levels = 1, .leaves = 2, .nodes_per_leaf = 2,
			 .gpus_per_node = 8, .nvl_nodes = 1 };
	tp_fabric_t *a = tp_fabric_generate(&gen, NULL), *b, *held, *again;
	unsigned long g1, g2, g;

	gen.leaves = 3;
	b = tp_fabric_generate(&gen, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(tp_fabric_hold(&g));
	g1 = tp_fabric_publish(a);
	ck_assert_uint_eq(g1, g + 1);
	held = tp_fabric_hold(&g);
	ck_assert_ptr_eq(held, a);
	ck_assert_uint_eq(g, g1);
	again = tp_fabric_hold(NULL);
	g2 = tp_fabric_publish(b);
	ck_assert_uint_gt(g2, g1);
	/* Replaced, still held twice: whole. */
	ck_assert_int_eq(tp_fabric_node_count(held), 4);
	tp_fabric_put(again);
	ck_assert_int_eq(tp_fabric_node_count(held), 4);
	tp_fabric_put(held);		/* frees a */
	held = tp_fabric_hold(&g);
	ck_assert_ptr_eq(held, b);
	ck_assert_uint_eq(g, g2);
	tp_fabric_put(held);
	ck_assert_uint_eq(tp_fabric_publish(NULL), g2 + 1);	/* frees b */
	ck_assert_ptr_null(tp_fabric_hold(NULL));
	tp_fabric_put(NULL);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("fabric");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, test_generated_two_levels);
	tcase_add_test(tc, test_generated_pods_and_domains);
	tcase_add_loop_test(tc, test_builder_checks, 0,
			    sizeof(_build_cases) / sizeof(_build_cases[0]));
	tcase_add_test(tc, test_domain_across_leaves);
	tcase_add_test(tc, test_islands_unreachable);
	tcase_add_test(tc, test_generator_rejects);
	tcase_add_test(tc, test_shared_fabric);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
