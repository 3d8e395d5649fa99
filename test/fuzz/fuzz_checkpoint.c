/*****************************************************************************\
 *  fuzz_checkpoint.c - the checkpoint interval a job's environment
 *  carries: accepted values are exactly the decimal numbers 1..a year.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdlib.h>
#include <string.h>

#include "topopack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	long v, want = 0;
	size_t i;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	v = tp_checkpoint_parse(text);
	/* The same rule, written again: digits only, at most 9 of them. */
	for (i = 0; text[i] >= '0' && text[i] <= '9' && i < 10; i++)
		want = want * 10 + (text[i] - '0');
	if (!text[0] || text[i] || i > 9 || want < 1 ||
	    want > TP_CHECKPOINT_MAX)
		want = -1;
	if (v != want)
		abort();
	free(text);
	return 0;
}
