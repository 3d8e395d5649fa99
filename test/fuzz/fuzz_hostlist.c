/*****************************************************************************\
 *  fuzz_hostlist.c - hostlist expressions: expansion never crashes, gives
 *  names or says why not, and compressing the names gives an expression
 *  that expands back to the same names in the same order.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "topopack.h"

/* RET true when every name is one: not empty, and without the
 * separators and brackets the expansion consumes. */
static bool _names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		if (!names[i][0] || strpbrk(names[i], ",[] \t\n"))
			return false;
	return true;
}

/*
 * Bytes of names the expansion of s writes before it stops, counted from
 * the text as the parser reads it: items from left to right, each the
 * product of its bracket groups, until the first one the parser refuses
 * (which it does before writing that item's names). Near the 1,000,000
 * name limit one run would take seconds in malloc, not in the parser;
 * the limit itself is test_hostlist's business. Long numbers, padding
 * and refused expressions of any size stay in reach.
 */
static unsigned long long _cost(const char *s)
{
	unsigned long long total = 0, names = 0, item = 1, group = 0;
	unsigned long long num[2] = { 0, 0 };
	int side = 0, digits = 0;
	const char *start = s;
	bool in = false;

	for (;; s++) {
		char c = *s;

		if (!in && (!c || strchr(", \t\n", c))) {
			if (item > TP_HOSTLIST_MAX ||
			    names + item > TP_HOSTLIST_MAX)
				return total;
			names += item;
			total += item * (s - start + 1);
			item = 1;
			start = s + 1;
			if (!c)
				return total;
		} else if (!in && (c == '[')) {
			in = true;
			group = 0;
		} else if (!in && (c == ']')) {
			return total;
		} else if (!in) {
			continue;
		} else if ((c >= '0') && (c <= '9')) {
			if (++digits > 18)
				return total;
			num[side] = num[side] * 10 + (c - '0');
		} else if ((c == '-') && !side && digits) {
			side = 1;
			digits = 0;
		} else if (((c == ',') || (c == ']')) && digits) {
			if (!side)
				num[1] = num[0];
			if (num[1] < num[0])
				return total;
			group += num[1] - num[0] + 1;
			if (group > TP_HOSTLIST_MAX)
				return total;
			num[0] = num[1] = 0;
			side = digits = 0;
			if (c == ']') {
				in = false;
				item *= group;
				if (item > TP_HOSTLIST_MAX)
					return total;
			}
		} else {
			return total;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *expr = malloc(size + 1), *back;
	char **names = NULL, **again = NULL;
	tp_error_t err = { { 0 } };
	int n, m;

	if (!expr)
		return 0;
	memcpy(expr, data, size);
	expr[size] = '\0';
	/* 64 KiB: thousands of names, well under a millisecond a run. */
	if (_cost(expr) > (1 << 16)) {
		free(expr);
		return 0;
	}
	n = tp_hostlist_expand(expr, &names, &err);
	if (n < 0 && !err.text[0])
		abort();
	if (n > 0) {
		if (!_names(names, n) ||
		    !(back = tp_hostlist_compress(names, n)))
			abort();
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
