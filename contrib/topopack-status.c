/*****************************************************************************\
 *  topopack-status.c - what admins see: free GPUs per leaf and NVLink
 *  domain, free slots by job shape, fragmentation, badly placed running
 *  jobs, and where a job of a given shape would start now.
 *
 *  topopack-status [--topology FILE [--topopack FILE] --snapshot FILE]
 *	[--state FILE] [--json | --prometheus | --listen ADDR:PORT]
 *	[--svg FILE] [--html FILE] [--job ID] [--shape SHAPE] [--policy NAME]
 *  Without --snapshot, the live cluster is read through libslurm (when
 *  built with it). The figures are computed in contrib/status/status_model.c
 *  and printed by one renderer each; --listen serves the Prometheus one
 *  over HTTP (contrib/status/status_http.c), reading the input afresh for
 *  every scrape.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_http.h"
#include "status_model.h"
#include "status_render.h"
#include "status_snapshot.h"
#ifdef HAVE_LIBSLURM
#include "status_slurm.h"
#endif
#include "tool_args.h"

#define PROG "topopack-status"

static const char _usage_text[] =
"Usage: topopack-status [--topology FILE [--topopack FILE] --snapshot FILE]\n"
"                       [--state FILE] [--json | --prometheus |\n"
"                       --listen ADDR:PORT] [--svg FILE] [--html FILE]\n"
"                       [--job ID] [--shape SHAPE] [--policy NAME]\n"
"Free capacity, fragmentation and job placement of a GPU cluster.\n"
"\n"
"  -t, --topology FILE   Slurm topology.conf (default with libslurm: the\n"
"                        one next to slurm.conf)\n"
"  -T, --topopack FILE   topopack.conf: GPUs, NVLink domains\n"
"  -S, --snapshot FILE   node usage and jobs from a snapshot file ('-':\n"
"                        stdin) instead of the live cluster\n"
"  -j, --json            one JSON object instead of the table\n"
"  -P, --prometheus      Prometheus text format instead of the table\n"
"  -l, --listen ADDR:PORT  serve the Prometheus text at GET /metrics\n"
"                        (HOST:PORT, or :PORT for every address) until\n"
"                        SIGINT or SIGTERM, reading the input afresh for\n"
"                        each scrape\n"
"  -c, --state FILE      slurmctld's preemption counters (default with\n"
"                        libslurm: StateSaveLocation/" TP_PREEMPT_TALLY_FILE ")\n"
"  -s, --svg FILE        also draw the fabric into FILE (SVG)\n"
"  -H, --html FILE       also write a page with the drawing and the table\n"
"  -J, --job ID          outline job ID's nodes in the drawing\n"
"  -w, --shape SHAPE     where a job would start now: GPUS, gpus=N or\n"
"                        nodes=N, optionally with ,leaves=K\n"
"  -p, --policy NAME     placement policy: topopack (default), slurm-tree\n"
"                        or first-fit\n"
"  -h, --help            show this help and exit\n"
"\n"
"Exit: 0 done, 1 an input could not be read, 2 bad usage.\n";

static const tool_t _tool = {
	.name = PROG,
	.usage = _usage_text,
	.bad_usage = 2,
};

typedef struct {
	const char *topology, *topopack, *snapshot, *state, *listen;
	const char *svg, *html, *job;
	bool json, prom, has_shape;
	status_shape_t shape;
	tp_policy_t policy;
} _args_t;

static void _bad(const char *what)
{
	fprintf(stderr, PROG ": %s\n", what);
	tool_usage(&_tool);
}

static void _args(int argc, char **argv, _args_t *a)
{
	static const struct option opts[] = {
		{ "topology", required_argument, NULL, 't' },
		{ "topopack", required_argument, NULL, 'T' },
		{ "snapshot", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'P' },
		{ "listen", required_argument, NULL, 'l' },
		{ "state", required_argument, NULL, 'c' },
		{ "svg", required_argument, NULL, 's' },
		{ "html", required_argument, NULL, 'H' },
		{ "job", required_argument, NULL, 'J' },
		{ "shape", required_argument, NULL, 'w' },
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	tp_error_t err = { .text = "" };
	int c, policy;

	memset(a, 0, sizeof(*a));
	a->policy = TP_POLICY_TOPOPACK;
	while ((c = getopt_long(argc, argv, "t:T:S:jPl:c:s:H:J:w:p:h", opts,
				NULL)) != -1) {
		switch (c) {
		case 't':
			a->topology = optarg;
			break;
		case 'T':
			a->topopack = optarg;
			break;
		case 'S':
			a->snapshot = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 'P':
			a->prom = true;
			break;
		case 'l':
			a->listen = optarg;
			break;
		case 'c':
			a->state = optarg;
			break;
		case 's':
			a->svg = optarg;
			break;
		case 'H':
			a->html = optarg;
			break;
		case 'J':
			a->job = optarg;
			break;
		case 'w':
			if (status_shape_parse(optarg, &a->shape, &err))
				_bad(err.text);
			a->has_shape = true;
			break;
		case 'p':
			if ((policy = tp_policy_parse(optarg)) < 0)
				_bad("--policy: topopack, slurm-tree or "
				     "first-fit");
			a->policy = policy;
			break;
		case 'h':
			tool_help(&_tool);
		default:
			tool_usage(&_tool);
		}
	}
	tool_operands(&_tool, argc, argv, 0);
	if (a->json + a->prom + !!a->listen > 1)
		_bad("--json, --prometheus and --listen exclude each other");
	if (a->listen && (a->svg || a->html))
		_bad("--listen serves metrics only: no --svg or --html");
	if (a->listen && a->snapshot && !strcmp(a->snapshot, "-"))
		_bad("--listen reads the snapshot at each scrape: not stdin");
	if (a->snapshot && !a->topology)
		_bad("--snapshot needs --topology");
#ifndef HAVE_LIBSLURM
	if (!a->snapshot)
		_bad("built without libslurm: give --topology and --snapshot");
#endif
}

/* The cluster from the snapshot or the live Slurm. RET it, or NULL
 * with err. */
static status_cluster_t *_read(const _args_t *a, tp_error_t *err)
{
	status_cluster_t *c = NULL;
	tp_fabric_t *fabric;
	bool in;
	FILE *f;

	if (!a->snapshot) {
#ifdef HAVE_LIBSLURM
		c = status_slurm_read(a->topology, a->topopack, err);
#endif
		return c;
	}
	if (!(fabric = tp_fabric_load(a->topology, a->topopack, err))) {
		if (!err->text[0])
			snprintf(err->text, sizeof(err->text), "%s",
				 strerror(errno));
		return NULL;
	}
	in = !strcmp(a->snapshot, "-");
	if (!(f = in ? stdin : fopen(a->snapshot, "r"))) {
		snprintf(err->text, sizeof(err->text), "%s: %s", a->snapshot,
			 strerror(errno));
		tp_fabric_free(fabric);
		return NULL;
	}
	c = status_snapshot_read(f, in ? "stdin" : a->snapshot, fabric, err);
	if (!in)
		fclose(f);
	return c;
}

/*
 * slurmctld's preemption counters into c: from --state, else on the live
 * cluster from its StateSaveLocation. A file that does not exist counts
 * nothing yet. RET 0, or -1 with err: --state could not be read. The
 * live default that cannot be read (another user's StateSaveLocation) is
 * said on stderr and left out.
 */
static int _tally(const _args_t *a, status_cluster_t *c, tp_error_t *err)
{
	char *path = NULL;
	int rc = 0;

	if (a->state) {
		rc = tp_preempt_tally_read(a->state, &c->tally, err);
		c->has_tally = !rc;
		return rc;
	}
	if (a->snapshot)
		return 0;
#ifdef HAVE_LIBSLURM
	path = status_slurm_tally_path(err);
#endif
	if (path && !tp_preempt_tally_read(path, &c->tally, err))
		c->has_tally = true;
	else
		fprintf(stderr, PROG ": preemption counters left out: %s\n",
			err->text);
	free(path);
	return 0;
}

/* Everything computed from the input. RET the figures (their cluster
 * with them) or NULL with err. */
static status_t *_figures(const _args_t *a, tp_error_t *err)
{
	status_cluster_t *c = _read(a, err);
	status_t *st;

	if (!c)
		return NULL;
	if (_tally(a, c, err) ||
	    !(st = status_compute(c, a->has_shape ? &a->shape : NULL,
				  a->policy, err))) {
		status_cluster_free(c);
		return NULL;
	}
	return st;
}

/* The cluster of figures st was computed from goes with them. */
static void _figures_free(status_t *st)
{
	status_cluster_t *c = st ? (status_cluster_t *) st->cluster : NULL;

	status_free(st);
	status_cluster_free(c);
}

/* One scrape of --listen: everything read and computed again. */
static int _scrape(FILE *f, void *arg, tp_error_t *err)
{
	status_t *st = _figures(arg, err);
	int rc;

	if (!st)
		return -1;
	rc = status_prom(f, st);
	_figures_free(st);
	if (rc)
		snprintf(err->text, sizeof(err->text), "write error");
	return rc;
}

/* Write a picture to path with fn. RET 0 or -1 (said). */
static int _picture(const char *path, const status_t *st, const char *job,
		    int (*fn)(FILE *, const status_t *, const char *))
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = fn(f, st, job);
	if (fclose(f) || rc) {
		fprintf(stderr, PROG ": %s: write error\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	tp_error_t err = { .text = "" };
	status_t *st;
	_args_t a;
	int rc = 0;

	_args(argc, argv, &a);
	if (a.listen) {
		if (!status_http_serve(a.listen, _scrape, &a, stderr, &err))
			return 0;
		fprintf(stderr, PROG ": %s\n", err.text);
		return 1;
	}
	if (!(st = _figures(&a, &err))) {
		fprintf(stderr, PROG ": %s\n", err.text);
		return 1;
	}
	if (a.svg && _picture(a.svg, st, a.job, status_svg))
		rc = 1;
	if (a.html && _picture(a.html, st, a.job, status_html))
		rc = 1;
	if ((a.json ? status_json(stdout, st) : a.prom ?
	     status_prom(stdout, st) : status_text(stdout, st)) ||
	    fflush(stdout)) {
		fprintf(stderr, PROG ": write error\n");
		rc = 1;
	}
	_figures_free(st);
	return rc;
}
