/*****************************************************************************\
 *  fuzz_hostlist.c - hostlist expressions: expansion never crashes, and
 *  compressing what it gives expands back to the same names.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdlib.h>
#include <string.h>

#include "hostlist.h"

/* Names the compressor takes as they are: no comma, blank or bracket. */
static int _plain(char **names, int n)
{
	for (int i = 0; i < n; i++)
		if (strpbrk(names[i], ",[] \t\n\r"))
			return 0;
	return 1;
}

/*
 * Numbers of 3 digits or more make ranges of hundreds of names, and
 * several brackets in one name multiply them (a[1-36]b[1-16]c[1-36]: 20k
 * names): each run would then spend its time in malloc, not in the
 * parser. Inputs stay below that: numbers of 1 or 2 digits, 2 brackets.
 * The size limit itself (TP_HOSTLIST_MAX) is test_hostlist's business.
 */
static int _small(const uint8_t *data, size_t size)
{
	int digits = 0, brackets = 0;

	for (size_t i = 0; i < size; i++) {
		digits = (data[i] >= '0' && data[i] <= '9') ? digits + 1 : 0;
		brackets += data[i] == '[';
		if (digits >= 3 || brackets > 2)
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *expr = malloc(size + 1), *back;
	char **names = NULL, **again = NULL;
	tp_error_t err = { { 0 } };
	int n, m;

	if (!expr || !_small(data, size)) {
		free(expr);
		return 0;
	}
	memcpy(expr, data, size);
	expr[size] = '\0';
	n = tp_hostlist_expand(expr, &names, &err);
	if (n < 0 && !err.text[0])
		abort();
	if (n > 0 && _plain(names, n) && (back = tp_hostlist_compress(names, n))) {
		m = tp_hostlist_expand(back, &again, &err);
		if (m != n)
			abort();
		for (int i = 0; i < n; i++)
			if (strcmp(names[i], again[i]))
				abort();
		tp_hostlist_free(again, m);
		free(back);
	}
	tp_hostlist_free(names, n > 0 ? n : 0);
	free(expr);
	return 0;
}
