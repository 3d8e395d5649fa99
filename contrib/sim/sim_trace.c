/*****************************************************************************\
 *  sim_trace.c - read job traces: the Standard Workload Format of the
 *  Parallel Workloads Archive, and a plain CSV of GPU jobs.
 *
 *  Both may be gzip-compressed (zlib reads plain files as they are). A
 *  record that asks for no GPU or has no run time is counted as invalid
 *  and left out; a line that cannot be read at all stops the reading with
 *  its file and line, as a Slurm configuration error would.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sim.h"

#define LINE_MAX_CHARS 4096
#define SWF_FIELDS 18

/* CSV columns the replay uses; -1 when the file has no such column. */
enum { COL_ID, COL_SUBMIT, COL_DURATION, COL_GPUS, COL_NODES, COL_PRIO,
       COL_COUNT };

static const char *_col_name[COL_COUNT] = {
	"job_id", "submit_s", "duration_s", "num_gpus", "num_nodes",
	"priority",
};

typedef struct {
	const char *path;
	int line;
	long max_jobs;
	sim_trace_t *trace;
	tp_error_t *err;
	int col[COL_COUNT];
	bool have_header;
} _reader_t;

static int _fail(_reader_t *r, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err->text, sizeof(r->err->text), "%s:%d: ",
			 r->path, r->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t) n < sizeof(r->err->text))
		vsnprintf(r->err->text + n, sizeof(r->err->text) - n, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

static int _push(_reader_t *r, const sim_job_t *job)
{
	sim_trace_t *t = r->trace;

	if (t->count == t->cap) {
		int cap = t->cap ? 2 * t->cap : 1024;
		sim_job_t *j = realloc(t->job, sizeof(*j) * cap);

		if (!j) {
			snprintf(r->err->text, sizeof(r->err->text),
				 "%s: out of memory", r->path);
			return -1;
		}
		t->job = j;
		t->cap = cap;
	}
	t->job[t->count++] = *job;
	return 0;
}

/* Keep a record, or count it as invalid when it cannot run. */
static int _record(_reader_t *r, sim_job_t *job)
{
	r->trace->records++;
	if (job->gpus <= 0 || job->duration < 0 || job->submit < 0 ||
	    job->nodes < 0) {
		r->trace->invalid++;
		return 0;
	}
	job->line = r->line;
	return _push(r, job);
}

static bool _number(const char *text, double *out)
{
	char *end;

	while (isspace((unsigned char) *text))
		text++;
	if (!*text)
		return false;
	errno = 0;
	*out = strtod(text, &end);
	while (isspace((unsigned char) *end))
		end++;
	/* strtod takes "nan" and "inf": no time or count is either. */
	return !*end && !errno && isfinite(*out);
}

/* A job id: whole, and within a long (2^63 is the first double past
 * LONG_MAX). */
static bool _id(double v, long *out)
{
	if (!(v >= (double) LONG_MIN && v < 9223372036854775808.0) ||
	    v != (double) (long) v)
		return false;
	*out = (long) v;
	return true;
}

static bool _int(double v, int *out)
{
	if (v < INT_MIN || v > INT_MAX || v != (double) (long) v)
		return false;
	*out = (int) v;
	return true;
}

/*****************************************************************************\
 *  Standard Workload Format
\*****************************************************************************/

/* Fields: 1 job, 2 submit, 4 run time, 5 allocated processors, 8 requested
 * processors; -1 is "unknown". */
static int _swf_line(_reader_t *r, char *line)
{
	double f[SWF_FIELDS];
	int n = 0, procs;
	char *save = NULL, *tok;
	sim_job_t job = { 0 };

	for (tok = strtok_r(line, " \t\r\n", &save); tok && n < SWF_FIELDS;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (!_number(tok, &f[n]))
			return _fail(r, "field %d is not a number: \"%s\"",
				     n + 1, tok);
		n++;
	}
	if (n == 0)
		return 0;
	if (n < 8)
		return _fail(r, "%d fields, a Standard Workload Format record has %d",
			     n, SWF_FIELDS);
	if (!_id(f[0], &job.id))
		return _fail(r, "job number out of range");
	job.submit = f[1];
	job.duration = f[3];
	if (!_int(f[4] > 0 ? f[4] : f[7], &procs))
		return _fail(r, "processor count out of range");
	job.gpus = procs;
	return _record(r, &job);
}

/*****************************************************************************\
 *  CSV
\*****************************************************************************/

static char *_trim(char *s)
{
	char *e;

	while (isspace((unsigned char) *s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char) e[-1]))
		*--e = '\0';
	return s;
}

static int _split(char *line, char **field, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		field[n++] = _trim(p);
		if (!comma)
			break;
		p = comma + 1;
	}
	return n;
}

static int _csv_header(_reader_t *r, char **field, int n)
{
	for (int c = 0; c < COL_COUNT; c++)
		r->col[c] = -1;
	for (int i = 0; i < n; i++)
		for (int c = 0; c < COL_COUNT; c++)
			if (!strcasecmp(field[i], _col_name[c]))
				r->col[c] = i;
	for (int c = COL_SUBMIT; c <= COL_GPUS; c++)
		if (r->col[c] < 0)
			return _fail(r, "header has no column %s",
				     _col_name[c]);
	r->have_header = true;
	return 0;
}

static int _csv_value(_reader_t *r, char **field, int n, int c, double def,
		      double *out)
{
	int i = r->col[c];

	*out = def;
	if (i < 0 || i >= n || !*field[i])
		return 0;
	if (!_number(field[i], out))
		return _fail(r, "%s is not a number: \"%s\"", _col_name[c],
			     field[i]);
	return 0;
}

static int _csv_line(_reader_t *r, char *line)
{
	char *field[64];
	int n;
	double v[COL_COUNT];
	sim_job_t job = { 0 };
	char *s = _trim(line);
	double first;

	if (!*s || *s == '#')
		return 0;
	n = _split(s, field, 64);
	if (!r->have_header) {
		if (!_number(field[0], &first) && r->trace->records == 0)
			return _csv_header(r, field, n);
		/* No header: the columns in their documented order. */
		for (int c = 0; c < COL_COUNT; c++)
			r->col[c] = c;
		r->have_header = true;
	}
	if (n < 4)
		return _fail(r, "%d fields, expected job_id,submit_s,duration_s,num_gpus[,num_nodes[,priority]]",
			     n);
	for (int c = 0; c < COL_COUNT; c++)
		if (_csv_value(r, field, n, c, c == COL_ID ?
			       (double) r->trace->records : 0, &v[c]))
			return -1;
	if (!_id(v[COL_ID], &job.id))
		return _fail(r, "job_id must be a whole number");
	job.submit = v[COL_SUBMIT];
	job.duration = v[COL_DURATION];
	if (!_int(v[COL_GPUS], &job.gpus) || !_int(v[COL_NODES], &job.nodes) ||
	    !_int(v[COL_PRIO], &job.priority))
		return _fail(r, "num_gpus, num_nodes and priority must be whole numbers");
	return _record(r, &job);
}

/*****************************************************************************\
 *  Files
\*****************************************************************************/

static bool _ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcasecmp(s + ls - lx, suffix);
}

/* SWF by its name, else CSV by its name, else by whether lines have commas. */
static bool _is_swf(const char *path, const char *first_line)
{
	if (_ends_with(path, ".swf") || _ends_with(path, ".swf.gz"))
		return true;
	if (_ends_with(path, ".csv") || _ends_with(path, ".csv.gz"))
		return false;
	return first_line && !strchr(first_line, ',');
}

static int _cmp_submit(const void *a, const void *b)
{
	const sim_job_t *x = a, *y = b;

	if (x->submit != y->submit)
		return x->submit < y->submit ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

extern int sim_trace_read(const char *path, long max_jobs, sim_trace_t *trace,
			  tp_error_t *err)
{
	_reader_t r = { .path = path, .max_jobs = max_jobs, .trace = trace,
			.err = err };
	char line[LINE_MAX_CHARS];
	int known = -1;		/* 1 SWF, 0 CSV, -1 not yet */
	int rc = 0;
	gzFile f;

	memset(trace, 0, sizeof(*trace));
	f = gzopen(path, "rb");
	if (!f) {
		snprintf(err->text, sizeof(err->text), "%s: %s", path,
			 strerror(errno ? errno : ENOENT));
		return -1;
	}
	while (!rc && gzgets(f, line, sizeof(line))) {
		size_t len = strlen(line);

		r.line++;
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			rc = _fail(&r, "line longer than %d characters",
				   LINE_MAX_CHARS - 2);
			break;
		}
		if (line[0] == ';')	/* SWF header comment */
			continue;
		if (known < 0 && _trim(line)[0])
			known = _is_swf(path, line);
		if (known == 1)
			rc = _swf_line(&r, line);
		else if (known == 0)
			rc = _csv_line(&r, line);
		if (max_jobs > 0 && trace->records >= max_jobs)
			break;
	}
	if (!rc && !gzeof(f) && !(max_jobs > 0 && trace->records >= max_jobs)) {
		int zerr;

		r.line++;
		rc = _fail(&r, "read error: %s", gzerror(f, &zerr));
	}
	gzclose(f);
	if (rc) {
		sim_trace_free(trace);
		return -1;
	}
	if (trace->records == 0) {
		snprintf(err->text, sizeof(err->text), "%s: no job records",
			 path);
		sim_trace_free(trace);
		errno = EINVAL;
		return -1;
	}
	if (trace->count)	/* every record invalid: no array at all */
		qsort(trace->job, trace->count, sizeof(sim_job_t),
		      _cmp_submit);
	return 0;
}

extern void sim_trace_free(sim_trace_t *trace)
{
	if (!trace)
		return;
	free(trace->job);
	memset(trace, 0, sizeof(*trace));
}
