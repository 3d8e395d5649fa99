/*****************************************************************************\
 *  fuzz_names.h - keep the configuration targets on the files' structure:
 *  inputs whose hostlists name thousands of nodes are skipped.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_FUZZ_NAMES_H
#define _TOPOPACK_FUZZ_NAMES_H

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Most names the hostlists of one input may expand to. The hostlist
 * target covers big expressions; here an input naming hundreds of
 * thousands of nodes would spend the runs on expanding names instead of
 * on the file's structure (such an input costs milliseconds, a small one
 * microseconds). */
#define FUZZ_NAMES_MAX 4096

/* Names in the bracket "[...]" at d[*i] (a list of numbers and ranges);
 * *i is left on its closing bracket, a blank or the end. */
static inline unsigned long long _fuzz_bracket_names(const uint8_t *d,
						     size_t n, size_t *i)
{
	unsigned long long names = 0, lo = 0, v = 0;
	bool range = false;

	/* A bracket ends at ']', or where the value does (a blank). */
	for ((*i)++; *i < n && d[*i] != ']' && !isspace(d[*i]); (*i)++) {
		if (isdigit(d[*i])) {
			v = (v > FUZZ_NAMES_MAX * 1000ULL) ? v :
				v * 10 + (d[*i] - '0');
		} else if (d[*i] == '-') {
			lo = v;
			v = 0;
			range = true;
		} else if (d[*i] == ',') {
			names += range ? (v >= lo ? v - lo + 1 : 1) : 1;
			lo = v = 0;
			range = false;
		}
	}
	return names + (range ? (v >= lo ? v - lo + 1 : 1) : 1);
}

/* Whether the input's hostlists name at most FUZZ_NAMES_MAX nodes.
 * Lines are joined first where a backslash ends one, as the reader
 * joins them. */
static inline bool fuzz_names_few(const uint8_t *in, size_t size)
{
	unsigned long long total = 0, word = 1;
	uint8_t *d = malloc(size + 1);
	size_t n = 0;
	bool few = false;

	if (!d)
		abort();
	for (size_t i = 0; i < size; i++) {
		size_t j = i + 1;

		/* A backslash, blanks, then the end of the line. */
		while (in[i] == '\\' && j < size &&
		       (in[j] == ' ' || in[j] == '\t' || in[j] == '\r'))
			j++;
		if (in[i] == '\\' && j < size && in[j] == '\n') {
			i = j;
			continue;
		}
		d[n++] = in[i];
	}
	for (size_t i = 0; i < n; i++) {
		if (d[i] == '[') {
			word *= _fuzz_bracket_names(d, n, &i);
			if (word > FUZZ_NAMES_MAX)
				goto fini;
		}
		if (i < n && (d[i] == ',' || isspace(d[i]))) {
			total += word;
			word = 1;
		}
		if (total > FUZZ_NAMES_MAX)
			goto fini;
	}
	few = true;
fini:
	free(d);
	return few;
}

#endif /* _TOPOPACK_FUZZ_NAMES_H */
