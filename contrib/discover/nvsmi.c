/*****************************************************************************\
 *  nvsmi.c - read "nvidia-smi -q": each GPU's bus id and Fabric section.
 *
 *  The format: a header (Timestamp, Driver Version, "Attached GPUs : N"),
 *  then one section per GPU opened by an unindented "GPU <bus id>" line;
 *  inside it "Key : Value" lines and sub-sections ("Key" alone), nested
 *  by indentation of four spaces. Of the GPU's direct sub-sections only
 *  "Fabric" matters here, and of its fields State, Status, CliqueId and
 *  ClusterUUID; its "Health" sub-section and every other line are
 *  skipped, so fields a newer driver adds do not break the reader.
 *
 *  nvidia-smi writes a value it does not have as "N/A", "Not Supported"
 *  or "[Unknown Error]": a CliqueId or ClusterUUID value with no digit in
 *  it is read as none; any other value that is not a number (CliqueId) or
 *  a UUID (ClusterUUID) is an error, since grouping nodes by a value read
 *  wrong would join nodes that share no NVLink.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nvsmi.h"

/* The Fabric fields, as bits of reader_t.seen. */
enum {
	F_STATE,
	F_STATUS,
	F_CLIQUE,
	F_CLUSTER,
	F_COUNT
};

static const char *const _field[F_COUNT] = {
	"State", "Status", "CliqueId", "ClusterUUID"
};

typedef struct {
	nvsmi_t *smi;
	int cap;
	const char *name;
	int line;
	tp_error_t *err;
	int child_indent;	/* of the current GPU's fields; -1 unknown */
	int fabric_indent;	/* of the open Fabric line; -1 none open */
	int field_indent;	/* of its fields; -1 unknown */
	int fabric_at;		/* line of the current GPU's Fabric line */
	int seen_at[F_COUNT];	/* line of each field of the open section */
} reader_t;

static int _fail(reader_t *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int _fail(reader_t *r, const char *fmt, ...)
{
	char text[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(r->err->text, sizeof(r->err->text), "%s:%d: %s", r->name,
		 r->line, text);
	errno = EINVAL;
	return -1;
}

/* Copy at most n bytes of s, cut to fit, control characters made '?':
 * values end up on a terminal and in JSON. */
static void _copyn(char *dst, size_t len, const char *s, size_t n)
{
	size_t i;

	for (i = 0; s[i] && (i < n) && (i + 1 < len); i++)
		dst[i] = ((unsigned char) s[i] < 0x20 ||
			  (unsigned char) s[i] == 0x7f) ? '?' : s[i];
	dst[i] = '\0';
}

static void _copy(char *dst, size_t len, const char *s)
{
	_copyn(dst, len, s, len);
}

static bool _has_digit(const char *s)
{
	for (; *s; s++)
		if (isdigit((unsigned char) *s))
			return true;
	return false;
}

/* n hex digits at s. */
static bool _hex(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isxdigit((unsigned char) s[i]))
			return false;
	return true;
}

/* "DDDDDDDD:BB:DD.F", or the older four-digit domain "DDDD:BB:DD.F". */
static bool _busid_ok(const char *s)
{
	size_t len = strlen(s), dom = len - 8;

	if ((len != 16) && (len != 12))
		return false;
	return _hex(s, dom) && s[dom] == ':' && _hex(s + dom + 1, 2) &&
		s[dom + 3] == ':' && _hex(s + dom + 4, 2) &&
		s[dom + 6] == '.' && _hex(s + dom + 7, 1);
}

/* 8-4-4-4-12 hex digits. */
static bool _uuid_ok(const char *s)
{
	static const int group[] = { 8, 4, 4, 4, 12 };

	for (int g = 0; g < 5; g++) {
		if (!_hex(s, group[g]))
			return false;
		s += group[g];
		if (*s != ((g < 4) ? '-' : '\0'))
			return false;
		if (g < 4)
			s++;
	}
	return true;
}

static int _gpu(reader_t *r, const char *busid)
{
	nvsmi_t *smi = r->smi;
	nvsmi_gpu_t *g;

	if (!_busid_ok(busid))
		return _fail(r, "bad GPU bus id \"%.40s\"", busid);
	for (int i = 0; i < smi->count; i++)
		if (!strcasecmp(smi->gpu[i].busid, busid))
			return _fail(r, "GPU %s listed twice (first on line %d)",
				     busid, smi->gpu[i].line);
	if (smi->count == NVSMI_GPUS_MAX)
		return _fail(r, "more than %d GPU sections", NVSMI_GPUS_MAX);
	if (smi->count == r->cap) {
		int cap = r->cap ? 2 * r->cap : 8;
		nvsmi_gpu_t *p = realloc(smi->gpu, cap * sizeof(*p));

		if (!p) {
			_fail(r, "out of memory");
			errno = ENOMEM;
			return -1;
		}
		smi->gpu = p;
		r->cap = cap;
	}
	g = &smi->gpu[smi->count++];
	memset(g, 0, sizeof(*g));
	_copy(g->busid, sizeof(g->busid), busid);
	g->line = r->line;
	r->child_indent = -1;
	r->fabric_indent = -1;
	r->fabric_at = 0;
	return 0;
}

/* One "Key : Value" line of the open Fabric section. */
static int _field_line(reader_t *r, const char *key, const char *value)
{
	nvsmi_gpu_t *g = &r->smi->gpu[r->smi->count - 1];
	int f;

	for (f = 0; f < F_COUNT; f++)
		if (!strcmp(key, _field[f]))
			break;
	if ((f == F_COUNT) || !value)
		return 0;	/* a field or section not needed */
	if (r->seen_at[f])
		return _fail(r, "%s given twice in the Fabric section of GPU %s (first on line %d)",
			     _field[f], g->busid, r->seen_at[f]);
	r->seen_at[f] = r->line;
	switch (f) {
	case F_STATE:
		_copy(g->state, sizeof(g->state), value);
		g->fabric = value[0] && strcmp(value, "N/A") &&
			strcmp(value, "Not Supported");
		g->fabric_line = r->line;
		break;
	case F_STATUS:
		_copy(g->status, sizeof(g->status), value);
		break;
	case F_CLIQUE: {
		char *end;
		unsigned long v;

		if (!_has_digit(value))
			break;
		errno = 0;
		v = strtoul(value, &end, 10);
		if (!isdigit((unsigned char) value[0]) || *end || errno ||
		    (v > 0xffffffffUL))
			return _fail(r, "CliqueId \"%.40s\" is not a clique number",
				     value);
		g->clique = v;
		g->has_clique = true;
		break;
	}
	case F_CLUSTER:
		if (!_has_digit(value))
			break;
		if (!_uuid_ok(value))
			return _fail(r, "ClusterUUID \"%.40s\" is not a UUID",
				     value);
		for (int i = 0; i < 36; i++)
			g->cluster[i] = tolower((unsigned char) value[i]);
		g->cluster[36] = '\0';
		break;
	}
	return 0;
}

/* Strip the line's end; split "Key : Value" (value NULL for a section
 * line); RET its indentation, or -1 for a blank line. */
static int _split(char *buf, char **key, char **value)
{
	char *p = buf, *end, *colon;
	int indent = 0;

	end = buf + strlen(buf);
	while ((end > buf) && isspace((unsigned char) end[-1]))
		*--end = '\0';
	while ((*p == ' ') || (*p == '\t')) {
		p++;
		indent++;
	}
	if (!*p)
		return -1;
	*key = p;
	*value = NULL;
	if ((colon = strchr(p, ':'))) {
		char *k = colon;

		while ((k > p) && isspace((unsigned char) k[-1]))
			k--;
		*k = '\0';
		p = colon + 1;
		while (isspace((unsigned char) *p))
			p++;
		*value = p;
	}
	return indent;
}

static int _line(reader_t *r, char *buf)
{
	nvsmi_t *smi = r->smi;
	char *key, *value, *p = buf;
	int indent;

	/* The GPU line carries its bus id, colons included, and no " : ". */
	if (!strncmp(buf, "GPU ", 4) && !strstr(buf, " : ")) {
		for (p = buf + 4; *p == ' '; p++)
			;
		p[strcspn(p, " \t\r\n")] = '\0';
		return _gpu(r, p);
	}
	if ((indent = _split(buf, &key, &value)) < 0)
		return 0;
	if (r->fabric_indent >= 0) {
		if (indent > r->fabric_indent) {
			if (r->field_indent < 0)
				r->field_indent = indent;
			if (indent == r->field_indent)
				return _field_line(r, key, value);
			return 0;	/* Health and what is below */
		}
		r->fabric_indent = -1;
	}
	if (!indent && !strcmp(key, "Attached GPUs") && value) {
		char *end;
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (!isdigit((unsigned char) value[0]) || *end || errno ||
		    (v > NVSMI_GPUS_MAX))
			return _fail(r, "Attached GPUs \"%.40s\" is not a GPU count",
				     value);
		smi->attached = (int) v;
		return 0;
	}
	if (!indent)
		return 0;
	if (smi->count && (r->child_indent < 0))
		r->child_indent = indent;
	if (strcmp(key, "Fabric") || value)
		return 0;
	if (!smi->count)
		return _fail(r, "a Fabric section outside any GPU section");
	if (indent != r->child_indent)
		return 0;	/* a Fabric inside some other section */
	if (r->fabric_at)
		return _fail(r, "a second Fabric section for GPU %s (first on line %d)",
			     smi->gpu[smi->count - 1].busid, r->fabric_at);
	r->fabric_at = r->line;
	r->fabric_indent = indent;
	r->field_indent = -1;
	memset(r->seen_at, 0, sizeof(r->seen_at));
	return 0;
}

extern nvsmi_t *nvsmi_read(FILE *f, const char *name, tp_error_t *err)
{
	reader_t r = {
		.name = name, .err = err, .child_indent = -1,
		.fabric_indent = -1, .field_indent = -1,
	};
	char *buf = NULL;
	size_t len = 0;

	if (!(r.smi = calloc(1, sizeof(*r.smi)))) {
		snprintf(err->text, sizeof(err->text), "%s: out of memory",
			 name);
		errno = ENOMEM;
		return NULL;
	}
	r.smi->attached = -1;
	r.smi->blank = true;
	while (getline(&buf, &len, f) >= 0) {
		const char *p = buf;

		r.line++;
		/* A NUL byte is no part of nvidia-smi's text: the rest of the
		 * line after it is dropped, as C strings do. */
		while (isspace((unsigned char) *p))
			p++;
		if (r.smi->blank && *p) {
			r.smi->blank = false;
			_copyn(r.smi->first, sizeof(r.smi->first), p,
			       strcspn(p, "\r\n"));
		}
		if (_line(&r, buf))
			goto fail;
	}
	free(buf);
	return r.smi;
fail:
	free(buf);
	nvsmi_free(r.smi);
	return NULL;
}

extern void nvsmi_free(nvsmi_t *smi)
{
	if (!smi)
		return;
	free(smi->gpu);
	free(smi);
}

extern bool nvsmi_multinode(const nvsmi_gpu_t *gpu)
{
	if (!gpu->fabric || nvsmi_fabric_failed(gpu) || !gpu->cluster[0] ||
	    !gpu->has_clique)
		return false;
	for (const char *c = gpu->cluster; *c; c++)
		if ((*c != '0') && (*c != '-'))
			return true;
	return false;
}

extern bool nvsmi_fabric_failed(const nvsmi_gpu_t *gpu)
{
	return gpu->fabric && (strcmp(gpu->state, "Completed") ||
			       strcmp(gpu->status, "Success"));
}
