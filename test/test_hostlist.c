/*****************************************************************************\
 *  test_hostlist.c - tables of hostlist expressions: their expansion or
 *  the error they give, and compression round trips.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "topopack.h"

/*
 * An expression and what it gives: the names separated by blanks, or for
 * long lists their count, first and last name, or an error substring.
 */
typedef struct {
	const char *expr;
	const char *names;	/* blank separated, NULL: see below */
	int count;		/* names == NULL and error == NULL */
	const char *first, *last;
	const char *error;	/* substring of the error, or NULL */
} expand_case_t;

#define OK(e, n) { .expr = e, .names = n }
#define MANY(e, n, f, l) { .expr = e, .count = n, .first = f, .last = l }
#define BAD(e, why) { .expr = e, .error = why }

static const expand_case_t expand_cases[] = {
	/* Ranges and padding */
	OK("gpu[001-004]", "gpu001 gpu002 gpu003 gpu004"),
	MANY("gpu[001-128]", 128, "gpu001", "gpu128"),
	OK("n[8-10]", "n8 n9 n10"),
	OK("n[08-10]", "n08 n09 n10"),
	OK("n[098-101]", "n098 n099 n100 n101"),
	OK("n[0-0]", "n0"),
	OK("a[5]", "a5"),
	OK("a[1-3,5,7-8]", "a1 a2 a3 a5 a7 a8"),
	OK("a[3,1,2]", "a3 a1 a2"),
	/* Lists */
	OK("a1,b[2-3],c", "a1 b2 b3 c"),
	OK("single", "single"),
	OK("a b\tc", "a b c"),
	OK("a,,b,", "a b"),
	OK("x5570comp[1-2],r510gluster[1-4]",
	   "x5570comp1 x5570comp2 r510gluster1 r510gluster2 r510gluster3 "
	   "r510gluster4"),
	/* Text after and between brackets, several groups */
	OK("mlx5_[0-3]", "mlx5_0 mlx5_1 mlx5_2 mlx5_3"),
	OK("rack[1-2]-ib", "rack1-ib rack2-ib"),
	OK("[1-3]", "1 2 3"),
	OK("r[1-2]n[01-02]", "r1n01 r1n02 r2n01 r2n02"),
	OK("r[1-2]n[1,3]x,z", "r1n1x r1n3x r2n1x r2n3x z"),
	OK("a[1-2]b[1-2]c[1-2]",
	   "a1b1c1 a1b1c2 a1b2c1 a1b2c2 a2b1c1 a2b1c2 a2b2c1 a2b2c2"),
	/* The limit itself is fine */
	MANY("n[1-1000000]", 1000000, "n1", "n1000000"),
	MANY("n[000001-500000],m[1-500000]", 1000000, "n000001", "m500000"),

	/* Errors */
	BAD("", "empty hostlist"),
	BAD(",", "empty hostlist"),
	BAD("gpu[1-3", "unbalanced brackets in 'gpu[1-3'"),
	BAD("gpu[1-3,b4", "unbalanced brackets"),
	BAD("gpu1-3]", "unbalanced brackets in 'gpu1-3]'"),
	BAD("a,b]c", "unbalanced brackets in 'b]c'"),
	BAD("a[[1-2]]", "nested brackets"),
	BAD("a[]", "empty range in 'a[]'"),
	BAD("a[1,]", "empty range"),
	BAD("a[,1]", "empty range"),
	BAD("a[1,,2]", "empty range"),
	BAD("a[5-3]", "reversed range '5-3' in 'a[5-3]'"),
	BAD("b[1,09-08]", "reversed range '09-08'"),
	BAD("a[x-y]", "non-numeric range 'x-y' in 'a[x-y]'"),
	BAD("a[1-b]", "non-numeric range '1-b'"),
	BAD("a[ 1]", "non-numeric range"),
	BAD("a[-3]", "bad range '-3'"),
	BAD("a[1-]", "bad range '1-'"),
	BAD("a[1--3]", "bad range"),
	BAD("a[1234567890123456789]", "bad range"),
	BAD("a[1-1000001]", "more than 1000000 names"),
	BAD("a[1-2000000]", "more than 1000000 names"),
	BAD("a[1-999999999999]", "more than 1000000 names"),
	BAD("a[1-1000]b[1-1001]", "more than 1000000 names"),
	BAD("a[1-600000],b[1-400001]", "more than 1000000 names"),
	BAD("a[1-500000,1-500001]", "more than 1000000 names"),
};

#define N_EXPAND (int) (sizeof(expand_cases) / sizeof(expand_cases[0]))

/* Split a blank separated list. RET count; free with tp_hostlist_free. */
static int _split(const char *list, char ***out)
{
	char *copy = strdup(list), *save = NULL, *tok;
	char **v = calloc(strlen(list) + 1, sizeof(char *));
	int n = 0;

	ck_assert(copy && v);
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		v[n++] = strdup(tok);
	free(copy);
	*out = v;
	return n;
}

static void _assert_names(char **got, int ngot, char **want, int nwant,
			  const char *what)
{
	ck_assert_msg(ngot == nwant, "%s: %d names, expected %d", what, ngot,
		      nwant);
	for (int i = 0; i < nwant; i++)
		ck_assert_msg(!strcmp(got[i], want[i]),
			      "%s: name %d is '%s', expected '%s'", what, i,
			      got[i], want[i]);
}

START_TEST(test_expand)
{
	const expand_case_t *c = &expand_cases[_i];
	tp_error_t err = { "" };
	char **names = (char **) 0x1, **want;
	int n = tp_hostlist_expand(c->expr, &names, &err);

	if (c->error) {
		ck_assert_msg(n == -1, "'%s': expected an error, got %d names",
			      c->expr, n);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_msg(names == (char **) 0x1,
			      "'%s': names changed on failure", c->expr);
		ck_assert_msg(strstr(err.text, c->error),
			      "'%s': error '%s' lacks '%s'", c->expr,
			      err.text, c->error);
		return;
	}
	ck_assert_msg(n > 0, "'%s': error '%s'", c->expr, err.text);
	if (c->names) {
		int nwant = _split(c->names, &want);

		_assert_names(names, n, want, nwant, c->expr);
		tp_hostlist_free(want, nwant);
	} else {
		ck_assert_int_eq(n, c->count);
		ck_assert_str_eq(names[0], c->first);
		ck_assert_str_eq(names[n - 1], c->last);
	}
	tp_hostlist_free(names, n);
}
END_TEST

/* Expand, compress, expand again: the same names in the same order. */
START_TEST(test_expand_round_trip)
{
	const expand_case_t *c = &expand_cases[_i];
	tp_error_t err;
	char **a, **b, *s;
	int na, nb;

	if (c->error)
		return;
	na = tp_hostlist_expand(c->expr, &a, &err);
	ck_assert_int_gt(na, 0);
	s = tp_hostlist_compress(a, na);
	ck_assert_ptr_nonnull(s);
	nb = tp_hostlist_expand(s, &b, &err);
	ck_assert_msg(nb > 0, "'%s' compressed to '%s': %s", c->expr, s,
		      err.text);
	_assert_names(b, nb, a, na, s);
	tp_hostlist_free(a, na);
	tp_hostlist_free(b, nb);
	free(s);
}
END_TEST

/* Names (blank separated) and their exact compressed form. */
typedef struct {
	const char *names;
	const char *compressed;
} compress_case_t;

static const compress_case_t compress_cases[] = {
	{ "gpu001 gpu002 gpu003 gpu004 gpu007", "gpu[001-004,007]" },
	{ "gpu001", "gpu001" },
	{ "login", "login" },
	{ "", "" },
	{ "n8 n9 n10 n11", "n[8-11]" },
	{ "n08 n09 n10", "n[08-10]" },
	{ "n099 n100", "n[099-100]" },
	{ "n99 n100 n102", "n[99-100,102]" },
	{ "n9 n010", "n9,n010" },
	{ "n1 n01", "n1,n01" },
	{ "n01 n1", "n01,n1" },
	{ "a1 b1 a2", "a1,b1,a2" },
	{ "login gpu1 gpu2 gpu3", "login,gpu[1-3]" },
	{ "gpu1 gpu2 login gpu3", "gpu[1-2],login,gpu3" },
	{ "r1n01 r1n02 r2n01", "r1n[01-02],r2n01" },
	{ "n3 n2 n1", "n[3,2,1]" },
	{ "n1 n1 n2", "n[1,1-2]" },
	{ "mlx5_0 mlx5_1 mlx5_2 mlx5_3", "mlx5_[0-3]" },
	{ "a0 a1 b", "a[0-1],b" },
	{ "n0009 n0010 n0011", "n[0009-0011]" },
	{ "x123456789012345678901", "x123456789012345678901" },
};

#define N_COMPRESS (int) (sizeof(compress_cases) / sizeof(compress_cases[0]))

START_TEST(test_compress)
{
	const compress_case_t *c = &compress_cases[_i];
	tp_error_t err;
	char **names, **back, *s;
	int n = _split(c->names, &names), nb;

	s = tp_hostlist_compress(names, n);
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(!strcmp(s, c->compressed), "'%s' compressed to '%s'",
		      c->names, s);
	if (n) {
		nb = tp_hostlist_expand(s, &back, &err);
		ck_assert_msg(nb > 0, "'%s': %s", s, err.text);
		_assert_names(back, nb, names, n, s);
		tp_hostlist_free(back, nb);
	}
	free(s);
	tp_hostlist_free(names, n);
}
END_TEST

START_TEST(test_bad_arguments)
{
	tp_error_t err;
	char **names = NULL;
	char *one[] = { "a", NULL };

	ck_assert_int_eq(tp_hostlist_expand(NULL, &names, &err), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(tp_hostlist_expand("a", NULL, &err), -1);
	/* err may be NULL */
	ck_assert_int_eq(tp_hostlist_expand("a[", &names, NULL), -1);
	ck_assert_int_eq(tp_hostlist_expand("a", &names, NULL), 1);
	tp_hostlist_free(names, 1);
	tp_hostlist_free(NULL, 0);

	ck_assert_ptr_null(tp_hostlist_compress(NULL, 1));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(tp_hostlist_compress(one, -1));
	ck_assert_ptr_null(tp_hostlist_compress(one, 2));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Regression: a name that is only digits has an empty prefix. */
START_TEST(test_digits_only)
{
	char *names[] = { "1", "2", "3", "5" };
	char *s = tp_hostlist_compress(names, 4);

	ck_assert_str_eq(s, "[1-3,5]");
	free(s);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("hostlist");
	TCase *tc = tcase_create("hostlist");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_expand, 0, N_EXPAND);
	tcase_add_loop_test(tc, test_expand_round_trip, 0, N_EXPAND);
	tcase_add_loop_test(tc, test_compress, 0, N_COMPRESS);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_digits_only);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
