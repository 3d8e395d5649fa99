/*****************************************************************************\
 *  conf_file.c - reader for Slurm-style configuration files.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE		/* getline, strcasecmp */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_file_private.h"

#define _TOKEN_MAX 64		/* longest token quoted in a message */
#define _GBPS_MAX  1e9

typedef struct {
	tp_conf_line_f fn;
	void *arg;
	tp_error_t *err;
	int depth;		/* Include nesting */
} reader_t;

/* A growable byte buffer. */
typedef struct {
	char *buf;
	size_t len;
	size_t alloc;
} buf_t;

static int _read_file(reader_t *r, const char *path, const char *from,
		      int from_line);

static bool _is_blank(char c)
{
	return isspace((unsigned char) c);
}

static int _nomem(tp_error_t *err)
{
	snprintf(err->text, sizeof(err->text), "out of memory");
	errno = ENOMEM;
	return -1;
}

extern int tp_conf_error(tp_error_t *err, const char *file, int line,
			 const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (err) {
		if (file)
			n = snprintf(err->text, sizeof(err->text), "%s:%d: ",
				     file, line);
		if ((n < 0) || ((size_t) n >= sizeof(err->text)))
			n = 0;
		va_start(ap, fmt);
		vsnprintf(err->text + n, sizeof(err->text) - n, fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return -1;
}

extern const tp_conf_pair_t *tp_conf_find(const tp_conf_pair_t *pairs,
					  int npairs, const char *key)
{
	for (int i = 0; i < npairs; i++)
		if (!strcasecmp(pairs[i].key, key))
			return &pairs[i];
	return NULL;
}

extern int tp_conf_parse_int(const char *s, long min, long max, long *out)
{
	long v = 0;

	if (!s || !*s) {
		errno = EINVAL;
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if ((*p < '0') || (*p > '9')) {
			errno = EINVAL;
			return -1;
		}
		if ((v > max / 10) ||
		    ((v == max / 10) && (*p - '0' > max % 10))) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + (*p - '0');
	}
	if (v < min) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

extern int tp_conf_parse_positive(const char *s, double *out)
{
	const char *p = s;
	double v;

	if (!s)
		goto bad;
	while ((*p >= '0') && (*p <= '9'))
		p++;
	if (p == s)
		goto bad;
	if (*p == '.') {
		const char *frac = ++p;

		while ((*p >= '0') && (*p <= '9'))
			p++;
		if (p == frac)
			goto bad;
	}
	if (*p)
		goto bad;
	v = strtod(s, NULL);
	if (!(v > 0) || (v > _GBPS_MAX) || !isfinite(v)) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

static int _buf_add(buf_t *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->alloc) {
		size_t n = b->alloc ? b->alloc : 256;
		char *tmp;

		while (b->len + len + 1 > n)
			n *= 2;
		if (!(tmp = realloc(b->buf, n)))
			return -1;
		b->buf = tmp;
		b->alloc = n;
	}
	memcpy(b->buf + b->len, s, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return 0;
}

/*
 * Cut a physical line at its comment ("#" after an even number of
 * backslashes) and drop its end of line.
 * RET the new length
 */
static size_t _strip_comment(char *s, size_t len)
{
	int bs = 0;

	while ((len > 0) && ((s[len - 1] == '\n') || (s[len - 1] == '\r')))
		len--;
	for (size_t i = 0; i < len; i++) {
		if ((s[i] == '#') && !(bs % 2))
			return i;
		bs = (s[i] == '\\') ? bs + 1 : 0;
	}
	return len;
}

/*
 * Look for an odd number of backslashes ending the line (blanks may
 * follow them); remove the last one and the blanks.
 * IN/OUT len - length of s
 * RET true when the line continues on the next one
 */
static bool _strip_continuation(const char *s, size_t *len)
{
	size_t i = *len, j;

	while ((i > 0) && _is_blank(s[i - 1]))
		i--;
	for (j = i; (j > 0) && (s[j - 1] == '\\'); j--)
		;
	if (!((i - j) % 2))
		return false;
	*len = i - 1;
	return true;
}

/* Copy the raw token at p (up to a blank) into a message. */
static int _token_len(const char *p, const char *end)
{
	const char *q = p;

	while ((q < end) && !_is_blank(*q))
		q++;
	return (q - p > _TOKEN_MAX) ? _TOKEN_MAX : (int) (q - p);
}

/*
 * Decode one unquoted run (up to a blank or stop) into out, removing
 * escapes. RET the new position.
 */
static const char *_decode(const char *p, const char *end, char stop,
			   char *out, size_t *o)
{
	while ((p < end) && !_is_blank(*p) && (*p != stop)) {
		if ((*p == '\\') && (p + 1 < end))
			p++;
		out[(*o)++] = *p++;
	}
	return p;
}

/* Handle "Include path". RET 0, or -1 with r->err. */
static int _include(reader_t *r, const char *file, int line, const char *p,
		    const char *end)
{
	char *path = NULL, *full = NULL;
	const char *slash;
	size_t o = 0;
	int rc = -1;

	while ((p < end) && _is_blank(*p))
		p++;
	if (!(path = malloc(end - p + 1)))
		return _nomem(r->err);
	p = _decode(p, end, '\0', path, &o);
	path[o] = '\0';
	while ((p < end) && _is_blank(*p))
		p++;
	if (!o || (p < end)) {
		tp_conf_error(r->err, file, line, "Include needs one path");
		goto fini;
	}
	if (r->depth >= TP_CONF_MAX_INCLUDE) {
		tp_conf_error(r->err, file, line,
			      "Include nested more than %d deep",
			      TP_CONF_MAX_INCLUDE);
		goto fini;
	}
	slash = strrchr(file, '/');
	if ((path[0] != '/') && slash) {
		size_t dir = slash - file + 1;

		if (!(full = malloc(dir + o + 1))) {
			_nomem(r->err);
			goto fini;
		}
		memcpy(full, file, dir);
		memcpy(full + dir, path, o + 1);
	}
	r->depth++;
	rc = _read_file(r, full ? full : path, file, line);
	r->depth--;
fini:
	free(path);
	free(full);
	return rc;
}

/*
 * Split a logical line into Key=Value pairs and hand them to the callback.
 * RET 0, or -1 with r->err
 */
static int _do_line(reader_t *r, const char *file, int line, const char *s,
		    size_t len)
{
	const char *p = s, *end = s + len;
	tp_conf_pair_t *pairs = NULL;
	int npairs = 0, alloc = 0, rc = -1;
	char *out;
	size_t o = 0;

	while ((p < end) && _is_blank(*p))
		p++;
	if (p == end)
		return 0;
	if ((end - p >= 7) && !strncasecmp(p, "include", 7) &&
	    ((end - p == 7) || _is_blank(p[7])))
		return _include(r, file, line, p + 7, end);

	/* Decoded keys and values, each NUL-terminated: never longer. */
	if (!(out = malloc(len + 2)))
		return _nomem(r->err);
	while (true) {
		const char *tok, *key, *value;

		while ((p < end) && _is_blank(*p))
			p++;
		if (p == end)
			break;
		tok = p;
		key = out + o;
		p = _decode(p, end, '=', out, &o);
		if ((p == end) || (*p != '=') || (out + o == key)) {
			const char *q = p;

			while ((q < end) && _is_blank(*q))
				q++;
			tp_conf_error(r->err, file, line,
				      "expected Key=Value, got '%.*s'%s",
				      _token_len(tok, end), tok,
				      ((q < end) && (*q == '=') && (q > p)) ?
				      " (no blanks around '=')" : "");
			goto fini;
		}
		out[o++] = '\0';
		value = out + o;
		p++;
		if ((p < end) && (*p == '"')) {
			for (p++; (p < end) && (*p != '"'); p++) {
				if ((*p == '\\') && (p + 1 < end))
					p++;
				out[o++] = *p;
			}
			if (p == end) {
				tp_conf_error(r->err, file, line,
					      "unterminated quote in the value of %s",
					      key);
				goto fini;
			}
			if ((++p < end) && !_is_blank(*p)) {
				tp_conf_error(r->err, file, line,
					      "expected a blank after the quoted value of %s",
					      key);
				goto fini;
			}
		} else {
			p = _decode(p, end, '\0', out, &o);
		}
		out[o++] = '\0';
		if (tp_conf_find(pairs, npairs, key)) {
			tp_conf_error(r->err, file, line,
				      "key '%s' given twice", key);
			goto fini;
		}
		if (npairs == alloc) {
			int n = alloc ? 2 * alloc : 8;
			tp_conf_pair_t *tmp = realloc(pairs, n * sizeof(*tmp));

			if (!tmp) {
				_nomem(r->err);
				goto fini;
			}
			pairs = tmp;
			alloc = n;
		}
		pairs[npairs].key = key;
		pairs[npairs++].value = value;
	}
	errno = 0;
	if ((rc = r->fn(r->arg, file, line, pairs, npairs, r->err)) &&
	    !errno)
		errno = EINVAL;
fini:
	free(pairs);
	free(out);
	return rc ? -1 : 0;
}

/*
 * Read one file.
 * IN from, from_line - the Include line that names it, or NULL
 */
static int _read_file(reader_t *r, const char *path, const char *from,
		      int from_line)
{
	buf_t logical = { 0 };
	char *phys = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, first = 0, rc = -1, e;
	bool cont = false;
	FILE *f;

	if (!(f = fopen(path, "r"))) {
		e = errno;
		if (from)
			tp_conf_error(r->err, from, from_line,
				      "Include %s: %s", path, strerror(e));
		else
			snprintf(r->err->text, sizeof(r->err->text),
				 "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (_buf_add(&logical, "", 0)) {
		_nomem(r->err);
		goto fini;
	}
	while ((n = getline(&phys, &cap, f)) >= 0) {
		size_t len;

		lineno++;
		/* A text file has no NUL byte; the parser below stops at
		 * one and would miscount what it decodes. */
		if (memchr(phys, '\0', n)) {
			tp_conf_error(r->err, path, lineno,
				      "NUL byte in the line (not a text file?)");
			errno = EINVAL;
			goto fini;
		}
		len = _strip_comment(phys, n);
		if (!cont) {
			first = lineno;
			logical.len = 0;
		}
		cont = _strip_continuation(phys, &len);
		if (_buf_add(&logical, phys, len)) {
			_nomem(r->err);
			goto fini;
		}
		if (cont)
			continue;
		if (_do_line(r, path, first, logical.buf, logical.len))
			goto fini;
	}
	if (ferror(f)) {
		e = errno;
		snprintf(r->err->text, sizeof(r->err->text), "%s: %s", path,
			 strerror(e));
		errno = e;
		goto fini;
	}
	/* A continuation on the last line ends the file's last line. */
	if (cont && _do_line(r, path, first, logical.buf, logical.len))
		goto fini;
	rc = 0;
fini:
	e = errno;
	free(phys);
	free(logical.buf);
	fclose(f);
	errno = e;
	return rc;
}

extern int tp_conf_file_read(const char *path, tp_conf_line_f fn, void *arg,
			     tp_error_t *err)
{
	tp_error_t local;
	reader_t r = { .fn = fn, .arg = arg, .err = err ? err : &local };

	if (!path || !fn) {
		snprintf(r.err->text, sizeof(r.err->text),
			 "no configuration file given");
		errno = EINVAL;
		return -1;
	}
	return _read_file(&r, path, NULL, 0);
}
