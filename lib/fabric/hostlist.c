/*****************************************************************************\
 *  hostlist.c - Slurm hostlist expressions, expanded and compressed.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topopack.h"

#define _MAX_DIGITS 18	/* every range bound fits an unsigned long long */
#define _QUOTE_MAX  64	/* longest text quoted in an error message */

typedef struct {
	unsigned long long lo;
	unsigned long long hi;
	int width;		/* digits of the low bound: zero padding */
} range_t;

typedef struct {
	size_t open;		/* offset of '[' in the item */
	size_t close;		/* offset of ']' in the item */
	range_t *ranges;
	int nranges;
	unsigned long long count;	/* names the group gives */
	int r;			/* cursor: current range ... */
	unsigned long long v;	/* ... and value in it */
} group_t;

typedef struct {
	char **names;
	int count;
	int alloc;
} names_t;

/* Growable string for tp_hostlist_compress(). */
typedef struct {
	char *buf;
	size_t len;
	size_t alloc;
} strbuf_t;

static bool _is_sep(char c)
{
	return (c == ',') || (c == ' ') || (c == '\t') || (c == '\n');
}

static bool _is_digit(char c)
{
	return (c >= '0') && (c <= '9');
}

/* Fill err (when given) and set errno to EINVAL. */
static void _fail(tp_error_t *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->text, sizeof(err->text), fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
}

static void _fail_nomem(tp_error_t *err)
{
	if (err)
		snprintf(err->text, sizeof(err->text), "out of memory");
	errno = ENOMEM;
}

/*
 * Quote len bytes of s for a message, cut to _QUOTE_MAX characters.
 * OUT buf - at least _QUOTE_MAX + 6 bytes
 */
static const char *_quote(char *buf, const char *s, size_t len)
{
	if (len > _QUOTE_MAX)
		snprintf(buf, _QUOTE_MAX + 6, "'%.*s...'", _QUOTE_MAX, s);
	else
		snprintf(buf, _QUOTE_MAX + 6, "'%.*s'", (int) len, s);
	return buf;
}

/*
 * Read a decimal number of at most _MAX_DIGITS digits from s[0..len).
 * RET 0, or -1 when s is empty, too long or not all digits.
 */
static int _parse_number(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;

	if ((len == 0) || (len > _MAX_DIGITS))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!_is_digit(s[i]))
			return -1;
		v = v * 10 + (unsigned long long) (s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * Parse the inside of one bracket group, s[0..len), "1-3,5,07-08".
 * IN item, item_len - the whole item, for messages
 * RET 0, or -1 with err
 */
static int _parse_group(const char *s, size_t len, const char *item,
			size_t item_len, group_t *g, tp_error_t *err)
{
	char q1[_QUOTE_MAX + 6], q2[_QUOTE_MAX + 6];
	size_t pos = 0;
	int alloc = 0;

	g->count = 0;
	while (true) {
		size_t end = pos, dash;
		range_t r;

		while ((end < len) && (s[end] != ','))
			end++;
		if (end == pos) {
			_fail(err, "empty range in %s",
			      _quote(q1, item, item_len));
			return -1;
		}
		for (dash = pos; (dash < end) && (s[dash] != '-'); dash++)
			;
		if (_parse_number(s + pos, dash - pos, &r.lo) ||
		    ((dash < end) &&
		     _parse_number(s + dash + 1, end - dash - 1, &r.hi))) {
			bool digits = true;

			for (size_t i = pos; i < end; i++)
				if (!_is_digit(s[i]) && (s[i] != '-'))
					digits = false;
			_fail(err, "%s range %s in %s",
			      digits ? "bad" : "non-numeric",
			      _quote(q2, s + pos, end - pos),
			      _quote(q1, item, item_len));
			return -1;
		}
		if (dash == end)
			r.hi = r.lo;
		r.width = (int) (dash - pos);
		if (r.lo > r.hi) {
			_fail(err, "reversed range %s in %s",
			      _quote(q2, s + pos, end - pos),
			      _quote(q1, item, item_len));
			return -1;
		}
		if ((r.hi - r.lo >= TP_HOSTLIST_MAX) ||
		    (g->count + (r.hi - r.lo + 1) > TP_HOSTLIST_MAX)) {
			_fail(err, "%s gives more than %d names",
			      _quote(q1, item, item_len), TP_HOSTLIST_MAX);
			return -1;
		}
		g->count += r.hi - r.lo + 1;
		if (g->nranges == alloc) {
			int n = alloc ? 2 * alloc : 4;
			range_t *tmp = realloc(g->ranges, n * sizeof(*tmp));

			if (!tmp) {
				_fail_nomem(err);
				return -1;
			}
			g->ranges = tmp;
			alloc = n;
		}
		g->ranges[g->nranges++] = r;
		if (end == len)
			return 0;
		pos = end + 1;
	}
}

static int _names_push(names_t *out, const char *name, tp_error_t *err)
{
	if (out->count == out->alloc) {
		int n = out->alloc ? 2 * out->alloc : 16;
		char **tmp = realloc(out->names, n * sizeof(*tmp));

		if (!tmp) {
			_fail_nomem(err);
			return -1;
		}
		out->names = tmp;
		out->alloc = n;
	}
	if (!(out->names[out->count] = strdup(name))) {
		_fail_nomem(err);
		return -1;
	}
	out->count++;
	return 0;
}

/*
 * Write the names of the item whose groups are g[0..ngroups) to out.
 */
static int _generate(const char *item, size_t len, group_t *g, int ngroups,
		     names_t *out, tp_error_t *err)
{
	size_t size = len + (size_t) ngroups * 24 + 1;
	char *name = malloc(size);
	int rc = -1;

	if (!name) {
		_fail_nomem(err);
		return -1;
	}
	for (int i = 0; i < ngroups; i++) {
		g[i].r = 0;
		g[i].v = g[i].ranges[0].lo;
	}
	while (true) {
		size_t pos = 0, from = 0;
		int i;

		for (i = 0; i < ngroups; i++) {
			range_t *r = &g[i].ranges[g[i].r];

			memcpy(name + pos, item + from, g[i].open - from);
			pos += g[i].open - from;
			pos += snprintf(name + pos, size - pos, "%0*llu",
					r->width, g[i].v);
			from = g[i].close + 1;
		}
		memcpy(name + pos, item + from, len - from);
		name[pos + len - from] = '\0';
		if (_names_push(out, name, err))
			goto fini;

		/* Advance the odometer, last group fastest. */
		for (i = ngroups - 1; i >= 0; i--) {
			if (g[i].v < g[i].ranges[g[i].r].hi) {
				g[i].v++;
				break;
			}
			if (g[i].r + 1 < g[i].nranges) {
				g[i].r++;
				g[i].v = g[i].ranges[g[i].r].lo;
				break;
			}
			g[i].r = 0;
			g[i].v = g[i].ranges[0].lo;
		}
		if (i < 0)
			break;
	}
	rc = 0;
fini:
	free(name);
	return rc;
}

/*
 * Expand one item, item[0..len), whose brackets are known to be balanced
 * and not nested, appending to out.
 * IN expr - the whole expression, for messages
 */
static int _expand_item(const char *item, size_t len, const char *expr,
			names_t *out, tp_error_t *err)
{
	char q[_QUOTE_MAX + 6];
	group_t *g = NULL;
	int ngroups = 0, rc = -1;
	unsigned long long total = 1;

	for (size_t i = 0; i < len; i++)
		if (item[i] == '[')
			ngroups++;
	if (ngroups && !(g = calloc(ngroups, sizeof(*g)))) {
		_fail_nomem(err);
		return -1;
	}
	ngroups = 0;
	for (size_t i = 0; i < len; i++) {
		size_t j;

		if (item[i] != '[')
			continue;
		for (j = i + 1; item[j] != ']'; j++)
			;
		g[ngroups].open = i;
		g[ngroups].close = j;
		if (_parse_group(item + i + 1, j - i - 1, item, len,
				 &g[ngroups++], err))
			goto fini;
		total *= g[ngroups - 1].count;
		if (total > TP_HOSTLIST_MAX)
			break;
		i = j;
	}
	if (total + (unsigned long long) out->count > TP_HOSTLIST_MAX) {
		_fail(err, "%s gives more than %d names",
		      _quote(q, expr, strlen(expr)), TP_HOSTLIST_MAX);
		goto fini;
	}
	rc = _generate(item, len, g, ngroups, out, err);
fini:
	for (int i = 0; i < ngroups; i++)
		free(g[i].ranges);
	free(g);
	return rc;
}

extern int tp_hostlist_expand(const char *expr, char ***names,
			      tp_error_t *err)
{
	char q[_QUOTE_MAX + 6];
	names_t out = { 0 };
	size_t start = 0, pos;
	int depth = 0;

	if (!expr || !names) {
		_fail(err, "no hostlist given");
		return -1;
	}
	for (pos = 0; ; pos++) {
		char c = expr[pos];

		if ((c == '\0') || (_is_sep(c) && !depth)) {
			if (depth) {
				_fail(err, "unbalanced brackets in %s",
				      _quote(q, expr + start, pos - start));
				goto fail;
			}
			if ((pos > start) &&
			    _expand_item(expr + start, pos - start, expr,
					 &out, err))
				goto fail;
			if (c == '\0')
				break;
			start = pos + 1;
		} else if (c == '[') {
			if (depth) {
				_fail(err, "nested brackets in %s",
				      _quote(q, expr + start,
					     strlen(expr + start)));
				goto fail;
			}
			depth = 1;
		} else if (c == ']') {
			if (!depth) {
				size_t end = pos;

				while (expr[end] && !_is_sep(expr[end]))
					end++;
				_fail(err, "unbalanced brackets in %s",
				      _quote(q, expr + start, end - start));
				goto fail;
			}
			depth = 0;
		}
	}
	if (!out.count) {
		_fail(err, "empty hostlist %s", _quote(q, expr, strlen(expr)));
		goto fail;
	}
	*names = out.names;
	return out.count;

fail:
	tp_hostlist_free(out.names, out.count);
	return -1;
}

extern void tp_hostlist_free(char **names, int n)
{
	if (!names)
		return;
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*****************************************************************************\
 *  Compression
\*****************************************************************************/

static int _sb_add(strbuf_t *sb, const char *s, size_t len)
{
	if (sb->len + len + 1 > sb->alloc) {
		size_t n = sb->alloc ? sb->alloc : 64;
		char *tmp;

		while (sb->len + len + 1 > n)
			n *= 2;
		if (!(tmp = realloc(sb->buf, n)))
			return -1;
		sb->buf = tmp;
		sb->alloc = n;
	}
	memcpy(sb->buf + sb->len, s, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

static int _sb_num(strbuf_t *sb, unsigned long long v, int width)
{
	char num[32];
	int len = snprintf(num, sizeof(num), "%0*llu", width, v);

	return _sb_add(sb, num, len);
}

/* A name seen as prefix + numeric suffix. */
typedef struct {
	const char *name;
	size_t plen;		/* prefix length */
	int width;		/* suffix digits, 0: no suffix */
	bool padded;		/* suffix has a leading zero */
	unsigned long long v;	/* suffix value */
} split_t;

static void _split(const char *name, split_t *s)
{
	size_t len = strlen(name), p = len;

	while ((p > 0) && _is_digit(name[p - 1]) && (len - p < _MAX_DIGITS))
		p--;
	s->name = name;
	s->plen = p;
	s->width = (int) (len - p);
	s->padded = (s->width > 1) && (name[p] == '0');
	s->v = 0;
	for (size_t i = p; i < len; i++)
		s->v = s->v * 10 + (unsigned long long) (name[i] - '0');
}

/* RET true when b may share a bracket with a, the name before it. */
static bool _same_group(const split_t *a, const split_t *b)
{
	if (!a->width || !b->width || (a->plen != b->plen) ||
	    strncmp(a->name, b->name, a->plen))
		return false;
	return (a->width == b->width) || (!a->padded && !b->padded);
}

/* RET true when b, printed with the width of lo, reads as b's suffix. */
static bool _extends(const split_t *lo, const split_t *hi, const split_t *b)
{
	if (b->v != hi->v + 1)
		return false;
	if (b->width == lo->width)
		return true;
	/* A wider unpadded number prints the same at a smaller width. */
	return !lo->padded && !b->padded && (b->width > lo->width);
}

extern char *tp_hostlist_compress(char *const *names, int n)
{
	strbuf_t sb = { 0 };
	int i = 0;

	if ((n < 0) || (n && !names)) {
		errno = EINVAL;
		return NULL;
	}
	if (_sb_add(&sb, "", 0))
		goto nomem;
	while (i < n) {
		split_t first, prev, cur;
		int end = i + 1;

		if (!names[i]) {
			free(sb.buf);
			errno = EINVAL;
			return NULL;
		}
		if (i && _sb_add(&sb, ",", 1))
			goto nomem;
		_split(names[i], &first);
		prev = first;
		while (end < n && names[end]) {
			_split(names[end], &cur);
			if (!_same_group(&prev, &cur))
				break;
			prev = cur;
			end++;
		}
		if (end == i + 1) {
			if (_sb_add(&sb, names[i], strlen(names[i])))
				goto nomem;
			i++;
			continue;
		}

		/* names[i..end) share the prefix: one bracket. */
		if (_sb_add(&sb, names[i], first.plen) || _sb_add(&sb, "[", 1))
			goto nomem;
		while (i < end) {
			split_t lo, hi;

			_split(names[i], &lo);
			hi = lo;
			for (i++; i < end; i++) {
				_split(names[i], &cur);
				if (!_extends(&lo, &hi, &cur))
					break;
				hi = cur;
			}
			if (_sb_num(&sb, lo.v, lo.width))
				goto nomem;
			if ((hi.v != lo.v) &&
			    (_sb_add(&sb, "-", 1) ||
			     _sb_num(&sb, hi.v, lo.width)))
				goto nomem;
			if (_sb_add(&sb, (i < end) ? "," : "]", 1))
				goto nomem;
		}
	}
	return sb.buf;

nomem:
	free(sb.buf);
	errno = ENOMEM;
	return NULL;
}
