/*****************************************************************************\
 *  conf_file_private.h - reader for Slurm-style configuration files
 *  (topology.conf, topopack.conf).
 *
 *  Syntax, as Slurm's parse_config reads it:
 *  - "#" starts a comment to the end of the line, even inside quotes;
 *    "\#" is a literal "#";
 *  - a "\" at the end of a line (blanks may follow it) joins the next line
 *    to this one, with nothing in between: "Nodes=a,\" + "b" is "Nodes=a,b";
 *  - a backslash makes the next character literal ("\\" is a backslash);
 *  - blank lines are skipped;
 *  - a line is a list of Key=Value tokens separated by blanks; keys are
 *    compared without case; a value may be double-quoted to hold blanks
 *    (Key="a b"). Unlike Slurm, blanks around "=" are refused (with a
 *    message that says so) and a key may appear only once per line;
 *  - "Include path" reads another file at that point; a relative path is
 *    taken from the directory of the including file, as Slurm does.
 *    Includes nest at most TP_CONF_MAX_INCLUDE deep.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_CONF_FILE_PRIVATE_H
#define _TOPOPACK_CONF_FILE_PRIVATE_H

#include "topopack.h"

#define TP_CONF_MAX_INCLUDE 8

/* One Key=Value token of a line, quotes and escapes removed. */
typedef struct {
	const char *key;	/* as written */
	const char *value;	/* may be "" */
} tp_conf_pair_t;

/*
 * Called once per logical line that holds tokens.
 * IN arg - as given to tp_conf_file_read()
 * IN file - path of the file the line is in (an included file for its
 *	lines), valid during the call only
 * IN line - number of the line's first physical line
 * IN pairs - the line's tokens in order, valid during the call only
 * IN npairs - how many (at least 1)
 * OUT err - on failure, "file:line: problem" (see tp_conf_error())
 * RET 0 to go on, -1 to stop reading
 */
typedef int (*tp_conf_line_f)(void *arg, const char *file, int line,
			      const tp_conf_pair_t *pairs, int npairs,
			      tp_error_t *err);

/*
 * Read a file, calling fn for each logical line.
 * IN path - file to read
 * IN fn, arg - the line callback and its argument
 * OUT err - on failure, the problem (may be NULL):
 *	"path: No such file or directory" (strerror of the failing call),
 *	"path:line: expected Key=Value, got 'xyz'" and the like for syntax,
 *	or what fn wrote
 * RET 0, or -1 with errno (that of open/read, EINVAL for syntax and
 *	callback errors unless the callback set another)
 */
extern int tp_conf_file_read(const char *path, tp_conf_line_f fn, void *arg,
			     tp_error_t *err);

/*
 * Fill err (when not NULL) with "file:line: " and the message, and set
 * errno to EINVAL.
 * RET -1, for "return tp_conf_error(...);"
 */
extern int tp_conf_error(tp_error_t *err, const char *file, int line,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* RET the pair whose key is key (without case), or NULL. */
extern const tp_conf_pair_t *tp_conf_find(const tp_conf_pair_t *pairs,
					  int npairs, const char *key);

/*
 * Parse a decimal integer in [min, max]: digits only, no sign or blanks.
 * OUT out - the value, set on success only
 * RET 0, or -1 (EINVAL, ERANGE)
 */
extern int tp_conf_parse_int(const char *s, long min, long max, long *out);

/*
 * Parse a positive decimal ("400", "12.5"): digits, an optional fraction,
 * no sign, exponent or blanks; at most 1e9.
 * OUT out - the value, set on success only
 * RET 0, or -1 (EINVAL, ERANGE)
 */
extern int tp_conf_parse_positive(const char *s, double *out);

#endif /* _TOPOPACK_CONF_FILE_PRIVATE_H */
