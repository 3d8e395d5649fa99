/*****************************************************************************\
 *  checkpoint.c - the checkpoint interval a job declares, read the same way
 *  by the SPANK plugin (from the command line) and by slurmctld (from the
 *  job control environment, which a user can set to anything).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>

#include "topopack.h"

/* Whole decimal seconds only: no sign, no blanks, no exponent, no "nan"
 * or "inf" (strtod takes all of those), and no more digits than the
 * largest interval has, so that nothing can overflow. */
extern long tp_checkpoint_parse(const char *text)
{
	long v = 0;
	int digits = 0;

	if (!text || !*text) {
		errno = EINVAL;
		return -1;
	}
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9' || ++digits > 9) {
			errno = EINVAL;
			return -1;
		}
		v = v * 10 + (*c - '0');
	}
	if (v < 1 || v > TP_CHECKPOINT_MAX) {
		errno = ERANGE;
		return -1;
	}
	return v;
}
