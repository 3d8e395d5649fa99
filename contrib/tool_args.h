/*****************************************************************************\
 *  tool_args.h - the command line of the topopack tools, read the same way
 *  by each: numbers checked against their range, --help, options
 *  getopt_long() refused and arguments left over after the options.
 *
 *  Every function here that finds bad usage says so on stderr, prefixed
 *  with the tool's name, and exits with the tool's bad usage status (its
 *  manual page gives it), so a tool's main() needs no error path for its
 *  options.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_TOOL_ARGS_H
#define _TOPOPACK_TOOL_ARGS_H

#include <stdint.h>

/* A tool, as its command line errors show it. */
typedef struct {
	const char *name;	/* prefix of its messages */
	const char *usage;	/* what --help prints */
	int bad_usage;		/* exit status of bad usage */
} tool_t;

/* --help: print the usage on stdout and exit 0. */
extern void tool_help(const tool_t *t) __attribute__((noreturn));

/* An option getopt_long() refused (it has said why): print the usage on
 * stderr and exit with t->bad_usage. */
extern void tool_usage(const tool_t *t) __attribute__((noreturn));

/* After getopt_long(): exactly count arguments must follow the options,
 * from argv[optind] on. Else print the usage on stderr, after "NAME:
 * unexpected argument 'ARG'" for the first extra one if there are too
 * many, and exit with t->bad_usage. */
extern void tool_operands(const tool_t *t, int argc, char **argv, int count);

/*
 * The value arg of option opt (as the message shows it, e.g. "--gpus"):
 *  tool_long	a decimal integer in [lo, hi]
 *  tool_double	a number in [lo, hi]
 *  tool_u64	an unsigned 64-bit integer (decimal, 0x hex or 0 octal)
 * Anything else is bad usage: "NAME: OPT: expected ..., got 'ARG'".
 * RET the value
 */
extern long tool_long(const tool_t *t, const char *opt, const char *arg,
		      long lo, long hi);
extern double tool_double(const tool_t *t, const char *opt, const char *arg,
			  double lo, double hi);
extern uint64_t tool_u64(const tool_t *t, const char *opt, const char *arg);

#endif /* _TOPOPACK_TOOL_ARGS_H */
