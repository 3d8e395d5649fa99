/*****************************************************************************\
 *  hostlist_private.h - Slurm hostlist expressions: "gpu[001-128]",
 *  "a[1-3,5],b7", "r[1-2]n[01-02]", expanded to names and compressed back.
 *
 *  Syntax (as Slurm's hostlist_create() reads it):
 *  - items are separated by commas (or blanks) outside brackets; empty
 *    items are skipped;
 *  - an item is literal text with any number of bracket groups, each a
 *    comma-separated list of "lo" or "lo-hi" decimal ranges;
 *  - every number of a range is printed with the width of its low bound,
 *    zero padded: "[08-10]" gives 08 09 10, "[8-10]" gives 8 9 10;
 *  - several groups give their cartesian product, the last group varying
 *    fastest: "r[1-2]n[1-2]" is r1n1 r1n2 r2n1 r2n2.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_HOSTLIST_PRIVATE_H
#define _TOPOPACK_HOSTLIST_PRIVATE_H

#include "topopack.h"

/* Most names one expression may produce. */
#define TP_HOSTLIST_MAX 1000000

/*
 * Expand a hostlist expression.
 * IN expr - the expression
 * OUT names - on success, a malloc'd array of malloc'd names in expression
 *	order; free with tp_hostlist_free(). Untouched on failure.
 * OUT err - on failure, the problem without file or line (callers add
 *	them), e.g. "reversed range '5-3' in 'a[5-3]'"; may be NULL
 * RET number of names (at least 1), or -1 with errno EINVAL for a bad
 *	expression (unbalanced brackets, empty, reversed or non-numeric
 *	range, no name at all, more than TP_HOSTLIST_MAX names) or ENOMEM.
 */
extern int tp_hostlist_expand(const char *expr, char ***names,
			      tp_error_t *err);

/*
 * Free an array returned by tp_hostlist_expand().
 * IN names - the array (NULL is accepted)
 * IN n - its length
 */
extern void tp_hostlist_free(char **names, int n);

/*
 * Compress names into a hostlist expression, Slurm style
 * ("gpu[001-004,007],login1"). Order is kept: runs of consecutive names
 * with the same prefix and the same numeric-suffix width (or no zero
 * padding on either side, as Slurm treats 9 and 10) share one bracket, so
 * expanding the result gives back the same names in the same order.
 * Names are taken as they are: they should contain no comma, blank or
 * bracket.
 * IN names - the names
 * IN n - how many (0 gives "")
 * RET a malloc'd string, or NULL with errno (EINVAL, ENOMEM)
 */
extern char *tp_hostlist_compress(char *const *names, int n);

#endif /* _TOPOPACK_HOSTLIST_PRIVATE_H */
