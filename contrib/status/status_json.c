/*****************************************************************************\
 *  status_json.c - topopack-status --json: one object on one line.
 *
 *  {"cluster":GROUP,"fragmentation":F,"largest_leaf_free":N,
 *   "leaves":[GROUP...],"domains":[GROUP...] (declared ones),
 *   "free_slots":[{"shape":S,"unit":"gpus"|"nodes","leaf":N,
 *	"domain":N,"any":N}...],
 *   "where":{"gpus":S,"nodes":N,"max_leaves":K,"placement":PLACE}
 *	(with --shape),
 *   "preemptions":{"plans":N,"jobs":N,"lost_gpu_seconds":N}
 *	(when slurmctld's counters were read),
 *   "running":[JOB...],"pending":[JOB...]}
 *  GROUP: name, nodes, gpus, busy, free, unavailable, idle_nodes,
 *  idle_gpus, nodes_down, nodes_drain, nodes_reserved.
 *  JOB: id, user, name, gpus, outside_nodes, placement.
 *  PLACE: placed, nodes (hostlist), node_count, gpus, leaves,
 *  least_leaves, domains, max_hops, efficiency, or placed:false and why.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <inttypes.h>

#include "status_render.h"

static void _str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void _group(FILE *f, const status_group_t *g)
{
	fputs("{\"name\":", f);
	_str(f, g->name);
	fprintf(f, ",\"nodes\":%d,\"gpus\":%d,\"busy\":%d,\"free\":%d,"
		"\"unavailable\":%d,\"idle_nodes\":%d,\"idle_gpus\":%d,"
		"\"nodes_down\":%d,\"nodes_drain\":%d,\"nodes_reserved\":%d,"
		"\"spares\":%d,\"spares_idle\":%d}",
		g->nodes, g->gpus, g->busy, g->free, g->unavail, g->idle_nodes,
		g->idle_gpus, g->nodes_down, g->nodes_drain,
		g->nodes_reserved, g->spares, g->spares_idle);
}

static void _place(FILE *f, const status_place_t *at)
{
	if (!at->placed) {
		fputs("{\"placed\":false,\"why\":", f);
		_str(f, at->why ? at->why : "no room");
		fputc('}', f);
		return;
	}
	fputs("{\"placed\":true,\"nodes\":", f);
	_str(f, at->hosts ? at->hosts : "");
	fprintf(f, ",\"node_count\":%d,\"gpus\":%d,\"leaves\":%d,"
		"\"least_leaves\":%d,\"domains\":%d,\"max_hops\":%d,"
		"\"efficiency\":%.6f}", at->nnodes, at->gpus, at->leaves,
		at->min_leaves, at->domains, at->max_hops, at->efficiency);
}

static void _jobs(FILE *f, const char *key, const status_jobq_t *q, int n)
{
	fprintf(f, ",\"%s\":[", key);
	for (int i = 0; i < n; i++) {
		fputs(i ? ",{\"id\":" : "{\"id\":", f);
		_str(f, q[i].job->id);
		fputs(",\"user\":", f);
		_str(f, q[i].job->user);
		fputs(",\"name\":", f);
		_str(f, q[i].job->name);
		fprintf(f, ",\"gpus\":%d,\"outside_nodes\":%d,\"placement\":",
			q[i].job->gpus, q[i].outside);
		_place(f, &q[i].at);
		fputc('}', f);
	}
	fputc(']', f);
}

extern int status_json(FILE *f, const status_t *st)
{
	bool first = true;

	fputs("{\"cluster\":", f);
	_group(f, &st->total);
	fprintf(f, ",\"fragmentation\":%.6f,\"largest_leaf_free\":%d",
		st->fragmentation, st->largest_leaf_free);
	fputs(",\"leaves\":[", f);
	for (int i = 0; i < st->nleaves; i++) {
		if (i)
			fputc(',', f);
		_group(f, &st->leaf[i]);
	}
	fputs("],\"domains\":[", f);
	for (int i = 0; i < st->ndomains; i++) {
		if (st->domain[i].implicit)
			continue;
		if (!first)
			fputc(',', f);
		first = false;
		_group(f, &st->domain[i]);
	}
	fputs("],\"free_slots\":[", f);
	for (int i = 0; i < st->nslots; i++) {
		const status_slots_t *s = &st->slot[i];

		fprintf(f, "%s{\"shape\":%d,\"unit\":\"%s\",\"leaf\":%ld,"
			"\"domain\":%ld,\"any\":%ld}", i ? "," : "", s->size,
			s->nodes ? "nodes" : "gpus", s->leaf, s->domain,
			s->any);
	}
	fputc(']', f);
	if (st->has_where) {
		fprintf(f, ",\"where\":{\"gpus\":%d,\"nodes\":%d,"
			"\"max_leaves\":%d,\"placement\":",
			st->where_shape.gpus, st->where_shape.nodes,
			st->where_shape.max_leaves);
		_place(f, &st->where);
		fputc('}', f);
	}
	if (st->cluster->has_tally)
		fprintf(f, ",\"preemptions\":{\"plans\":%" PRIu64 ",\"jobs\":"
			"%" PRIu64 ",\"lost_gpu_seconds\":%" PRIu64 "}",
			st->cluster->tally.preemptions,
			st->cluster->tally.preempted_jobs,
			st->cluster->tally.lost_gpu_seconds);
	_jobs(f, "running", st->running, st->nrunning);
	_jobs(f, "pending", st->pending, st->npending);
	fputs("}\n", f);
	return ferror(f) ? -1 : 0;
}
