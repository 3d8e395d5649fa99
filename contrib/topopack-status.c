/*****************************************************************************\
 *  topopack-status.c - what admins see: free GPUs per leaf and NVLink
 *  domain, free slots by job shape, fragmentation, badly placed running
 *  jobs, and where a job of a given shape would start now.
 *
 *  topopack-status [--topology FILE [--topopack FILE] --snapshot FILE]
 *	[--json | --prometheus] [--svg FILE] [--html FILE] [--job ID]
 *	[--shape SHAPE] [--policy NAME]
 *  Without --snapshot, the live cluster is read through libslurm (when
 *  built with it). The figures are computed in contrib/status/status_model.c
 *  and printed by one renderer each.
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
"                       [--json | --prometheus] [--svg FILE] [--html FILE]\n"
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
	const char *topology, *topopack, *snapshot;
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
	while ((c = getopt_long(argc, argv, "t:T:S:jPs:H:J:w:p:h", opts,
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
	if (a->json && a->prom)
		_bad("--json and --prometheus exclude each other");
	if (a->snapshot && !a->topology)
		_bad("--snapshot needs --topology");
#ifndef HAVE_LIBSLURM
	if (!a->snapshot)
		_bad("built without libslurm: give --topology and --snapshot");
#endif
}

static status_cluster_t *_read(const _args_t *a)
{
	tp_error_t err = { .text = "" };
	status_cluster_t *c = NULL;
	tp_fabric_t *fabric;
	bool in;
	FILE *f;

	if (!a->snapshot) {
#ifdef HAVE_LIBSLURM
		if (!(c = status_slurm_read(a->topology, a->topopack, &err)))
			fprintf(stderr, PROG ": %s\n", err.text);
#endif
		return c;
	}
	if (!(fabric = tp_fabric_load(a->topology, a->topopack, &err))) {
		fprintf(stderr, PROG ": %s\n",
			err.text[0] ? err.text : strerror(errno));
		return NULL;
	}
	in = !strcmp(a->snapshot, "-");
	if (!(f = in ? stdin : fopen(a->snapshot, "r"))) {
		fprintf(stderr, PROG ": %s: %s\n", a->snapshot,
			strerror(errno));
		tp_fabric_free(fabric);
		return NULL;
	}
	if (!(c = status_snapshot_read(f, in ? "stdin" : a->snapshot, fabric,
				       &err)))
		fprintf(stderr, PROG ": %s\n", err.text);
	if (!in)
		fclose(f);
	return c;
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
	status_cluster_t *c;
	status_t *st;
	_args_t a;
	int rc = 0;

	_args(argc, argv, &a);
	if (!(c = _read(&a)))
		return 1;
	if (!(st = status_compute(c, a.has_shape ? &a.shape : NULL, a.policy,
				  &err))) {
		fprintf(stderr, PROG ": %s\n", err.text);
		status_cluster_free(c);
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
	status_free(st);
	status_cluster_free(c);
	return rc;
}
