/*****************************************************************************\
 *  test_nomem.c - the loads and placements a daemon runs, with each
 *  allocation failing in turn: a load must then return NULL with ENOMEM
 *  and "out of memory", a placement -1 with ENOMEM, having freed what it
 *  took.
 *
 *  This program is linked with --wrap=malloc, calloc, realloc and strdup
 *  (Makefile.am), so the library objects linked into it call the wrappers
 *  below. Armed with n, the wrappers fail the n-th allocation only. Each
 *  load runs for n = 1, 2, ... until it makes fewer than n allocations and
 *  must then succeed. Leaks show under configure --enable-sanitizers
 *  (LeakSanitizer). hwloc is a shared library: its own allocations are
 *  not counted and do not fail.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp_check.h"

#include "topopack_bind.h"
#include "topopack.h"

/*****************************************************************************\
 *  Failing allocator
\*****************************************************************************/

extern void *__real_malloc(size_t size);
extern void *__real_calloc(size_t n, size_t size);
extern void *__real_realloc(void *p, size_t size);
extern char *__real_strdup(const char *s);
extern void *__wrap_malloc(size_t size);
extern void *__wrap_calloc(size_t n, size_t size);
extern void *__wrap_realloc(void *p, size_t size);
extern char *__wrap_strdup(const char *s);

static long _fail_at;		/* allocation to fail; 0: none */
static long _count;		/* allocations since armed */

/* Counts only while armed: Check itself allocates between the loads. */
static bool _fail(void)
{
	if (!_fail_at || ++_count != _fail_at)
		return false;
	errno = ENOMEM;
	return true;
}

extern void *__wrap_malloc(size_t size)
{
	return _fail() ? NULL : __real_malloc(size);
}

extern void *__wrap_calloc(size_t n, size_t size)
{
	return _fail() ? NULL : __real_calloc(n, size);
}

extern void *__wrap_realloc(void *p, size_t size)
{
	return _fail() ? NULL : __real_realloc(p, size);
}

extern char *__wrap_strdup(const char *s)
{
	return _fail() ? NULL : __real_strdup(s);
}

/*****************************************************************************\
 *  Loads
\*****************************************************************************/

typedef struct {
	const char *what;
	void *(*load)(tp_error_t *err);
	void (*free)(void *obj);
} load_t;

static const char *_conf(const char *name)
{
	return tp_test_data("conf", name);
}

static void _fabric_free(void *f)
{
	tp_fabric_free(f);
}

static void *_basic(tp_error_t *err)
{
	return tp_fabric_load(_conf("good-basic.topology.conf"),
			      _conf("good-basic.topopack.conf"), err);
}

static void *_nvl72(tp_error_t *err)
{
	return tp_fabric_load(_conf("good-nvl72.topology.conf"),
			      _conf("good-nvl72.topopack.conf"), err);
}

static void *_three_levels(tp_error_t *err)
{
	return tp_fabric_load(_conf("good-3level.topology.conf"),
			      _conf("good-3level.topopack.conf"), err);
}

/* Include reads a second file. */
static void *_include(tp_error_t *err)
{
	return tp_fabric_load(_conf("good-include.topology.conf"), NULL, err);
}

/* A node whose GPUs differ from topopack.conf's, one of a new type. */
static void *_inventory(tp_error_t *err)
{
	static const tp_node_gpus_t node[] = {
		{ "gpu001", 8, "h100" },
		{ "gpu002", 4, "b200" },
		{ "gpu008", 2, NULL },
		{ "elsewhere", 8, "h100" },
	};
	tp_inventory_t inv = { .node = node, .count = 4 };

	return tp_fabric_load_inventory(_conf("good-basic.topology.conf"),
					_conf("good-basic.topopack.conf"),
					&inv, err);
}

/* Two switch levels above the leaves, NVLink domains of two nodes. */
static void *_generate(tp_error_t *err)
{
	tp_gen_t gen = { .levels = 2, .leaves = 4, .nodes_per_leaf = 4,
			 .gpus_per_node = 8, .leaves_per_pod = 2,
			 .nvl_nodes = 2 };

	return tp_fabric_generate(&gen, err);
}

static void _topo_free(void *t)
{
	tp_node_topo_free(t);
}

/* Four GPUs paired with four NICs. */
static void *_topo(tp_error_t *err)
{
	return tp_node_topo_load(
		tp_test_data("hwloc", "juwels-booster-4xA100-4xCX6.xml"), err);
}

static const load_t loads[] = {
	{ "tp_fabric_load good-basic", _basic, _fabric_free },
	{ "tp_fabric_load good-nvl72", _nvl72, _fabric_free },
	{ "tp_fabric_load good-3level", _three_levels, _fabric_free },
	{ "tp_fabric_load good-include", _include, _fabric_free },
	{ "tp_fabric_load_inventory good-basic", _inventory, _fabric_free },
	{ "tp_fabric_generate", _generate, _fabric_free },
	{ "tp_node_topo_load juwels-booster", _topo, _topo_free },
};

START_TEST(test_nomem)
{
	const load_t *l = &loads[_i];
	long n;

	for (n = 1;; n++) {
		tp_error_t err = { "" };
		void *obj;
		int e;

		_count = 0;
		_fail_at = n;
		errno = 0;
		obj = l->load(&err);
		e = errno;
		_fail_at = 0;
		if (_count < n) {
			/* No allocation failed: the load must work. */
			ck_assert_msg(obj, "%s: %s", l->what, err.text);
			l->free(obj);
			break;
		}
		ck_assert_msg(!obj, "%s: allocation %ld failed, yet it loaded",
			      l->what, n);
		ck_assert_msg(e == ENOMEM,
			      "%s: allocation %ld failed: errno %d, \"%s\"",
			      l->what, n, e, err.text);
		ck_assert_msg(!strcmp(err.text, "out of memory"),
			      "%s: allocation %ld failed: \"%s\"", l->what, n,
			      err.text);
	}
	/* None would mean the wrappers are not linked to the library. */
	ck_assert_int_gt(n, 1);
	printf("%s: %ld allocations, each failed once\n", l->what, n - 1);
}
END_TEST

/*
 * Placements slurmctld asks for, on a state built before the allocator
 * is armed: each must fail with ENOMEM and leave the state as it was, or
 * succeed once no allocation fails.
 */
typedef struct {
	const char *what;
	tp_request_t req;
} place_t;

static const place_t places[] = {
	{ "tp_place across leaves", { .nodes = 6, .gpus_per_node = 8 } },
	{ "tp_place across pods", { .nodes = 10, .gpus_per_node = 4 } },
	{ "tp_place GPU total within a node limit",
	  { .total_gpus = 24, .max_nodes = 3 } },
	{ "tp_place with a leaf limit",
	  { .nodes = 4, .gpus_per_node = 4, .max_leaves = 1 } },
};

START_TEST(test_nomem_place)
{
	const place_t *pl = &places[_i];
	tp_gen_t gen = { .levels = 2, .leaves = 6, .nodes_per_leaf = 4,
			 .gpus_per_node = 8, .leaves_per_pod = 3,
			 .nvl_nodes = 2 };
	tp_error_t err = { "" };
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);
	tp_state_t *s = tp_state_new(f);
	long n;
	int before;

	/* Half the nodes partly used, so that no leaf is whole. */
	for (int node = 0; node < tp_fabric_node_count(f); node += 2)
		ck_assert_int_eq(tp_state_alloc(s, node, 4, false), 0);
	before = tp_state_block_free_gpus(s, 0, 4);
	for (n = 1;; n++) {
		tp_placement_t p = { 0 };
		int rc, e;

		_count = 0;
		_fail_at = n;
		errno = 0;
		rc = tp_place(s, TP_POLICY_TOPOPACK, &pl->req, &p, &err);
		e = errno;
		_fail_at = 0;
		if (_count < n) {
			ck_assert_msg(!rc, "%s: %s", pl->what, err.text);
			tp_placement_clear(&p);
			break;
		}
		ck_assert_msg(rc == -1 && e == ENOMEM,
			      "%s: allocation %ld failed: rc %d errno %d \"%s\"",
			      pl->what, n, rc, e, err.text);
		ck_assert_ptr_nonnull(strstr(err.text, "out of memory"));
		ck_assert_int_eq(tp_state_block_free_gpus(s, 0, 4), before);
	}
	ck_assert_int_gt(n, 1);
	printf("%s: %ld allocations, each failed once\n", pl->what, n - 1);
	tp_state_free(s);
	tp_fabric_free(f);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("nomem");
	TCase *tc = tcase_create("nomem");

	tcase_add_loop_test(tc, test_nomem, 0,
			    (int) (sizeof(loads) / sizeof(loads[0])));
	tcase_add_loop_test(tc, test_nomem_place, 0,
			    (int) (sizeof(places) / sizeof(places[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
