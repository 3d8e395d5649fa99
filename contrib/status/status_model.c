/*****************************************************************************\
 *  status_model.c - the figures of topopack-status from a cluster: group
 *  capacity, free slots by shape, fragmentation, job placement quality
 *  (tp_metrics) and where a job would start now (tp_place).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status_model.h"

static const char *_use_names[] = {
	"free", "partly", "busy", "down", "reserved"
};

extern const char *status_use_name(int use)
{
	if (use < 0 || use > STATUS_USE_RESERVED)
		return "unknown";
	return _use_names[use];
}

static void _oom(tp_error_t *err)
{
	if (err)
		snprintf(err->text, sizeof(err->text), "out of memory");
	errno = ENOMEM;
}

/*****************************************************************************\
 *  The cluster
\*****************************************************************************/

extern status_cluster_t *status_cluster_new(tp_fabric_t *fabric)
{
	int n = tp_fabric_node_count(fabric);
	status_cluster_t *c = calloc(1, sizeof(*c));

	if (!c) {
		tp_fabric_free(fabric);
		return NULL;
	}
	c->fabric = fabric;
	c->state = tp_state_new(fabric);
	c->cond = calloc(n ? n : 1, 1);
	c->exclusive = calloc(n ? n : 1, 1);
	if (!c->state || !c->cond || !c->exclusive) {
		status_cluster_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

static void _job_clear(status_job_t *j)
{
	free(j->id);
	free(j->name);
	free(j->user);
	free(j->nodes);
	free(j->node_gpus);
	memset(j, 0, sizeof(*j));
}

extern void status_cluster_free(status_cluster_t *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->njobs; i++)
		_job_clear(&c->job[i]);
	free(c->job);
	free(c->cond);
	free(c->exclusive);
	tp_state_free(c->state);
	tp_fabric_free(c->fabric);
	free(c);
}

extern int status_cluster_set_node(status_cluster_t *c, int node,
				   int used_gpus, int users, bool exclusive,
				   int cond, tp_error_t *err)
{
	int avail;

	if (users <= 0 && (used_gpus > 0 || exclusive))
		users = 1;
	if (node < 0 || node >= tp_fabric_node_count(c->fabric) ||
	    cond < STATUS_NODE_UP || cond > STATUS_NODE_RESERVED ||
	    tp_state_set_usage(c->state, node, used_gpus, users,
			       exclusive)) {
		if (err)
			snprintf(err->text, sizeof(err->text),
				 "%s: %d GPUs used by %d jobs does not fit its "
				 "%d GPUs",
				 node >= 0 && node < tp_fabric_node_count(
					 c->fabric) ?
				 tp_fabric_node_name(c->fabric, node) : "?",
				 used_gpus, users,
				 tp_fabric_node_gpus(c->fabric, node));
		errno = EINVAL;
		return -1;
	}
	avail = cond == STATUS_NODE_UP ? TP_NODE_UP :
		cond == STATUS_NODE_RESERVED ? TP_NODE_RESERVED : TP_NODE_DOWN;
	tp_state_set_avail(c->state, node, avail);
	c->cond[node] = cond;
	c->exclusive[node] = exclusive;
	return 0;
}

static char *_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

extern int status_cluster_add_job(status_cluster_t *c,
				  const status_job_t *job)
{
	status_job_t *j;

	if (c->njobs == c->cap) {
		int cap = c->cap ? 2 * c->cap : 16;
		status_job_t *p = realloc(c->job, cap * sizeof(*p));

		if (!p)
			return -1;
		c->job = p;
		c->cap = cap;
	}
	j = &c->job[c->njobs];
	memset(j, 0, sizeof(*j));
	j->running = job->running;
	j->gpus = job->gpus;
	j->nnodes = job->nnodes;
	j->id = _dup(job->id ? job->id : "?");
	j->name = _dup(job->name);
	j->user = _dup(job->user);
	j->nodes = _dup(job->nodes);
	if (job->node_gpus && job->n_node_gpus > 0) {
		j->node_gpus = malloc(job->n_node_gpus * sizeof(int));
		if (j->node_gpus) {
			memcpy(j->node_gpus, job->node_gpus,
			       job->n_node_gpus * sizeof(int));
			j->n_node_gpus = job->n_node_gpus;
		}
	}
	if (!j->id || (job->name && !j->name) || (job->user && !j->user) ||
	    (job->nodes && !j->nodes) ||
	    (job->node_gpus && job->n_node_gpus > 0 && !j->node_gpus)) {
		_job_clear(j);
		errno = ENOMEM;
		return -1;
	}
	c->njobs++;
	return 0;
}

/*****************************************************************************\
 *  Shapes
\*****************************************************************************/

static int _number(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno || v < 1 || v > INT_MAX / 2)
		return -1;
	*out = (int) v;
	return (int) (end - s);
}

extern int status_shape_parse(const char *text, status_shape_t *shape,
			      tp_error_t *err)
{
	const char *p = text;
	int len;

	memset(shape, 0, sizeof(*shape));
	if (!strncmp(p, "nodes=", 6)) {
		p += 6;
		if ((len = _number(p, &shape->nodes)) < 0)
			goto bad;
	} else {
		if (!strncmp(p, "gpus=", 5))
			p += 5;
		if ((len = _number(p, &shape->gpus)) < 0)
			goto bad;
	}
	p += len;
	if (!strncmp(p, ",leaves=", 8)) {
		p += 8;
		if ((len = _number(p, &shape->max_leaves)) < 0)
			goto bad;
		p += len;
	}
	if (!*p)
		return 0;
bad:
	snprintf(err->text, sizeof(err->text),
		 "bad shape '%.100s': expected GPUS, gpus=N or nodes=N, "
		 "then optionally ,leaves=K", text);
	memset(shape, 0, sizeof(*shape));
	errno = EINVAL;
	return -1;
}

/*****************************************************************************\
 *  Figures
\*****************************************************************************/

/* Free GPUs of a node to a new job. */
static int _node_free(const status_cluster_t *c, int n)
{
	if (tp_state_node_avail(c->state, n) != TP_NODE_UP ||
	    c->exclusive[n])
		return 0;
	return tp_state_node_free_gpus(c->state, n);
}

static int _node_use(const status_cluster_t *c, int n)
{
	int gpus = tp_fabric_node_gpus(c->fabric, n);
	int free = _node_free(c, n);

	if (c->cond[n] == STATUS_NODE_DOWN || c->cond[n] == STATUS_NODE_DRAIN)
		return STATUS_USE_DOWN;
	if (c->cond[n] == STATUS_NODE_RESERVED)
		return STATUS_USE_RESERVED;
	if (!tp_state_node_users(c->state, n) && free == gpus)
		return STATUS_USE_FREE;
	return free > 0 ? STATUS_USE_PARTLY : STATUS_USE_BUSY;
}

static void _group_add(status_group_t *g, const status_cluster_t *c, int n,
		       int use)
{
	int gpus = tp_fabric_node_gpus(c->fabric, n);
	int free = _node_free(c, n);
	int held = gpus - tp_state_node_free_gpus(c->state, n);

	if (c->exclusive[n])
		held = gpus;
	g->nodes++;
	g->gpus += gpus;
	g->busy += held;
	g->free += free;
	g->unavail += gpus - held - free;
	if (use == STATUS_USE_FREE) {
		g->idle_nodes++;
		g->idle_gpus += gpus;
	}
	if (tp_fabric_node_spare(c->fabric, n)) {
		g->spares++;
		g->spares_idle += use == STATUS_USE_FREE;
		g->spares_gpus += gpus;
		g->spares_free += free;
	}
	g->nodes_down += c->cond[n] == STATUS_NODE_DOWN;
	g->nodes_drain += c->cond[n] == STATUS_NODE_DRAIN;
	g->nodes_reserved += c->cond[n] == STATUS_NODE_RESERVED;
}

static int _groups(status_t *st, int *leaf_sw, tp_error_t *err)
{
	const status_cluster_t *c = st->cluster;
	const tp_fabric_t *f = c->fabric;
	int nnodes = tp_fabric_node_count(f);
	int nsw = tp_fabric_switch_count(f);
	tp_switch_info_t si;

	st->node_use = calloc(nnodes ? nnodes : 1, 1);
	st->node_leaf = calloc(nnodes ? nnodes : 1, sizeof(int));
	st->leaf = calloc(nsw ? nsw : 1, sizeof(status_group_t));
	st->ndomains = tp_fabric_domain_count(f);
	st->domain = calloc(st->ndomains ? st->ndomains : 1,
			    sizeof(status_group_t));
	st->total.name = strdup("cluster");
	if (!st->node_use || !st->node_leaf || !st->leaf || !st->domain ||
	    !st->total.name) {
		_oom(err);
		return -1;
	}
	for (int n = 0; n < nnodes; n++) {
		st->node_leaf[n] = -1;
		st->node_use[n] = _node_use(c, n);
		_group_add(&st->total, c, n, st->node_use[n]);
	}
	for (int s = 0; s < nsw; s++) {
		status_group_t *g;

		if (tp_fabric_switch(f, s, &si) || si.level != 0)
			continue;
		g = &st->leaf[st->nleaves];
		leaf_sw[st->nleaves] = s;
		if (!(g->name = strdup(si.name))) {
			_oom(err);
			return -1;
		}
		for (int i = 0; i < si.nnodes; i++) {
			st->node_leaf[si.nodes[i]] = st->nleaves;
			_group_add(g, c, si.nodes[i], st->node_use[si.nodes[i]]);
		}
		if (g->free > st->largest_leaf_free)
			st->largest_leaf_free = g->free;
		st->nleaves++;
	}
	for (int d = 0; d < st->ndomains; d++) {
		tp_domain_info_t di;

		if (tp_fabric_domain(f, d, &di))
			continue;
		st->domain[d].implicit = di.implicit;
		if (!(st->domain[d].name = strdup(di.name))) {
			_oom(err);
			return -1;
		}
		for (int i = 0; i < di.nnodes; i++)
			_group_add(&st->domain[d], c, di.nodes[i],
				   st->node_use[di.nodes[i]]);
	}
	if (st->total.free)
		st->fragmentation = 1.0 - (double) st->total.idle_gpus /
			st->total.free;
	return 0;
}

/* Component (group of leaves some switch joins) of each leaf: the index
 * of its topmost switch. RET 0, or -1 (ENOMEM). */
static int _components(const status_t *st, const int *leaf_sw, int *comp)
{
	const tp_fabric_t *f = st->cluster->fabric;
	int nsw = tp_fabric_switch_count(f);
	int *parent = malloc((nsw ? nsw : 1) * sizeof(int));
	tp_switch_info_t si;

	if (!parent)
		return -1;
	for (int s = 0; s < nsw; s++)
		parent[s] = -1;
	for (int s = 0; s < nsw; s++) {
		if (tp_fabric_switch(f, s, &si))
			continue;
		for (int i = 0; i < si.nswitches; i++)
			parent[si.switches[i]] = s;
	}
	for (int l = 0; l < st->nleaves; l++) {
		int s = leaf_sw[l], steps = 0;

		/* The loader refuses cycles; the bound is for safety. */
		while (parent[s] >= 0 && steps++ < nsw)
			s = parent[s];
		comp[l] = s;
	}
	free(parent);
	return 0;
}

/* What an ordinary job may use of a group: spares run only recovering
 * and preemptable jobs, and the free slots and --shape answer for the
 * others. */
static int _job_free(const status_group_t *g)
{
	return g->free - g->spares_free;
}

static int _job_idle(const status_group_t *g)
{
	return g->idle_nodes - g->spares_idle;
}

static long _fits(long have, int size)
{
	return size > 0 ? have / size : 0;
}

static int _slots(status_t *st, const int *leaf_sw, tp_error_t *err)
{
	const tp_fabric_t *f = st->cluster->fabric;
	int nsw = tp_fabric_switch_count(f);
	int nnodes = tp_fabric_node_count(f);
	int *comp = malloc((st->nleaves ? st->nleaves : 1) * sizeof(int));
	long *comp_free = calloc(nsw ? nsw : 1, sizeof(long));
	long *comp_idle = calloc(nsw ? nsw : 1, sizeof(long));
	long loose_idle = 0;
	int max = 0, rc = -1;

	if (!comp || !comp_free || !comp_idle ||
	    _components(st, leaf_sw, comp)) {
		_oom(err);
		goto fini;
	}
	for (int l = 0; l < st->nleaves; l++) {
		comp_free[comp[l]] += _job_free(&st->leaf[l]);
		comp_idle[comp[l]] += _job_idle(&st->leaf[l]);
	}
	for (int s = 8; s > 0 && s <= st->total.gpus; s *= 2)
		max++;
	for (int s = 1; s > 0 && s <= nnodes; s *= 2)
		max++;
	st->slot = calloc(max ? max : 1, sizeof(status_slots_t));
	if (!st->slot) {
		_oom(err);
		goto fini;
	}
	/* A node under no leaf is joined to nothing: a block of its own. */
	for (int n = 0; n < nnodes; n++) {
		if ((st->node_leaf[n] >= 0) ||
		    tp_fabric_node_spare(f, n))
			continue;
		loose_idle += st->node_use[n] == STATUS_USE_FREE;
	}
	for (int pass = 0; pass < 2; pass++) {
		bool nodes = pass == 1;
		int first = nodes ? 1 : 8, limit = nodes ? nnodes :
			st->total.gpus;

		for (int s = first; s > 0 && s <= limit; s *= 2) {
			status_slots_t *x = &st->slot[st->nslots++];

			x->size = s;
			x->nodes = nodes;
			for (int l = 0; l < st->nleaves; l++)
				x->leaf += _fits(nodes ?
						 _job_idle(&st->leaf[l]) :
						 _job_free(&st->leaf[l]), s);
			for (int d = 0; d < st->ndomains; d++)
				x->domain += _fits(nodes ?
						   _job_idle(&st->domain[d]) :
						   _job_free(&st->domain[d]), s);
			for (int c = 0; c < nsw; c++)
				x->any += _fits(nodes ? comp_idle[c] :
						comp_free[c], s);
			/* Loose nodes hold one whole-node job each, or
			 * what their own GPUs fit. */
			if (nodes && s == 1)
				x->any += loose_idle;
			for (int n = 0; !nodes && n < nnodes; n++)
				if ((st->node_leaf[n] < 0) &&
				    !tp_fabric_node_spare(f, n))
					x->any += _fits(_node_free(
						st->cluster, n), s);
		}
	}
	rc = 0;
fini:
	free(comp);
	free(comp_free);
	free(comp_idle);
	return rc;
}

static int _cmp_int(const void *a, const void *b)
{
	int x = *(const int *) a, y = *(const int *) b;

	return (x > y) - (x < y);
}

static int _cmp_desc(const void *a, const void *b)
{
	return _cmp_int(b, a);
}

/* Least leaves that hold amount (GPUs, or nodes) on an idle fabric. */
static int _min_leaves(const status_t *st, int amount, bool nodes)
{
	int *v = malloc((st->nleaves ? st->nleaves : 1) * sizeof(int));
	int k = 0;
	long sum = 0;

	if (!v)
		return 0;
	for (int l = 0; l < st->nleaves; l++)
		v[l] = nodes ? st->leaf[l].nodes : st->leaf[l].gpus;
	qsort(v, st->nleaves, sizeof(int), _cmp_desc);
	while (k < st->nleaves && sum < amount)
		sum += v[k++];
	free(v);
	return k ? k : 1;
}

/* Fill at from a placement p: hosts, metrics. RET 0 or -1 (ENOMEM). */
static int _measure(const status_t *st, const tp_placement_t *p,
		    status_place_t *at)
{
	const tp_fabric_t *f = st->cluster->fabric;
	tp_metrics_t m;
	char **names;
	int *sorted;

	at->nnodes = p->count;
	at->node = malloc((p->count ? p->count : 1) * sizeof(int));
	sorted = malloc((p->count ? p->count : 1) * sizeof(int));
	names = malloc((p->count ? p->count : 1) * sizeof(char *));
	if (!at->node || !sorted || !names) {
		free(sorted);
		free(names);
		return -1;
	}
	memcpy(at->node, p->node, p->count * sizeof(int));
	memcpy(sorted, p->node, p->count * sizeof(int));
	qsort(sorted, p->count, sizeof(int), _cmp_int);
	for (int i = 0; i < p->count; i++)
		names[i] = (char *) tp_fabric_node_name(f, sorted[i]);
	at->hosts = tp_hostlist_compress(names, p->count);
	free(sorted);
	free(names);
	if (!at->hosts)
		return -1;
	if (tp_metrics(st->cluster->state, p, &m))
		return -1;
	at->gpus = m.gpus;
	at->leaves = m.leaves;
	at->domains = m.domains;
	at->max_hops = m.max_hops;
	at->efficiency = m.efficiency;
	return 0;
}

static int _place(const status_t *st, const tp_state_t *state,
		  const tp_request_t *req, tp_policy_t policy,
		  status_place_t *at)
{
	tp_placement_t p;
	tp_error_t err = { .text = "" };
	int rc;

	memset(&p, 0, sizeof(p));
	if (tp_place(state, policy, req, &p, &err)) {
		if (errno == ENOMEM)
			return -1;
		at->placed = false;
		at->why = strdup(err.text[0] ? err.text : "cannot start now");
		return at->why ? 0 : -1;
	}
	at->placed = true;
	rc = _measure(st, &p, at);
	tp_placement_clear(&p);
	return rc;
}

static void _shape_request(const status_shape_t *s, tp_request_t *req)
{
	memset(req, 0, sizeof(*req));
	req->max_leaves = s->max_leaves;
	if (s->gpus > 0) {
		req->total_gpus = s->gpus;
		req->nodes = 1;
	} else {
		req->nodes = s->nodes;
		req->exclusive = true;
	}
}

/* Where a running job is, from its hostlist and GPU counts. */
static int _running(const status_t *st, status_jobq_t *q)
{
	const status_job_t *j = q->job;
	const tp_fabric_t *f = st->cluster->fabric;
	tp_placement_t p;
	char **names = NULL;
	int n = 0, rc = -1;

	memset(&p, 0, sizeof(p));
	q->at.placed = true;
	if (j->nodes && *j->nodes &&
	    (n = tp_hostlist_expand(j->nodes, &names, NULL)) < 0) {
		if (errno == ENOMEM)
			return -1;
		q->at.why = strdup("bad hostlist");
		return q->at.why ? 0 : -1;
	}
	p.node = malloc((n ? n : 1) * sizeof(int));
	p.gpus = malloc((n ? n : 1) * sizeof(int));
	if (!p.node || !p.gpus)
		goto fini;
	for (int i = 0; i < n; i++) {
		int node = tp_fabric_node_index(f, names[i]), g;

		if (node < 0) {
			q->outside++;
			continue;
		}
		if (j->node_gpus && i < j->n_node_gpus)
			g = j->node_gpus[i];
		else if (j->gpus > 0)
			g = j->gpus / n + (i < j->gpus % n);
		else
			g = tp_fabric_node_gpus(f, node);
		p.node[p.count] = node;
		p.gpus[p.count++] = g;
	}
	if (_measure(st, &p, &q->at))
		goto fini;
	q->at.min_leaves = j->gpus > 0 ? _min_leaves(st, j->gpus, false) :
		_min_leaves(st, p.count, true);
	if (!p.count)
		q->at.min_leaves = 0;
	rc = 0;
fini:
	tp_hostlist_free(names, n > 0 ? n : 0);
	free(p.node);
	free(p.gpus);
	return rc;
}

static int _pending(const status_t *st, status_jobq_t *q,
		    tp_policy_t policy)
{
	const status_job_t *j = q->job;
	tp_request_t req;

	memset(&req, 0, sizeof(req));
	if (j->gpus > 0) {
		req.total_gpus = j->gpus;
		req.nodes = j->nnodes > 0 ? j->nnodes : 1;
		req.max_nodes = j->nnodes > 0 ? j->nnodes : 0;
		q->at.min_leaves = _min_leaves(st, j->gpus, false);
	} else if (j->nnodes > 0) {
		req.nodes = j->nnodes;
		req.exclusive = true;
		q->at.min_leaves = _min_leaves(st, j->nnodes, true);
	} else {
		q->at.why = strdup("asks for no GPU and no node count");
		return q->at.why ? 0 : -1;
	}
	return _place(st, st->cluster->state, &req, policy, &q->at);
}

/* Where the --shape job would start: as an ordinary job, off the
 * spares. RET 0, or -1 (ENOMEM). */
static int _where(status_t *st, const tp_request_t *req, tp_policy_t policy)
{
	const tp_fabric_t *f = st->cluster->fabric;
	tp_state_t *state;
	int rc;

	if (!tp_fabric_spare_count(f))
		return _place(st, st->cluster->state, req, policy, &st->where);
	if (!(state = tp_state_copy(st->cluster->state)))
		return -1;
	for (int n = 0; n < tp_fabric_node_count(f); n++)
		if (tp_fabric_node_spare(f, n))
			(void) tp_state_set_avail(state, n, TP_NODE_DOWN);
	rc = _place(st, state, req, policy, &st->where);
	tp_state_free(state);
	return rc;
}

/* Worst placed first. */
static int _cmp_running(const void *a, const void *b)
{
	const status_place_t *x = &((const status_jobq_t *) a)->at;
	const status_place_t *y = &((const status_jobq_t *) b)->at;
	int ex = x->leaves - x->min_leaves, ey = y->leaves - y->min_leaves;

	if (ex != ey)
		return ey - ex;
	if (x->max_hops != y->max_hops)
		return y->max_hops - x->max_hops;
	if (x->leaves != y->leaves)
		return y->leaves - x->leaves;
	if (x->domains != y->domains)
		return y->domains - x->domains;
	return strcmp(((const status_jobq_t *) a)->job->id,
		      ((const status_jobq_t *) b)->job->id);
}

static int _jobs(status_t *st, tp_policy_t policy, tp_error_t *err)
{
	const status_cluster_t *c = st->cluster;
	int n = c->njobs ? c->njobs : 1;

	st->running = calloc(n, sizeof(status_jobq_t));
	st->pending = calloc(n, sizeof(status_jobq_t));
	if (!st->running || !st->pending)
		goto oom;
	for (int i = 0; i < c->njobs; i++) {
		status_jobq_t *q = c->job[i].running ?
			&st->running[st->nrunning++] :
			&st->pending[st->npending++];

		q->job = &c->job[i];
		if (c->job[i].running ? _running(st, q) :
		    _pending(st, q, policy))
			goto oom;
	}
	qsort(st->running, st->nrunning, sizeof(status_jobq_t),
	      _cmp_running);
	return 0;
oom:
	_oom(err);
	return -1;
}

/*
 * The K leaves with the most of what a shape counts (GPUs, or nodes):
 * their sum over the whole leaves (total) and over what is free now
 * (idle nodes for a node shape). RET 0, or -1 (ENOMEM).
 */
static int _best_leaves(const status_t *st, const status_shape_t *w,
			int *total, int *now)
{
	int n = st->nleaves, k = w->max_leaves < n ? w->max_leaves : n;
	int *t = malloc((n ? n : 1) * sizeof(int));
	int *f = malloc((n ? n : 1) * sizeof(int));

	if (!t || !f) {
		free(t);
		free(f);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const status_group_t *g = &st->leaf[i];

		t[i] = w->gpus > 0 ? g->gpus - g->spares_gpus :
			g->nodes - g->spares;
		f[i] = w->gpus > 0 ? _job_free(g) : _job_idle(g);
	}
	qsort(t, n, sizeof(int), _cmp_desc);
	qsort(f, n, sizeof(int), _cmp_desc);
	*total = *now = 0;
	for (int i = 0; i < k; i++) {
		*total += t[i];
		*now += f[i];
	}
	free(t);
	free(f);
	return 0;
}

/*
 * A shape limited to K leaves that cannot start: say whether no K leaves
 * hold it even when idle, or how much is free in the best K now (the
 * engine's own reason, "not enough free resources", does not tell these
 * apart).
 * RET 0, or -1 (ENOMEM)
 */
static int _where_why(status_t *st)
{
	const status_shape_t *w = &st->where_shape;
	const char *unit = w->gpus > 0 ? "GPUs" : "nodes";
	int size = w->gpus > 0 ? w->gpus : w->nodes, total, now;
	char why[256];

	if (st->where.placed || w->max_leaves <= 0)
		return 0;
	if (_best_leaves(st, w, &total, &now))
		return -1;
	if (now >= size)
		return 0;	/* the engine's own reason is the one */
	if (total < size && w->max_leaves == 1)
		snprintf(why, sizeof(why),
			 "no leaf holds %d %s (the largest: %d)", size, unit,
			 total);
	else if (total < size)
		snprintf(why, sizeof(why),
			 "no %d leaves hold %d %s (at most %d)", w->max_leaves,
			 size, unit, total);
	else if (w->max_leaves == 1)
		snprintf(why, sizeof(why), "at most %d %s %s in one leaf now",
			 now, unit, w->gpus > 0 ? "free" : "idle");
	else
		snprintf(why, sizeof(why), "at most %d %s %s in %d leaves now",
			 now, unit, w->gpus > 0 ? "free" : "idle",
			 w->max_leaves);
	free(st->where.why);
	st->where.why = strdup(why);
	return st->where.why ? 0 : -1;
}

extern status_t *status_compute(const status_cluster_t *c,
				const status_shape_t *where,
				tp_policy_t policy, tp_error_t *err)
{
	status_t *st = calloc(1, sizeof(*st));
	int nsw = tp_fabric_switch_count(c->fabric);
	int *leaf_sw = malloc((nsw ? nsw : 1) * sizeof(int));

	if (!st || !leaf_sw) {
		free(st);
		free(leaf_sw);
		_oom(err);
		return NULL;
	}
	st->cluster = c;
	if (_groups(st, leaf_sw, err) || _slots(st, leaf_sw, err) ||
	    _jobs(st, policy, err))
		goto fail;
	if (where) {
		tp_request_t req;

		st->has_where = true;
		st->where_shape = *where;
		_shape_request(where, &req);
		st->where.min_leaves = where->gpus > 0 ?
			_min_leaves(st, where->gpus, false) :
			_min_leaves(st, where->nodes, true);
		if (_where(st, &req, policy) || _where_why(st)) {
			_oom(err);
			goto fail;
		}
	}
	free(leaf_sw);
	return st;
fail:
	free(leaf_sw);
	status_free(st);
	return NULL;
}

static void _place_clear(status_place_t *at)
{
	free(at->hosts);
	free(at->node);
	free(at->why);
}

static void _group_clear(status_group_t *g)
{
	free(g->name);
}

extern void status_free(status_t *st)
{
	if (!st)
		return;
	_group_clear(&st->total);
	for (int i = 0; i < st->nleaves; i++)
		_group_clear(&st->leaf[i]);
	for (int i = 0; i < st->ndomains && st->domain; i++)
		_group_clear(&st->domain[i]);
	free(st->leaf);
	free(st->domain);
	free(st->node_use);
	free(st->node_leaf);
	free(st->slot);
	_place_clear(&st->where);
	for (int i = 0; i < st->nrunning; i++)
		_place_clear(&st->running[i].at);
	for (int i = 0; i < st->npending; i++)
		_place_clear(&st->pending[i].at);
	free(st->running);
	free(st->pending);
	free(st);
}
