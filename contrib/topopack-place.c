/*****************************************************************************\
 *  topopack-place.c - check, show and try placements on a site's fabric.
 *
 *  topopack-place --topology topology.conf [--topopack topopack.conf]
 *	--check	load the files and print a summary, or the error (file:line)
 *	--show	print the switches as "scontrol show topology" does
 *	--demo	replay a fixed pulse of jobs through topopack and the model
 *		of stock Slurm, side by side
 *  With none of these, requests are read from stdin, one per line:
 *	place nodes=N gpus-per-node=G [exclusive] [switches=K] [policy=P]
 *	place gpus=T [min-nodes=A] [max-nodes=B] [exclusive] [switches=K]
 *	release JOBID
 *	down NODES / up NODES	(hostlist expressions)
 *	measure NODES [gpus-per-node=G]	quality of a node set
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool_args.h"
#include "topopack.h"

#define PROG "topopack-place"

/* A job placed by one policy. */
typedef struct {
	tp_placement_t p;
	bool exclusive;
	bool live;
} place_job_t;

typedef struct {
	place_job_t *job;	/* job id i + 1 is job[i] */
	int n;
	int cap;
} place_jobs_t;

/* What one placement looked like, for printing. */
typedef struct {
	bool ok;
	char *nodes;		/* compressed hostlist, or the error */
	tp_metrics_t m;
} place_result_t;

static const char _usage_text[] =
"Usage: topopack-place --topology FILE [--topopack FILE] [MODE]\n"
"Check a fabric description and try placements on it.\n"
"\n"
"  -t, --topology FILE   Slurm topology.conf (required)\n"
"  -T, --topopack FILE   topopack.conf: GPUs, NVLink domains, NICs\n"
"  -c, --check           load the files, print a summary or the error\n"
"  -s, --show            print the switches like 'scontrol show topology'\n"
"  -d, --demo            replay a fixed pulse of jobs through topopack and\n"
"                        the model of stock Slurm, side by side\n"
"  -p, --policy NAME     default policy of stdin requests: topopack,\n"
"                        slurm-tree or first-fit (default topopack)\n"
"  -h, --help            show this help and exit\n"
"\n"
"Without --check, --show or --demo, requests are read from stdin:\n"
"  place nodes=N gpus-per-node=G [exclusive] [switches=K] [policy=P]\n"
"  place gpus=T [min-nodes=A] [max-nodes=B] [exclusive] [switches=K]\n"
"        [policy=P]\n"
"  release JOBID\n"
"  down NODES        mark nodes (a hostlist expression) unusable\n"
"  up NODES          make them usable again\n"
"  measure NODES [gpus-per-node=G]\n"
"                    quality of a node set placed elsewhere\n"
"Blank lines and text after '#' are ignored. Each request prints one\n"
"line: 'job=ID nodes=... leaves=N domains=N max_hops=N busbw=XGB/s\n"
"efficiency=E' or "
"'error: line N: ...'.\n";

static const tool_t _tool = {
	.name = PROG,
	.usage = _usage_text,
	.bad_usage = 1,
};

/*****************************************************************************\
 *  Helpers
\*****************************************************************************/

static void *_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(2);
	}
	return p;
}

static char *_xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(2);
	}
	return d;
}

static int _cmp_int(const void *a, const void *b)
{
	int x = *(const int *) a, y = *(const int *) b;

	return (x > y) - (x < y);
}

/*
 * Names of the given nodes as one hostlist expression, in node index
 * order (the order of topology.conf). RET a malloc'd string.
 */
static char *_node_list(const tp_fabric_t *fabric, const int *node, int n)
{
	int *sorted = _xcalloc(n, sizeof(int));
	char **names = _xcalloc(n, sizeof(char *));
	char *out;
	size_t len = 1;
	int i;

	memcpy(sorted, node, n * sizeof(int));
	qsort(sorted, n, sizeof(int), _cmp_int);
	for (i = 0; i < n; i++) {
		names[i] = (char *) tp_fabric_node_name(fabric, sorted[i]);
		len += strlen(names[i]) + 1;
	}
	if (!(out = tp_hostlist_compress(names, n))) {
		/* Plain comma-separated names still say it all. */
		out = _xcalloc(len, 1);
		for (i = 0; i < n; i++) {
			if (i)
				strcat(out, ",");
			strcat(out, names[i]);
		}
	}
	free(names);
	free(sorted);
	return out;
}

static tp_fabric_t *_load(const char *topology, const char *topopack)
{
	tp_fabric_t *fabric;
	tp_error_t err;

	memset(&err, 0, sizeof(err));
	if (!(fabric = tp_fabric_load(topology, topopack, &err)))
		fprintf(stderr, PROG ": %s\n",
			err.text[0] ? err.text : strerror(errno));
	return fabric;
}

/*****************************************************************************\
 *  --check and --show
\*****************************************************************************/

/* The nodes topopack.conf's Spares= keeps for recovery, when any. */
static void _check_spares(const tp_fabric_t *fabric, const char *topology)
{
	int nnodes = tp_fabric_node_count(fabric), n = 0;
	int *node;
	char *list;

	if (!tp_fabric_spare_count(fabric))
		return;
	node = _xcalloc(nnodes, sizeof(int));
	for (int i = 0; i < nnodes; i++)
		if (tp_fabric_node_spare(fabric, i))
			node[n++] = i;
	list = _node_list(fabric, node, n);
	printf("%s: spares=%d %s\n", topology, n, list);
	free(list);
	free(node);
}

static void _check(const tp_fabric_t *fabric, const char *topology)
{
	printf("%s: nodes=%d gpus=%d leaves=%d domains=%d levels=%d\n",
	       topology, tp_fabric_node_count(fabric),
	       tp_fabric_gpu_count(fabric), tp_fabric_leaf_count(fabric),
	       tp_fabric_domain_count(fabric), tp_fabric_level_count(fabric));
	_check_spares(fabric, topology);
}

/* Mark the nodes below switch sw in mark[], counting new ones in *n. */
static void _switch_nodes(const tp_fabric_t *fabric, int sw, char *mark,
			  char *seen, int *n)
{
	tp_switch_info_t s;
	int i;

	if (seen[sw] || tp_fabric_switch(fabric, sw, &s))
		return;
	seen[sw] = 1;
	for (i = 0; i < s.nnodes; i++) {
		if (!mark[s.nodes[i]]) {
			mark[s.nodes[i]] = 1;
			(*n)++;
		}
	}
	for (i = 0; i < s.nswitches; i++)
		_switch_nodes(fabric, s.switches[i], mark, seen, n);
}

static void _show(const tp_fabric_t *fabric)
{
	int nnodes = tp_fabric_node_count(fabric);
	int nswitches = tp_fabric_switch_count(fabric);
	char *mark = _xcalloc(nnodes, 1);
	char *seen = _xcalloc(nswitches, 1);
	int *node = _xcalloc(nnodes, sizeof(int));
	tp_domain_info_t d;
	tp_switch_info_t s, child;
	int i, j, n;

	for (i = 0; i < nswitches; i++) {
		char *list;

		(void) tp_fabric_switch(fabric, i, &s);
		memset(mark, 0, nnodes);
		memset(seen, 0, nswitches);
		n = 0;
		_switch_nodes(fabric, i, mark, seen, &n);
		n = 0;
		for (j = 0; j < nnodes; j++)
			if (mark[j])
				node[n++] = j;

		printf("SwitchName=%s Level=%d LinkSpeed=1", s.name, s.level);
		if (n) {
			list = _node_list(fabric, node, n);
			printf(" Nodes=%s", list);
			free(list);
		}
		if (s.nswitches) {
			char **names = _xcalloc(s.nswitches, sizeof(char *));

			for (j = 0; j < s.nswitches; j++) {
				(void) tp_fabric_switch(fabric, s.switches[j],
							&child);
				names[j] = (char *) child.name;
			}
			list = tp_hostlist_compress(names, s.nswitches);
			if (list) {
				printf(" Switches=%s", list);
			} else {
				printf(" Switches=");
				for (j = 0; j < s.nswitches; j++)
					printf("%s%s", j ? "," : "",
					       names[j]);
			}
			free(list);
			free(names);
		}
		printf("\n");
	}

	/* NVLink domains from topopack.conf (not a node's own NVSwitch). */
	for (i = 0; i < tp_fabric_domain_count(fabric); i++) {
		char *list;

		(void) tp_fabric_domain(fabric, i, &d);
		if (d.implicit || !d.nnodes)
			continue;
		list = _node_list(fabric, d.nodes, d.nnodes);
		printf("NVLinkDomain=%s Nodes=%s NVLinkGbps=%g\n", d.name,
		       list, d.nvlink_gbps);
		free(list);
	}
	free(node);
	free(seen);
	free(mark);
}

/*****************************************************************************\
 *  Jobs and placements
\*****************************************************************************/

/* Append a job. RET its id (>= 1). */
static int _jobs_push(place_jobs_t *jobs, const place_job_t *job)
{
	if (jobs->n == jobs->cap) {
		jobs->cap = jobs->cap ? 2 * jobs->cap : 32;
		jobs->job = realloc(jobs->job, jobs->cap * sizeof(*jobs->job));
		if (!jobs->job) {
			fprintf(stderr, PROG ": out of memory\n");
			exit(2);
		}
	}
	jobs->job[jobs->n++] = *job;
	return jobs->n;
}

static void _jobs_free(place_jobs_t *jobs)
{
	for (int i = 0; i < jobs->n; i++)
		tp_placement_clear(&jobs->job[i].p);
	free(jobs->job);
	memset(jobs, 0, sizeof(*jobs));
}

/*
 * Place req with policy and commit it as a new job.
 * OUT res - what was chosen, or the error; free res->nodes
 * RET the job id (>= 1), or -1
 */
static int _place(const tp_fabric_t *fabric, tp_state_t *state,
		  place_jobs_t *jobs, tp_policy_t policy,
		  const tp_request_t *req, place_result_t *res)
{
	place_job_t job;
	tp_placement_t p;
	tp_error_t err;

	memset(res, 0, sizeof(*res));
	memset(&p, 0, sizeof(p));
	memset(&err, 0, sizeof(err));
	if (tp_place(state, policy, req, &p, &err)) {
		res->nodes = _xstrdup(err.text[0] ? err.text :
				      strerror(errno));
		return -1;
	}
	if (tp_metrics(state, &p, &res->m)) {
		res->nodes = _xstrdup("cannot compute the placement's "
				      "metrics");
		tp_placement_clear(&p);
		return -1;
	}
	if (tp_state_apply(state, &p, req->exclusive)) {
		res->nodes = _xstrdup("the state refused the placement");
		tp_placement_clear(&p);
		return -1;
	}
	res->ok = true;
	res->nodes = _node_list(fabric, p.node, p.count);
	job.p = p;
	job.exclusive = req->exclusive;
	job.live = true;
	return _jobs_push(jobs, &job);
}

/* RET 0, or -1 when the job does not exist or is gone already. */
static int _release(tp_state_t *state, place_jobs_t *jobs, long id)
{
	place_job_t *j;

	if (id < 1 || id > jobs->n || !jobs->job[id - 1].live)
		return -1;
	j = &jobs->job[id - 1];
	if (tp_state_unapply(state, &j->p, j->exclusive))
		return -1;
	tp_placement_clear(&j->p);
	j->live = false;
	return 0;
}

/*****************************************************************************\
 *  --demo: a pulse of small jobs, a few releases, one large job
\*****************************************************************************/

typedef enum {
	DEMO_PLACE,		/* arg: GPUs */
	DEMO_RELEASE,		/* arg: job number */
	DEMO_LARGE,		/* half the cluster */
} demo_op_t;

typedef struct {
	demo_op_t op;
	int arg;
} demo_event_t;

static const demo_event_t _demo_events[] = {
	{ DEMO_PLACE, 8 }, { DEMO_PLACE, 4 }, { DEMO_PLACE, 2 },
	{ DEMO_PLACE, 16 }, { DEMO_PLACE, 1 }, { DEMO_PLACE, 8 },
	{ DEMO_PLACE, 4 }, { DEMO_PLACE, 2 }, { DEMO_PLACE, 1 },
	{ DEMO_PLACE, 2 },
	{ DEMO_RELEASE, 2 }, { DEMO_RELEASE, 4 }, { DEMO_RELEASE, 7 },
	{ DEMO_RELEASE, 9 },
	{ DEMO_PLACE, 8 }, { DEMO_PLACE, 4 }, { DEMO_PLACE, 1 },
	{ DEMO_PLACE, 16 }, { DEMO_PLACE, 2 }, { DEMO_PLACE, 4 },
	{ DEMO_PLACE, 8 }, { DEMO_PLACE, 1 }, { DEMO_PLACE, 2 },
	{ DEMO_PLACE, 4 },
	{ DEMO_RELEASE, 11 }, { DEMO_RELEASE, 14 }, { DEMO_RELEASE, 17 },
	{ DEMO_LARGE, 0 },
};
#define DEMO_NEVENTS (int) (sizeof(_demo_events) / sizeof(_demo_events[0]))

typedef struct {
	int job;		/* 0 for a release row */
	char request[48];	/* or the released jobs */
	place_result_t res[2];	/* topopack, slurm-tree */
} demo_row_t;

/* Turn a GPU count into a request that fits nodes of gpn GPUs. */
static void _demo_request(int gpus, int gpn, tp_request_t *req, char *text,
			  size_t size)
{
	int nodes = (gpus + gpn - 1) / gpn;

	memset(req, 0, sizeof(*req));
	if (gpus % nodes == 0) {
		req->nodes = nodes;
		req->gpus_per_node = gpus / nodes;
		snprintf(text, size, "%dx%d", nodes, gpus / nodes);
	} else {
		req->nodes = nodes;
		req->total_gpus = gpus;
		snprintf(text, size, "gpus=%d", gpus);
	}
}

static int _demo_width(const demo_row_t *rows, int nrows, int which)
{
	int w = (int) strlen("nodes");

	for (int i = 0; i < nrows; i++) {
		const place_result_t *r = &rows[i].res[which];

		if (rows[i].job && r->ok && (int) strlen(r->nodes) > w)
			w = strlen(r->nodes);
	}
	return w;
}

static void _demo_cell(const place_result_t *r, int width)
{
	if (r->ok)
		printf("%-*s %6d %7d %4d %6.1f %4.2f", width, r->nodes,
		       r->m.leaves, r->m.domains, r->m.max_hops,
		       r->m.busbw_gbs, r->m.efficiency);
	else
		printf("%-*s %6s %7s %4s %6s %4s", width, "(not placed)",
		       "-", "-", "-", "-", "-");
}

static int _demo(const tp_fabric_t *fabric)
{
	static const tp_policy_t policy[2] = { TP_POLICY_TOPOPACK,
					       TP_POLICY_SLURM_TREE };
	tp_state_t *state[2] = { NULL, NULL };
	place_jobs_t jobs[2];
	demo_row_t *rows = _xcalloc(DEMO_NEVENTS, sizeof(*rows));
	int nnodes = tp_fabric_node_count(fabric);
	int gpn = 0, nrows = 0, njobs = 0, large = -1, rc = 1;
	int w[2], leaves[2] = { 0, 0 }, domains[2] = { 0, 0 };
	int placed[2] = { 0, 0 };
	double eff[2] = { 0.0, 0.0 };
	bool uniform = true;
	int i, k;

	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < nnodes; i++) {
		int g = tp_fabric_node_gpus(fabric, i);

		if (i && g != gpn)
			uniform = false;
		if (g > gpn)
			gpn = g;
	}
	if (gpn < 1) {
		fprintf(stderr, PROG ": --demo needs nodes with GPUs\n");
		goto fini;
	}
	for (k = 0; k < 2; k++) {
		if (!(state[k] = tp_state_new(fabric))) {
			fprintf(stderr, PROG ": cannot create state\n");
			goto fini;
		}
	}

	for (i = 0; i < DEMO_NEVENTS; i++) {
		const demo_event_t *ev = &_demo_events[i];
		demo_row_t *row;
		tp_request_t req;

		if (ev->op == DEMO_RELEASE) {
			/* Consecutive releases share one row. */
			if (!nrows || rows[nrows - 1].job) {
				row = &rows[nrows++];
				snprintf(row->request, sizeof(row->request),
					 "release %d", ev->arg);
			} else {
				row = &rows[nrows - 1];
				snprintf(row->request + strlen(row->request),
					 sizeof(row->request) -
					 strlen(row->request), ",%d",
					 ev->arg);
			}
			for (k = 0; k < 2; k++)
				(void) _release(state[k], &jobs[k], ev->arg);
			continue;
		}

		row = &rows[nrows++];
		row->job = ++njobs;
		if (ev->op == DEMO_PLACE) {
			_demo_request(ev->arg, gpn, &req, row->request,
				      sizeof(row->request));
		} else {
			memset(&req, 0, sizeof(req));
			req.exclusive = true;
			if (uniform) {
				req.nodes = nnodes / 2 ? nnodes / 2 : 1;
				req.gpus_per_node = gpn;
				snprintf(row->request, sizeof(row->request),
					 "%dx%d excl", req.nodes, gpn);
			} else {
				req.nodes = 1;
				req.total_gpus =
					tp_fabric_gpu_count(fabric) / 2;
				snprintf(row->request, sizeof(row->request),
					 "gpus=%d excl", req.total_gpus);
			}
			large = nrows - 1;
		}
		for (k = 0; k < 2; k++) {
			place_result_t *r = &row->res[k];

			/* Job numbers stay aligned even when one fails. */
			if (_place(fabric, state[k], &jobs[k], policy[k],
				   &req, r) < 0) {
				place_job_t gone = { .live = false };

				(void) _jobs_push(&jobs[k], &gone);
				continue;
			}
			placed[k]++;
			leaves[k] += r->m.leaves;
			domains[k] += r->m.domains;
			eff[k] += r->m.efficiency;
		}
	}

	w[0] = _demo_width(rows, nrows, 0);
	w[1] = _demo_width(rows, nrows, 1);
	printf("demo: %d nodes, %d GPUs, %d leaves, %d NVLink domains; "
	       "%d jobs\n\n", nnodes, tp_fabric_gpu_count(fabric),
	       tp_fabric_leaf_count(fabric), tp_fabric_domain_count(fabric),
	       njobs);
	printf("%-3s %-12s | %-*s | %s\n", "", "",
	       w[0] + 6 + 7 + 4 + 6 + 4 + 5, "topopack",
	       "stock Slurm (slurm-tree model)");
	printf("%-3s %-12s | %-*s %6s %7s %4s %6s %4s | "
	       "%-*s %6s %7s %4s %6s %4s\n",
	       "job", "request", w[0], "nodes", "leaves", "domains", "hops",
	       "GB/s", "eff", w[1], "nodes", "leaves", "domains", "hops",
	       "GB/s", "eff");
	for (i = 0; i < nrows; i++) {
		const demo_row_t *row = &rows[i];

		if (!row->job) {
			printf("%-3s %s\n", "--", row->request);
			continue;
		}
		printf("%-3d %-12s | ", row->job, row->request);
		_demo_cell(&row->res[0], w[0]);
		printf(" | ");
		_demo_cell(&row->res[1], w[1]);
		printf("\n");
	}
	printf("\nsummary: topopack placed %d/%d leaves=%d domains=%d "
	       "mean_efficiency=%.2f; stock Slurm placed %d/%d leaves=%d "
	       "domains=%d mean_efficiency=%.2f", placed[0], njobs, leaves[0],
	       domains[0], placed[0] ? eff[0] / placed[0] : 0.0, placed[1],
	       njobs, leaves[1], domains[1],
	       placed[1] ? eff[1] / placed[1] : 0.0);
	if (large >= 0) {
		const place_result_t *r = rows[large].res;

		printf("; large job: topopack ");
		if (r[0].ok)
			printf("%d leaves busbw=%.1fGB/s efficiency=%.2f",
			       r[0].m.leaves, r[0].m.busbw_gbs,
			       r[0].m.efficiency);
		else
			printf("not placed");
		printf(", stock Slurm ");
		if (r[1].ok)
			printf("%d leaves busbw=%.1fGB/s efficiency=%.2f",
			       r[1].m.leaves, r[1].m.busbw_gbs,
			       r[1].m.efficiency);
		else
			printf("not placed");
	}
	printf("\n");
	rc = 0;

fini:
	for (i = 0; i < nrows; i++) {
		free(rows[i].res[0].nodes);
		free(rows[i].res[1].nodes);
	}
	free(rows);
	for (k = 0; k < 2; k++) {
		_jobs_free(&jobs[k]);
		tp_state_free(state[k]);
	}
	return rc;
}

/*****************************************************************************\
 *  Requests from stdin
\*****************************************************************************/

/* RET 0 and *out when text is a whole integer in [lo, hi], else -1. */
static int _int_value(const char *text, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/*
 * Parse the words of a place request.
 * OUT req, policy
 * RET 0, or -1 with the problem in err
 */
static int _parse_place(char **word, int nwords, tp_request_t *req,
			tp_policy_t *policy, tp_error_t *err)
{
	long nodes = -1, gpn = -1, gpus = -1, min_nodes = -1, max_nodes = -1;
	long switches = -1, v;
	int i, pol;

	memset(req, 0, sizeof(*req));
	for (i = 0; i < nwords; i++) {
		char *eq = strchr(word[i], '=');
		const char *key = word[i], *val;
		long *slot = NULL;

		if (!strcmp(key, "exclusive")) {
			req->exclusive = true;
			continue;
		}
		if (!eq) {
			snprintf(err->text, sizeof(err->text),
				 "unknown word '%s'", key);
			return -1;
		}
		*eq = '\0';
		val = eq + 1;
		if (!strcmp(key, "policy")) {
			if ((pol = tp_policy_parse(val)) < 0) {
				snprintf(err->text, sizeof(err->text),
					 "unknown policy '%s' (topopack, "
					 "slurm-tree or first-fit)", val);
				return -1;
			}
			*policy = pol;
			continue;
		}
		if (!strcmp(key, "nodes"))
			slot = &nodes;
		else if (!strcmp(key, "gpus-per-node"))
			slot = &gpn;
		else if (!strcmp(key, "gpus"))
			slot = &gpus;
		else if (!strcmp(key, "min-nodes"))
			slot = &min_nodes;
		else if (!strcmp(key, "max-nodes"))
			slot = &max_nodes;
		else if (!strcmp(key, "switches"))
			slot = &switches;
		if (!slot) {
			snprintf(err->text, sizeof(err->text),
				 "unknown key '%s'", key);
			return -1;
		}
		if (_int_value(val, slot == &gpn ? 0 : 1, INT_MAX, &v)) {
			snprintf(err->text, sizeof(err->text),
				 "%s: expected a %s integer, got '%s'", key,
				 slot == &gpn ? "non-negative" : "positive",
				 val);
			return -1;
		}
		if (*slot >= 0) {
			snprintf(err->text, sizeof(err->text),
				 "%s given twice", key);
			return -1;
		}
		*slot = v;
	}

	if (switches > 0)
		req->max_leaves = switches;
	if (gpus > 0) {
		if (gpn >= 0) {
			snprintf(err->text, sizeof(err->text),
				 "gpus= and gpus-per-node= exclude each "
				 "other");
			return -1;
		}
		if (nodes > 0 && min_nodes > 0) {
			snprintf(err->text, sizeof(err->text),
				 "nodes= and min-nodes= exclude each other");
			return -1;
		}
		req->total_gpus = gpus;
		req->nodes = min_nodes > 0 ? min_nodes :
			     nodes > 0 ? nodes : 1;
		req->max_nodes = max_nodes > 0 ? max_nodes : 0;
		if (req->max_nodes && req->max_nodes < req->nodes) {
			snprintf(err->text, sizeof(err->text),
				 "max-nodes=%d is below min-nodes=%d",
				 req->max_nodes, req->nodes);
			return -1;
		}
		return 0;
	}
	if (nodes < 0) {
		snprintf(err->text, sizeof(err->text),
			 "place needs nodes=N or gpus=T");
		return -1;
	}
	if (min_nodes >= 0 || max_nodes >= 0) {
		snprintf(err->text, sizeof(err->text),
			 "min-nodes= and max-nodes= go with gpus=T");
		return -1;
	}
	req->nodes = nodes;
	req->gpus_per_node = gpn > 0 ? gpn : 0;
	return 0;
}

/* down/up: set the availability of the nodes of a hostlist expression. */
static void _set_avail(const tp_fabric_t *fabric, tp_state_t *state,
		       const char *expr, int avail, int line)
{
	tp_error_t err;
	char **names = NULL;
	int *node = NULL;
	int n, i, users = 0;
	char *list;

	memset(&err, 0, sizeof(err));
	if ((n = tp_hostlist_expand(expr, &names, &err)) < 0) {
		printf("error: line %d: %s\n", line, err.text);
		return;
	}
	node = _xcalloc(n, sizeof(int));
	for (i = 0; i < n; i++) {
		if ((node[i] = tp_fabric_node_index(fabric, names[i])) < 0) {
			printf("error: line %d: unknown node '%s'\n", line,
			       names[i]);
			goto fini;
		}
	}
	for (i = 0; i < n; i++) {
		if (tp_state_set_avail(state, node[i], avail)) {
			printf("error: line %d: cannot change node '%s'\n",
			       line, names[i]);
			goto fini;
		}
		users += tp_state_node_users(state, node[i]) > 0;
	}
	list = _node_list(fabric, node, n);
	printf("%s nodes=%s", avail == TP_NODE_UP ? "up" : "down", list);
	if (avail != TP_NODE_UP && users)
		printf(" (%d of them still in use)", users);
	printf("\n");
	free(list);
fini:
	free(node);
	tp_hostlist_free(names, n);
}

/*
 * measure: the quality of a given node set, for placements made elsewhere
 * (a job that stock Slurm placed). Each node gives gpus GPUs, or all of
 * its own when gpus is 0.
 */
static void _measure(const tp_fabric_t *fabric, const tp_state_t *state,
		     char **word, int nwords, int line)
{
	tp_placement_t p = { 0 };
	tp_metrics_t m;
	tp_error_t err;
	char **names = NULL;
	long gpus = 0;
	int n;

	memset(&err, 0, sizeof(err));
	if (nwords < 1 || nwords > 2 || (nwords == 2 &&
	    (strncmp(word[1], "gpus-per-node=", 14) ||
	     _int_value(word[1] + 14, 0, INT_MAX, &gpus)))) {
		printf("error: line %d: usage: measure NODES "
		       "[gpus-per-node=G]\n", line);
		return;
	}
	if ((n = tp_hostlist_expand(word[0], &names, &err)) < 0) {
		printf("error: line %d: %s\n", line, err.text);
		return;
	}
	p.node = _xcalloc(n, sizeof(int));
	p.gpus = _xcalloc(n, sizeof(int));
	for (p.count = 0; p.count < n; p.count++) {
		int node = tp_fabric_node_index(fabric, names[p.count]);

		if (node < 0) {
			printf("error: line %d: unknown node '%s'\n", line,
			       names[p.count]);
			goto fini;
		}
		p.node[p.count] = node;
		p.gpus[p.count] = gpus ? (int) gpus :
			tp_fabric_node_gpus(fabric, node);
	}
	tp_metrics(state, &p, &m);
	printf("nodes=%s leaves=%d domains=%d max_hops=%d busbw=%.1fGB/s "
	       "efficiency=%.2f\n", word[0], m.leaves, m.domains,
	       m.max_hops, m.busbw_gbs, m.efficiency);
fini:
	free(p.node);
	free(p.gpus);
	tp_hostlist_free(names, n);
}

static int _interactive(const tp_fabric_t *fabric, tp_policy_t def_policy)
{
	tp_state_t *state;
	place_jobs_t jobs;
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0;

	memset(&jobs, 0, sizeof(jobs));
	if (!(state = tp_state_new(fabric))) {
		fprintf(stderr, PROG ": cannot create state\n");
		return 1;
	}

	while (getline(&line, &cap, stdin) != -1) {
		char *word[32], *save = NULL, *tok, *hash;
		int nwords = 0;

		lineno++;
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		for (tok = strtok_r(line, " \t\r\n", &save); tok;
		     tok = strtok_r(NULL, " \t\r\n", &save)) {
			if (nwords == (int) (sizeof(word) / sizeof(word[0])))
				break;
			word[nwords++] = tok;
		}
		if (!nwords)
			continue;
		if (tok) {
			printf("error: line %d: too many words\n", lineno);
		} else if (!strcmp(word[0], "place")) {
			tp_policy_t policy = def_policy;
			place_result_t res;
			tp_request_t req;
			tp_error_t err;
			int id;

			memset(&err, 0, sizeof(err));
			memset(&res, 0, sizeof(res));
			if (_parse_place(word + 1, nwords - 1, &req, &policy,
					 &err)) {
				printf("error: line %d: %s\n", lineno,
				       err.text);
			} else if ((id = _place(fabric, state, &jobs, policy,
						&req, &res)) < 0) {
				printf("error: line %d: %s\n", lineno,
				       res.nodes);
			} else {
				printf("job=%d nodes=%s leaves=%d domains=%d "
				       "max_hops=%d busbw=%.1fGB/s "
				       "efficiency=%.2f\n", id, res.nodes,
				       res.m.leaves, res.m.domains,
				       res.m.max_hops, res.m.busbw_gbs,
				       res.m.efficiency);
			}
			free(res.nodes);
		} else if (!strcmp(word[0], "release")) {
			long id;

			if (nwords != 2 ||
			    _int_value(word[1], 1, INT_MAX, &id))
				printf("error: line %d: usage: release "
				       "JOBID\n", lineno);
			else if (_release(state, &jobs, id))
				printf("error: line %d: no running job %ld\n",
				       lineno, id);
			else
				printf("released job=%ld\n", id);
		} else if (!strcmp(word[0], "down") ||
			   !strcmp(word[0], "up")) {
			bool down = !strcmp(word[0], "down");

			if (nwords != 2)
				printf("error: line %d: usage: %s NODES\n",
				       lineno, word[0]);
			else
				_set_avail(fabric, state, word[1],
					   down ? TP_NODE_DOWN : TP_NODE_UP,
					   lineno);
		} else if (!strcmp(word[0], "measure")) {
			_measure(fabric, state, word + 1, nwords - 1, lineno);
		} else {
			printf("error: line %d: unknown command '%s' (place, "
			       "release, down, up, measure)\n", lineno,
			       word[0]);
		}
		fflush(stdout);
	}
	free(line);
	_jobs_free(&jobs);
	tp_state_free(state);
	return 0;
}

/*****************************************************************************\
 *  main
\*****************************************************************************/

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "topology", required_argument, NULL, 't' },
		{ "topopack", required_argument, NULL, 'T' },
		{ "check", no_argument, NULL, 'c' },
		{ "show", no_argument, NULL, 's' },
		{ "demo", no_argument, NULL, 'd' },
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *topology = NULL, *topopack = NULL;
	bool check = false, show = false, demo = false;
	tp_policy_t policy = TP_POLICY_TOPOPACK;
	tp_fabric_t *fabric;
	int c, pol, rc = 0;

	while ((c = getopt_long(argc, argv, "t:T:csdp:h", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 't':
			topology = optarg;
			break;
		case 'T':
			topopack = optarg;
			break;
		case 'c':
			check = true;
			break;
		case 's':
			show = true;
			break;
		case 'd':
			demo = true;
			break;
		case 'p':
			if ((pol = tp_policy_parse(optarg)) < 0) {
				fprintf(stderr, PROG ": unknown policy '%s' "
					"(topopack, slurm-tree or "
					"first-fit)\n", optarg);
				return 1;
			}
			policy = pol;
			break;
		case 'h':
			tool_help(&_tool);
		default:
			tool_usage(&_tool);
		}
	}
	tool_operands(&_tool, argc, argv, 0);
	if (!topology) {
		fprintf(stderr, PROG ": --topology FILE is required\n");
		tool_usage(&_tool);
	}

	if (!(fabric = _load(topology, topopack)))
		return 1;
	if (check)
		_check(fabric, topology);
	if (show)
		_show(fabric);
	if (demo)
		rc = _demo(fabric);
	if (!check && !show && !demo)
		rc = _interactive(fabric, policy);
	tp_fabric_free(fabric);
	return rc;
}
