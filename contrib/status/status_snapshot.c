/*****************************************************************************\
 *  status_snapshot.c - read the text snapshot of status_snapshot.h.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "status_snapshot.h"

#define MAX_WORDS 32

typedef struct {
	const char *path;
	int line;
	tp_error_t *err;
} _where_t;

static int _fail(const _where_t *w, const char *what, const char *arg)
{
	snprintf(w->err->text, sizeof(w->err->text), "%.120s:%d: %s%s%.60s%s",
		 w->path, w->line, what, arg ? " '" : "", arg ? arg : "",
		 arg ? "'" : "");
	errno = EINVAL;
	return -1;
}

static int _int(const _where_t *w, const char *key, const char *v, int *out)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (end == v || *end || errno || x < 0 || x > INT_MAX / 2)
		return _fail(w, key, v);
	*out = (int) x;
	return 0;
}

/* Split line into blank-separated words. RET their count, or -1. */
static int _words(char *line, char **word)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAX_WORDS)
			return -1;
		word[n++] = t;
	}
	return n;
}

/* "key=value": RET value if word has that key, else NULL. */
static const char *_is(const char *word, const char *key)
{
	size_t len = strlen(key);

	if (!strncmp(word, key, len) && word[len] == '=')
		return word + len + 1;
	return NULL;
}

static int _node(status_cluster_t *c, const _where_t *w, char **word,
		 int n)
{
	int used = 0, users = -1, cond = STATUS_NODE_UP, count, rc = -1;
	bool exclusive = false;
	char **names = NULL;
	const char *v;
	tp_error_t herr = { .text = "" };

	if (n < 2)
		return _fail(w, "node without a name", NULL);
	for (int i = 2; i < n; i++) {
		if ((v = _is(word[i], "gpus_used"))) {
			if (_int(w, "bad gpus_used", v, &used))
				return -1;
		} else if ((v = _is(word[i], "jobs"))) {
			if (_int(w, "bad jobs", v, &users))
				return -1;
		} else if ((v = _is(word[i], "state"))) {
			if (!strcmp(v, "up"))
				cond = STATUS_NODE_UP;
			else if (!strcmp(v, "down"))
				cond = STATUS_NODE_DOWN;
			else if (!strcmp(v, "drain"))
				cond = STATUS_NODE_DRAIN;
			else if (!strcmp(v, "reserved"))
				cond = STATUS_NODE_RESERVED;
			else
				return _fail(w, "state is up, down, drain or "
					     "reserved, not", v);
		} else if (!strcmp(word[i], "exclusive"))
			exclusive = true;
		else
			return _fail(w, "unknown node field", word[i]);
	}
	if (users < 0)
		users = (used > 0 || exclusive) ? 1 : 0;
	if ((count = tp_hostlist_expand(word[1], &names, &herr)) < 0)
		return errno == ENOMEM ? -1 : _fail(w, herr.text, NULL);
	for (int i = 0; i < count; i++) {
		int node = tp_fabric_node_index(c->fabric, names[i]);
		tp_error_t nerr = { .text = "" };

		if (node < 0) {
			_fail(w, "no such node in the topology:", names[i]);
			goto fini;
		}
		if (status_cluster_set_node(c, node, used, users, exclusive,
					    cond, &nerr)) {
			_fail(w, nerr.text, NULL);
			goto fini;
		}
	}
	rc = 0;
fini:
	tp_hostlist_free(names, count);
	return rc;
}

/* "8,8,4" into a malloc'd array. RET its length, or -1. */
static int _list(const _where_t *w, const char *v, int **out)
{
	int n = 1, i = 0;
	char *copy, *save = NULL, *t;

	for (const char *p = v; *p; p++)
		n += *p == ',';
	if (!(*out = malloc(n * sizeof(int))) || !(copy = strdup(v))) {
		free(*out);
		*out = NULL;
		return -1;
	}
	for (t = strtok_r(copy, ",", &save); t && i < n;
	     t = strtok_r(NULL, ",", &save)) {
		if (_int(w, "bad node_gpus", t, &(*out)[i++])) {
			i = -1;
			break;
		}
	}
	free(copy);
	if (i < 0) {
		free(*out);
		*out = NULL;
	}
	return i;
}

static int _job(status_cluster_t *c, const _where_t *w, char **word, int n)
{
	status_job_t j;
	bool have_state = false;
	const char *v;
	int rc = -1;

	memset(&j, 0, sizeof(j));
	if (n < 2)
		return _fail(w, "job without an id", NULL);
	j.id = word[1];
	for (int i = 2; i < n; i++) {
		if ((v = _is(word[i], "user")))
			j.user = (char *) v;
		else if ((v = _is(word[i], "name")))
			j.name = (char *) v;
		else if ((v = _is(word[i], "nodes")))
			j.nodes = (char *) v;
		else if ((v = _is(word[i], "gpus"))) {
			if (_int(w, "bad gpus", v, &j.gpus))
				goto fini;
		} else if ((v = _is(word[i], "nnodes"))) {
			if (_int(w, "bad nnodes", v, &j.nnodes))
				goto fini;
		} else if ((v = _is(word[i], "node_gpus"))) {
			free(j.node_gpus);
			if ((j.n_node_gpus = _list(w, v, &j.node_gpus)) < 0)
				goto fini;
		} else if ((v = _is(word[i], "state"))) {
			if (!strcmp(v, "R") || !strcmp(v, "RUNNING"))
				j.running = true;
			else if (!strcmp(v, "PD") || !strcmp(v, "PENDING"))
				j.running = false;
			else {
				_fail(w, "job state is R or PD, not", v);
				goto fini;
			}
			have_state = true;
		} else {
			_fail(w, "unknown job field", word[i]);
			goto fini;
		}
	}
	if (!have_state) {
		_fail(w, "job without state=R or state=PD", NULL);
		goto fini;
	}
	if (j.running && !j.nodes) {
		_fail(w, "running job without nodes=", NULL);
		goto fini;
	}
	rc = status_cluster_add_job(c, &j);
fini:
	free(j.node_gpus);
	return rc;
}

extern status_cluster_t *status_snapshot_read(FILE *f, const char *path,
					      tp_fabric_t *fabric,
					      tp_error_t *err)
{
	status_cluster_t *c = status_cluster_new(fabric);
	_where_t w = { .path = path, .line = 0, .err = err };
	char *line = NULL, *word[MAX_WORDS], *hash;
	size_t cap = 0;
	int n, rc = 0;

	if (!c) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		return NULL;
	}
	while (!rc && getline(&line, &cap, f) >= 0) {
		w.line++;
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		if ((n = _words(line, word)) < 0)
			rc = _fail(&w, "too many fields", NULL);
		else if (!n)
			continue;
		else if (!strcmp(word[0], "node"))
			rc = _node(c, &w, word, n);
		else if (!strcmp(word[0], "job"))
			rc = _job(c, &w, word, n);
		else
			rc = _fail(&w, "expected 'node' or 'job', not",
				   word[0]);
		if (rc && errno == ENOMEM)
			snprintf(err->text, sizeof(err->text),
				 "out of memory");
	}
	if (!rc && ferror(f))
		rc = _fail(&w, "read error", NULL);
	free(line);
	if (rc) {
		status_cluster_free(c);
		return NULL;
	}
	return c;
}
