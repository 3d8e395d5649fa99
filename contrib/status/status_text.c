/*****************************************************************************\
 *  status_text.c - the table of topopack-status.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <inttypes.h>
#include <string.h>

#include "status_render.h"

static const char *_or(const char *s, const char *dflt)
{
	return (s && *s) ? s : dflt;
}

static void _group_head(FILE *f, const char *what)
{
	fprintf(f, "%-16s %6s %6s %6s %6s %6s %6s %5s %5s %5s %5s\n", what,
		"NODES", "GPUS", "BUSY", "FREE", "UNAVL", "IDLE", "DOWN",
		"DRAIN", "RESV", "SPARE");
}

static void _group(FILE *f, const status_group_t *g)
{
	fprintf(f, "%-16s %6d %6d %6d %6d %6d %6d %5d %5d %5d %5d\n",
		g->name, g->nodes, g->gpus, g->busy, g->free, g->unavail,
		g->idle_nodes, g->nodes_down, g->nodes_drain,
		g->nodes_reserved, g->spares);
}

static void _shape(char *buf, size_t size, const status_shape_t *s)
{
	int n;

	if (s->gpus > 0)
		n = snprintf(buf, size, "%d GPUs", s->gpus);
	else
		n = snprintf(buf, size, "%d whole nodes", s->nodes);
	if (s->max_leaves == 1 && n > 0 && (size_t) n < size)
		snprintf(buf + n, size - n, " on one leaf");
	else if (s->max_leaves > 0 && n > 0 && (size_t) n < size)
		snprintf(buf + n, size - n, " on at most %d leaves",
			 s->max_leaves);
}

static void _where(FILE *f, const status_t *st)
{
	char shape[96];

	_shape(shape, sizeof(shape), &st->where_shape);
	fprintf(f, "\nWhere %s would start now:\n", shape);
	if (!st->where.placed) {
		fprintf(f, "  nowhere: %s\n", _or(st->where.why, "no room"));
		return;
	}
	fprintf(f, "  %s\n  nodes %d, GPUs %d, leaves %d (least possible "
		"%d), NVLink domains %d, max hops %d\n", st->where.hosts,
		st->where.nnodes, st->where.gpus, st->where.leaves,
		st->where.min_leaves, st->where.domains, st->where.max_hops);
}

static void _running(FILE *f, const status_t *st)
{
	fprintf(f, "\nRunning jobs, worst placed first (%d)\n",
		st->nrunning);
	if (!st->nrunning)
		return;
	fprintf(f, "%-12s %-10s %-14s %5s %5s %6s %5s %7s %4s %4s  %s\n",
		"JOBID", "USER", "NAME", "GPUS", "NODES", "LEAVES", "LEAST",
		"DOMAINS", "HOPS", "EFF", "NODELIST");
	for (int i = 0; i < st->nrunning; i++) {
		const status_jobq_t *q = &st->running[i];

		fprintf(f, "%-12s %-10.10s %-14.14s %5d %5d %6d %5d %7d %4d "
			"%4.2f  %s%s\n", q->job->id, _or(q->job->user, "-"),
			_or(q->job->name, "-"), q->at.gpus, q->at.nnodes,
			q->at.leaves, q->at.min_leaves, q->at.domains,
			q->at.max_hops, q->at.efficiency,
			_or(q->at.hosts, "-"),
			q->outside ? " (and nodes outside the topology)" :
			"");
	}
}

static void _pending(FILE *f, const status_t *st)
{
	fprintf(f, "\nPending jobs, where they would start now (%d)\n",
		st->npending);
	if (!st->npending)
		return;
	fprintf(f, "%-12s %-10s %-14s %5s %5s %6s %5s %7s %4s  %s\n",
		"JOBID", "USER", "NAME", "GPUS", "NODES", "LEAVES", "LEAST",
		"DOMAINS", "HOPS", "NODELIST");
	for (int i = 0; i < st->npending; i++) {
		const status_jobq_t *q = &st->pending[i];

		if (!q->at.placed) {
			fprintf(f, "%-12s %-10.10s %-14.14s %5d %5d %6s %5s "
				"%7s %4s  cannot start now: %s\n", q->job->id,
				_or(q->job->user, "-"),
				_or(q->job->name, "-"), q->job->gpus,
				q->job->nnodes, "-", "-", "-", "-",
				_or(q->at.why, "no room"));
			continue;
		}
		fprintf(f, "%-12s %-10.10s %-14.14s %5d %5d %6d %5d %7d %4d  "
			"%s\n", q->job->id, _or(q->job->user, "-"),
			_or(q->job->name, "-"), q->at.gpus, q->at.nnodes,
			q->at.leaves, q->at.min_leaves, q->at.domains,
			q->at.max_hops, q->at.hosts);
	}
}

extern int status_text(FILE *f, const status_t *st)
{
	const status_group_t *t = &st->total;
	int declared = 0;

	fprintf(f, "Cluster: %d nodes, %d GPUs: %d busy, %d free, %d "
		"unavailable\n", t->nodes, t->gpus, t->busy, t->free,
		t->unavail);
	fprintf(f, "Nodes: %d idle, %d down, %d drained, %d reserved\n",
		t->idle_nodes, t->nodes_down, t->nodes_drain,
		t->nodes_reserved);
	if (t->spares)
		fprintf(f, "Spares: %d nodes (%d idle), only for recovering "
			"and preemptable jobs\n", t->spares, t->spares_idle);
	fprintf(f, "Fragmentation: %.3f (free GPUs not on idle nodes: %d of "
		"%d); most free GPUs in one leaf: %d\n", st->fragmentation,
		t->free - t->idle_gpus, t->free, st->largest_leaf_free);
	if (st->cluster->has_tally)
		fprintf(f, "Preemptions: %" PRIu64 " plans, %" PRIu64
			" jobs preempted, %" PRIu64 " GPU-seconds lost\n",
			st->cluster->tally.preemptions,
			st->cluster->tally.preempted_jobs,
			st->cluster->tally.lost_gpu_seconds);

	fputc('\n', f);
	_group_head(f, "LEAF");
	for (int i = 0; i < st->nleaves; i++)
		_group(f, &st->leaf[i]);

	for (int i = 0; i < st->ndomains; i++)
		declared += !st->domain[i].implicit;
	if (declared) {
		fputc('\n', f);
		_group_head(f, "NVLINK DOMAIN");
		for (int i = 0; i < st->ndomains; i++)
			if (!st->domain[i].implicit)
				_group(f, &st->domain[i]);
	}

	fprintf(f, "\nFree slots: jobs of a shape that could start at once\n");
	fprintf(f, "%-16s %10s %10s %10s\n", "SHAPE", "ONE LEAF",
		"ONE DOMAIN", "ANYWHERE");
	for (int i = 0; i < st->nslots; i++) {
		const status_slots_t *s = &st->slot[i];
		char shape[32];

		snprintf(shape, sizeof(shape), "%d %s", s->size,
			 s->nodes ? (s->size == 1 ? "node" : "nodes") : "GPUs");
		fprintf(f, "%-16s %10ld %10ld %10ld\n", shape, s->leaf,
			s->domain, s->any);
	}
	if (st->has_where)
		_where(f, st);
	_running(f, st);
	_pending(f, st);
	return ferror(f) ? -1 : 0;
}
