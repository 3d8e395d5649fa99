/*****************************************************************************\
 *  test_tally.c - the preemption counters file: what is read, what is
 *  refused (a table of files and their errors), atomic rewrite, and the
 *  rounding of lost GPU-seconds as slurmctld logs them.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include "tp_check.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "topopack.h"

static char _dir[] = "/tmp/test_tally.XXXXXX";

static const char *_path(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", _dir, name);
	return buf;
}

static void _write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void _setup(void)
{
	ck_assert(mkdtemp(_dir));
}

static void _teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", _dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(_dir, "/tmp/test_tally.XXXXXX");
}

#define HEAD "topopack_preempt_state 1\n"

static const struct {
	const char *text;
	const char *error;	/* NULL: read */
	uint64_t plans, jobs, lost;
} _files[] = {
	{ HEAD "preemptions 3\npreempted_jobs 7\nlost_gpu_seconds 672\n",
	  NULL, 3, 7, 672 },
	/* Keys in any order. */
	{ HEAD "lost_gpu_seconds 0\npreemptions 0\npreempted_jobs 0\n",
	  NULL, 0, 0, 0 },
	{ HEAD "preemptions 18446744073709551615\npreempted_jobs 1\n"
	  "lost_gpu_seconds 2\n", NULL, UINT64_MAX, 1, 2 },
	{ HEAD "preemptions 18446744073709551616\n",
	  "f:2: not a line of the form \"KEY NUMBER\"", 0, 0, 0 },
	{ "", "f:0: no preemptions line", 0, 0, 0 },
	{ "topopack_preempt_state 2\n",
	  "f:1: not a topopack_preempt_state file of version 1", 0, 0, 0 },
	{ "preemptions 3\n",
	  "f:1: not a topopack_preempt_state file of version 1", 0, 0, 0 },
	{ HEAD "preemptions 3\npreempted_jobs 7\n",
	  "f:3: no lost_gpu_seconds line", 0, 0, 0 },
	{ HEAD "preemptions 3\npreemptions 4\n",
	  "f:3: preemptions given twice", 0, 0, 0 },
	{ HEAD "preemptions -3\n",
	  "f:2: not a line of the form \"KEY NUMBER\"", 0, 0, 0 },
	{ HEAD "preemptions 3 4\n",
	  "f:2: not a line of the form \"KEY NUMBER\"", 0, 0, 0 },
	{ HEAD "preemptions 3.5\n",
	  "f:2: not a line of the form \"KEY NUMBER\"", 0, 0, 0 },
	{ HEAD "suspensions 3\n", "f:2: unknown key suspensions", 0, 0, 0 },
	/* A file cut short by hand: the last line has no value. */
	{ HEAD "preemptions 3\npreempted_jobs \n",
	  "f:3: not a line of the form \"KEY NUMBER\"", 0, 0, 0 },
};

START_TEST(test_read_table)
{
	tp_preempt_tally_t t = { 11, 12, 13 };
	tp_error_t err = { .text = "" };
	char want[300];
	int rc;

	_write(_path("f"), _files[_i].text);
	ck_assert_int_eq(chdir(_dir), 0);
	rc = tp_preempt_tally_read("f", &t, &err);
	if (!_files[_i].error) {
		ck_assert_msg(!rc, "%s", err.text);
		ck_assert_uint_eq(t.preemptions, _files[_i].plans);
		ck_assert_uint_eq(t.preempted_jobs, _files[_i].jobs);
		ck_assert_uint_eq(t.lost_gpu_seconds, _files[_i].lost);
		return;
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(errno, EINVAL);
	snprintf(want, sizeof(want), "%s", _files[_i].error);
	ck_assert_str_eq(err.text, want);
	/* Nothing changed on failure. */
	ck_assert_uint_eq(t.preemptions, 11);
	ck_assert_uint_eq(t.lost_gpu_seconds, 13);
}
END_TEST

START_TEST(test_missing_is_zero)
{
	tp_preempt_tally_t t = { 1, 2, 3 };
	tp_error_t err = { .text = "" };

	ck_assert_int_eq(tp_preempt_tally_read(_path("none"), &t, &err), 0);
	ck_assert_uint_eq(t.preemptions, 0);
	ck_assert_uint_eq(t.preempted_jobs, 0);
	ck_assert_uint_eq(t.lost_gpu_seconds, 0);
}
END_TEST

START_TEST(test_write_read_back)
{
	tp_preempt_tally_t t = { 0 }, back;
	tp_error_t err = { .text = "" };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	tp_preempt_tally_add(&t, 4, 671.6);
	tp_preempt_tally_add(&t, 1, 0.4);
	tp_preempt_tally_add(&t, 2, 2.5);	/* ties to even, as %.0f */
	tp_preempt_tally_add(&t, 3, 3.5);
	ck_assert_uint_eq(t.preemptions, 4);
	ck_assert_uint_eq(t.preempted_jobs, 10);
	ck_assert_uint_eq(t.lost_gpu_seconds, 672 + 0 + 2 + 4);
	ck_assert_int_eq(tp_preempt_tally_write(_path("s"), &t, &err), 0);
	ck_assert_int_eq(access(_path("s.new"), F_OK), -1);
	f = fopen(_path("s"), "r");
	ck_assert(f);
	ck_assert_int_eq(getdelim(&text, &len, '\0', f) > 0, 1);
	fclose(f);
	ck_assert_str_eq(text, "topopack_preempt_state 1\npreemptions 4\n"
			 "preempted_jobs 10\nlost_gpu_seconds 678\n");
	free(text);
	ck_assert_int_eq(tp_preempt_tally_read(_path("s"), &back, &err), 0);
	ck_assert_mem_eq(&back, &t, sizeof(t));
}
END_TEST

START_TEST(test_write_fails_old_kept)
{
	tp_preempt_tally_t t = { 5, 6, 7 }, back;
	tp_error_t err = { .text = "" };
	char want[300];

	ck_assert_int_eq(tp_preempt_tally_write(_path("s"), &t, &err), 0);
	/* The temporary name taken by a directory: the write fails and the
	 * file written before stays as it was. */
	ck_assert_int_eq(mkdir(_path("s.new"), 0700), 0);
	t.preemptions = 99;
	ck_assert_int_eq(tp_preempt_tally_write(_path("s"), &t, &err), -1);
	ck_assert_int_eq(errno, EISDIR);
	snprintf(want, sizeof(want), "%s/s.new: Is a directory", _dir);
	ck_assert_str_eq(err.text, want);
	ck_assert_int_eq(tp_preempt_tally_read(_path("s"), &back, &err), 0);
	ck_assert_uint_eq(back.preemptions, 5);
	ck_assert_uint_eq(back.lost_gpu_seconds, 7);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("tally");
	TCase *tc = tcase_create("tally");

	tcase_add_checked_fixture(tc, _setup, _teardown);
	tcase_add_loop_test(tc, test_read_table, 0,
			    sizeof(_files) / sizeof(_files[0]));
	tcase_add_test(tc, test_missing_is_zero);
	tcase_add_test(tc, test_write_read_back);
	tcase_add_test(tc, test_write_fails_old_kept);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
