/*****************************************************************************\
 *  tool_args.c - the command line of the topopack tools, read the same way
 *  by each (see tool_args.h).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tool_args.h"

extern void tool_help(const tool_t *t)
{
	fputs(t->usage, stdout);
	exit(0);
}

extern void tool_usage(const tool_t *t)
{
	fputs(t->usage, stderr);
	exit(t->bad_usage);
}

extern void tool_operands(const tool_t *t, int argc, char **argv, int count)
{
	if (argc - optind > count)
		fprintf(stderr, "%s: unexpected argument '%s'\n", t->name,
			argv[optind + count]);
	if (argc - optind != count)
		tool_usage(t);
}

extern long tool_long(const tool_t *t, const char *opt, const char *arg,
		      long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi) {
		fprintf(stderr, "%s: %s: expected an integer in [%ld, %ld], "
			"got '%s'\n", t->name, opt, lo, hi, arg);
		exit(t->bad_usage);
	}
	return v;
}

extern double tool_double(const tool_t *t, const char *opt, const char *arg,
			  double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	/* Written so that "nan" is out of every range. */
	if (errno || end == arg || *end || !(v >= lo && v <= hi)) {
		fprintf(stderr, "%s: %s: expected a number in [%g, %g], "
			"got '%s'\n", t->name, opt, lo, hi, arg);
		exit(t->bad_usage);
	}
	return v;
}

extern uint64_t tool_u64(const tool_t *t, const char *opt, const char *arg)
{
	unsigned long long v;
	char *end;

	/* strtoull() takes "-1" as 2^64 - 1: refused, not wrapped. */
	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-') {
		fprintf(stderr, "%s: %s: expected an unsigned integer, got "
			"'%s'\n", t->name, opt, arg);
		exit(t->bad_usage);
	}
	return v;
}
