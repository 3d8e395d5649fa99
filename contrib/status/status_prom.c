/*****************************************************************************\
 *  status_prom.c - topopack-status --prometheus: the Prometheus text
 *  exposition format (0.0.4), for node_exporter's textfile collector and
 *  for --listen. Gauges, slurmctld's preemption counters and a histogram
 *  of the running jobs' placement efficiency; each family has its # HELP
 *  and # TYPE lines and all its samples together, as the format requires.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <inttypes.h>

#include "status_render.h"

/* Upper bounds of the efficiency histogram's buckets: 1 is a placement
 * nothing beats, the others tell how far below it the rest are. */
static const double _eff_le[] = { 0.25, 0.5, 0.75, 0.9, 0.99, 1 };
#define N_EFF_LE (sizeof(_eff_le) / sizeof(_eff_le[0]))

/* A label value: backslash, double quote and line feed escaped. */
static void _label(FILE *f, const char *s)
{
	fputc('"', f);
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '\\' || *p == '"')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void _typed(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void _family(FILE *f, const char *name, const char *help)
{
	_typed(f, name, "gauge", help);
}

/* Running jobs whose nodes could be read, by placement efficiency. */
static void _efficiency(FILE *f, const status_t *st)
{
	const char *name = "topopack_job_efficiency_ratio";
	uint64_t bucket[N_EFF_LE] = { 0 }, count = 0;
	double sum = 0;

	_typed(f, name, "histogram", "Placement efficiency of running jobs: "
	       "predicted all-reduce bus bandwidth over the best any "
	       "placement of their shape gets on the idle fabric.");
	for (int i = 0; i < st->nrunning; i++) {
		const status_place_t *at = &st->running[i].at;

		if (at->why)
			continue;
		for (size_t b = 0; b < N_EFF_LE; b++)
			bucket[b] += at->efficiency <= _eff_le[b];
		sum += at->efficiency;
		count++;
	}
	for (size_t b = 0; b < N_EFF_LE; b++)
		fprintf(f, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name,
			_eff_le[b], bucket[b]);
	fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n%s_sum %.6f\n"
		"%s_count %" PRIu64 "\n", name, count, name, sum, name, count);
}

/* slurmctld's preemption counters, when they were read. */
static void _tally(FILE *f, const tp_preempt_tally_t *t)
{
	_typed(f, "topopack_preemptions_total", "counter",
	       "Preemption plans topopack carried out.");
	fprintf(f, "topopack_preemptions_total %" PRIu64 "\n",
		t->preemptions);
	_typed(f, "topopack_preempted_jobs_total", "counter",
	       "Jobs preempted by those plans.");
	fprintf(f, "topopack_preempted_jobs_total %" PRIu64 "\n",
		t->preempted_jobs);
	_typed(f, "topopack_preempt_lost_gpu_seconds_total", "counter",
	       "Work the preempted jobs lost since their start or last "
	       "checkpoint, GPU-seconds.");
	fprintf(f, "topopack_preempt_lost_gpu_seconds_total %" PRIu64 "\n",
		t->lost_gpu_seconds);
}

static void _groups(FILE *f, const char *what, const char *label,
		    const status_group_t *g, int n)
{
	static const char *state[] = { "busy", "free", "unavailable" };
	char name[64];

	snprintf(name, sizeof(name), "topopack_%s_gpus", what);
	fprintf(f, "# HELP %s GPUs of each %s by state.\n"
		"# TYPE %s gauge\n", name, label, name);
	for (int i = 0; i < n; i++) {
		int v[3] = { g[i].busy, g[i].free, g[i].unavail };

		if (g[i].implicit)
			continue;
		for (int s = 0; s < 3; s++) {
			fprintf(f, "%s{%s=", name, label);
			_label(f, g[i].name);
			fprintf(f, ",state=\"%s\"} %d\n", state[s], v[s]);
		}
	}
	snprintf(name, sizeof(name), "topopack_%s_nodes", what);
	fprintf(f, "# HELP %s Nodes of each %s: idle, down, drained, "
		"reserved, spare (topopack.conf Spares=), all.\n"
		"# TYPE %s gauge\n", name, label, name);
	for (int i = 0; i < n; i++) {
		static const char *ns[] = { "idle", "down", "drain",
					    "reserved", "spare", "all" };
		int v[6] = { g[i].idle_nodes, g[i].nodes_down,
			     g[i].nodes_drain, g[i].nodes_reserved,
			     g[i].spares, g[i].nodes };

		if (g[i].implicit)
			continue;
		for (int s = 0; s < 6; s++) {
			fprintf(f, "%s{%s=", name, label);
			_label(f, g[i].name);
			fprintf(f, ",state=\"%s\"} %d\n", ns[s], v[s]);
		}
	}
}

static void _job_metric(FILE *f, const status_t *st, const char *name,
			const char *help, int which)
{
	_family(f, name, help);
	for (int i = 0; i < st->nrunning; i++) {
		const status_jobq_t *q = &st->running[i];
		int v = which == 0 ? q->at.leaves :
			which == 1 ? q->at.leaves - q->at.min_leaves :
			which == 2 ? q->at.domains : q->at.max_hops;

		fputs(name, f);
		fputs("{job=", f);
		_label(f, q->job->id);
		fputs(",user=", f);
		_label(f, q->job->user ? q->job->user : "");
		fprintf(f, "} %d\n", v);
	}
}

extern int status_prom(FILE *f, const status_t *st)
{
	const status_group_t *t = &st->total;
	static const char *scope[] = { "leaf", "domain", "any" };
	int declared = 0;

	_family(f, "topopack_gpus", "GPUs of the cluster by state.");
	fprintf(f, "topopack_gpus{state=\"busy\"} %d\n"
		"topopack_gpus{state=\"free\"} %d\n"
		"topopack_gpus{state=\"unavailable\"} %d\n",
		t->busy, t->free, t->unavail);
	_family(f, "topopack_nodes", "Nodes of the cluster by state.");
	fprintf(f, "topopack_nodes{state=\"idle\"} %d\n"
		"topopack_nodes{state=\"down\"} %d\n"
		"topopack_nodes{state=\"drain\"} %d\n"
		"topopack_nodes{state=\"reserved\"} %d\n"
		"topopack_nodes{state=\"spare\"} %d\n"
		"topopack_nodes{state=\"all\"} %d\n",
		t->idle_nodes, t->nodes_down, t->nodes_drain,
		t->nodes_reserved, t->spares, t->nodes);
	_family(f, "topopack_fragmentation",
		"Share of free GPUs not on idle nodes (0 to 1).");
	fprintf(f, "topopack_fragmentation %.6f\n", st->fragmentation);
	_family(f, "topopack_largest_leaf_free_gpus",
		"Most free GPUs under one leaf switch.");
	fprintf(f, "topopack_largest_leaf_free_gpus %d\n",
		st->largest_leaf_free);

	_family(f, "topopack_free_slots",
		"Jobs of a shape (GPUs or whole nodes) that could start now "
		"at once, each inside one scope.");
	for (int i = 0; i < st->nslots; i++) {
		const status_slots_t *s = &st->slot[i];
		long v[3] = { s->leaf, s->domain, s->any };

		for (int k = 0; k < 3; k++)
			fprintf(f, "topopack_free_slots{shape=\"%d\",unit="
				"\"%s\",scope=\"%s\"} %ld\n", s->size,
				s->nodes ? "nodes" : "gpus", scope[k], v[k]);
	}

	_groups(f, "leaf", "leaf", st->leaf, st->nleaves);
	for (int i = 0; i < st->ndomains; i++)
		declared += !st->domain[i].implicit;
	if (declared)
		_groups(f, "domain", "domain", st->domain, st->ndomains);

	_family(f, "topopack_jobs", "Jobs by state.");
	fprintf(f, "topopack_jobs{state=\"running\"} %d\n"
		"topopack_jobs{state=\"pending\"} %d\n",
		st->nrunning, st->npending);
	_job_metric(f, st, "topopack_job_leaves",
		    "Leaf switches a running job spans.", 0);
	_job_metric(f, st, "topopack_job_excess_leaves",
		    "Leaves a running job spans beyond the least it could.",
		    1);
	_job_metric(f, st, "topopack_job_domains",
		    "NVLink domains a running job spans.", 2);
	_job_metric(f, st, "topopack_job_max_hops",
		    "Links between the farthest two GPUs of a running job.",
		    3);
	_efficiency(f, st);
	if (st->cluster->has_tally)
		_tally(f, &st->cluster->tally);

	if (st->has_where) {
		char shape[32];

		if (st->where_shape.gpus > 0)
			snprintf(shape, sizeof(shape), "%d",
				 st->where_shape.gpus);
		else
			snprintf(shape, sizeof(shape), "%d",
				 st->where_shape.nodes);
		_family(f, "topopack_shape_startable",
			"1 when a job of the shape could start now.");
		fprintf(f, "topopack_shape_startable{shape=\"%s\",unit=\"%s\"}"
			" %d\n", shape, st->where_shape.gpus > 0 ? "gpus" :
			"nodes", st->where.placed);
		_family(f, "topopack_shape_leaves",
			"Leaves the shape would span if started now.");
		fprintf(f, "topopack_shape_leaves{shape=\"%s\",unit=\"%s\"} "
			"%d\n", shape, st->where_shape.gpus > 0 ? "gpus" :
			"nodes", st->where.leaves);
	}
	return ferror(f) ? -1 : 0;
}
