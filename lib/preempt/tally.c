/*****************************************************************************\
 *  tally.c - the preemption counters slurmctld keeps in its
 *  StateSaveLocation and topopack-status exports: read, add, and written
 *  atomically so that a scrape or a crash never sees half a file.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "topopack.h"

#define TALLY_VERSION 1

/* The keys, in the order they are written. */
static const char *_key[] = {
	"preemptions",
	"preempted_jobs",
	"lost_gpu_seconds",
};
#define NKEYS (sizeof(_key) / sizeof(_key[0]))

static uint64_t *_field(tp_preempt_tally_t *t, size_t k)
{
	uint64_t *f[NKEYS] = { &t->preemptions, &t->preempted_jobs,
			       &t->lost_gpu_seconds };

	return f[k];
}

__attribute__((format(printf, 3, 4)))
static int _fail(tp_error_t *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	errno = errnum;
	return -1;
}

/* Whole decimal number, digits only, no overflow. */
static int _number(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' ||
		    n > (UINT64_MAX - (uint64_t) (*s - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t) (*s - '0');
	}
	*v = n;
	return 0;
}

/* One line, newline stripped, split at its single space. */
static int _line(char *buf, char **key, char **value)
{
	char *sp;

	buf[strcspn(buf, "\n")] = '\0';
	if (!(sp = strchr(buf, ' ')) || strchr(sp + 1, ' '))
		return -1;
	*sp = '\0';
	*key = buf;
	*value = sp + 1;
	return 0;
}

extern int tp_preempt_tally_read(const char *path, tp_preempt_tally_t *t,
				 tp_error_t *err)
{
	tp_preempt_tally_t in;
	bool seen[NKEYS] = { false };
	char buf[128], *key, *value;
	uint64_t v;
	int line = 0, rc = -1;
	FILE *f;

	if (!(f = fopen(path, "r"))) {
		if (errno == ENOENT) {
			memset(t, 0, sizeof(*t));
			return 0;
		}
		return _fail(err, errno, "%s: %s", path, strerror(errno));
	}
	memset(&in, 0, sizeof(in));
	while (fgets(buf, sizeof(buf), f)) {
		size_t k;

		line++;
		if (_line(buf, &key, &value) || _number(value, &v)) {
			_fail(err, EINVAL, "%s:%d: not a line of the form "
			      "\"KEY NUMBER\"", path, line);
			goto fini;
		}
		if (line == 1) {
			if (strcmp(key, TP_PREEMPT_TALLY_FILE) ||
			    v != TALLY_VERSION) {
				_fail(err, EINVAL, "%s:%d: not a "
				      TP_PREEMPT_TALLY_FILE " file of version "
				      "%d", path, line, TALLY_VERSION);
				goto fini;
			}
			continue;
		}
		for (k = 0; k < NKEYS && strcmp(key, _key[k]); k++)
			;
		if (k == NKEYS || seen[k]) {
			_fail(err, EINVAL, k == NKEYS ? "%s:%d: unknown key %s"
			      : "%s:%d: %s given twice", path, line, key);
			goto fini;
		}
		seen[k] = true;
		*_field(&in, k) = v;
	}
	if (ferror(f)) {
		_fail(err, EIO, "%s: read error", path);
		goto fini;
	}
	for (size_t k = 0; k < NKEYS; k++) {
		if (!seen[k]) {
			_fail(err, EINVAL, "%s:%d: no %s line", path, line,
			      _key[k]);
			goto fini;
		}
	}
	*t = in;
	rc = 0;
fini:
	fclose(f);
	return rc;
}

extern int tp_preempt_tally_write(const char *path,
				  const tp_preempt_tally_t *t,
				  tp_error_t *err)
{
	tp_preempt_tally_t copy = *t;
	char *tmp = malloc(strlen(path) + sizeof(".new"));
	int fd = -1, rc = -1, e;
	FILE *f = NULL;

	if (!tmp)
		return _fail(err, ENOMEM, "%s: out of memory", path);
	strcpy(tmp, path);
	strcat(tmp, ".new");
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		       0644)) < 0 || !(f = fdopen(fd, "w")))
		goto fail;
	fd = -1;
	fprintf(f, "%s %d\n", TP_PREEMPT_TALLY_FILE, TALLY_VERSION);
	for (size_t k = 0; k < NKEYS; k++)
		fprintf(f, "%s %" PRIu64 "\n", _key[k], *_field(&copy, k));
	if (fflush(f) || fsync(fileno(f)))
		goto fail;
	e = fclose(f);
	f = NULL;
	if (e || rename(tmp, path))
		goto fail;
	rc = 0;
	goto fini;
fail:
	e = errno;
	_fail(err, e, "%s: %s", tmp, strerror(e));
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
fini:
	free(tmp);
	return rc;
}

extern void tp_preempt_tally_add(tp_preempt_tally_t *t, int jobs,
				 double lost_gpu_seconds)
{
	t->preemptions++;
	t->preempted_jobs += jobs > 0 ? (uint64_t) jobs : 0;
	/* Rounded as the log line's %.0f rounds it (to nearest, ties to
	 * even), so that the counter is the sum of the figures logged. */
	if (lost_gpu_seconds > 0)
		t->lost_gpu_seconds += (uint64_t) rint(lost_gpu_seconds);
}
