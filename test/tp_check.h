/*****************************************************************************\
 *  tp_check.h - the one main() every unit test suite shares.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_TP_CHECK_H
#define _TOPOPACK_TP_CHECK_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../contrib/splitmix64.h"

/* The tests' random numbers: splitmix64 from a seed the test sets, so a
 * run is the same on every machine. */
static uint64_t tp_test_seed;

static inline uint32_t tp_test_rand(uint32_t n)
{
	uint64_t z = splitmix64(&tp_test_seed);

	return n ? (uint32_t) (z % n) : 0;
}

/* Path of test data file name under $TOPOPACK_TEST_DATA/dir (default
 * test/data): a static buffer, one of four used in turn so that a call
 * may take two or three paths at once. */
static inline const char *tp_test_data(const char *dir, const char *name)
{
	static char buf[4][4096];
	static int next;
	const char *top = getenv("TOPOPACK_TEST_DATA");
	char *p = buf[next++ % 4];

	if (!top || !*top)
		top = "test/data";
	snprintf(p, sizeof(buf[0]), "%s/%s/%s", top, dir, name);
	return p;
}

/* Run suite s with Check's normal output. RET the process exit code. */
static inline int tp_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* _TOPOPACK_TP_CHECK_H */
