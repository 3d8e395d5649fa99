/*****************************************************************************\
 *  tp_check.h - the one main() every unit test suite shares.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_TP_CHECK_H
#define _TOPOPACK_TP_CHECK_H

#include <check.h>
#include <stdlib.h>

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
