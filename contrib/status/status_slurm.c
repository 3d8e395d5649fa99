/*****************************************************************************\
 *  status_slurm.c - the nodes and jobs of the running Slurm, through
 *  libslurm: node states and gres/gres_used, jobs' node lists, TRES
 *  strings and per-node GRES details.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include "status_slurm.h"

/* Count of indices in "0-3,5" (up to the closing parenthesis). */
static int _indices(const char *p)
{
	int n = 0;

	while (*p && *p != ')') {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p)
			return n;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p)
				return n;
		}
		n += b >= a ? (int) (b - a + 1) : 0;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

/*
 * GPUs in a GRES list as Slurm writes them for nodes and jobs:
 * "gpu:h100:8(S:0-1),nic:2", "gpu:4(IDX:0-3)", "gpu(IDX:0,2)".
 */
static int _gres_gpus(const char *gres)
{
	int total = 0;
	const char *p = gres;

	while (p && *p) {
		const char *end = p;
		int depth = 0;

		/* One entry: up to a comma outside parentheses. */
		while (*end && (*end != ',' || depth)) {
			depth += (*end == '(') - (*end == ')');
			end++;
		}
		if (!strncmp(p, "gpu", 3) && (p[3] == ':' || p[3] == '(' ||
					      p + 3 == end)) {
			const char *paren = memchr(p, '(', end - p);
			const char *stop = paren ? paren : end;
			const char *colon = NULL;
			int count = -1;

			for (const char *q = p; q < stop; q++)
				if (*q == ':')
					colon = q;
			if (colon) {
				char *e;
				long v = strtol(colon + 1, &e, 10);

				if (e == stop && e > colon + 1)
					count = (int) v;
			}
			if (count < 0 && paren && !strncmp(paren, "(IDX:", 5))
				count = _indices(paren + 5);
			if (count < 0)
				count = p + 3 == stop ? 1 : 0;
			total += count;
		}
		p = *end ? end + 1 : end;
	}
	return total;
}

/* "cpu=4,mem=1G,gres/gpu=16,gres/gpu:h100=16": the untyped gres/gpu. */
static int _tres_gpus(const char *tres)
{
	const char *p = tres;

	while (p && (p = strstr(p, "gres/gpu="))) {
		if (p == tres || p[-1] == ',')
			return atoi(p + 9);
		p += 9;
	}
	return 0;
}

/*
 * GPUs a job asks for in its TRES_PER_JOB or TRES_PER_NODE: "gres:gpu:4",
 * "gres:gpu:h100:4" or "gres/gpu:4", several separated by ',' or ';'.
 */
static int _tres_per_gpus(const char *tres)
{
	const char *p = tres;

	while (p && *p) {
		size_t len = strcspn(p, ",;");

		if (!strncmp(p, "gres:gpu", 8) || !strncmp(p, "gres/gpu", 8)) {
			const char *num = p + len;

			while (num > p && num[-1] >= '0' && num[-1] <= '9')
				num--;
			if (num < p + len && (num[-1] == ':' || num[-1] == '='))
				return atoi(num);
		}
		p += len;
		p += *p ? 1 : 0;
	}
	return 0;
}

/* slurm.conf's directory joined with name, if that file exists (or must
 * is set). RET malloc'd path or NULL. */
static char *_next_to_conf(const char *name, bool must)
{
	const char *conf = getenv("SLURM_CONF");
	char *copy = strdup(conf && *conf ? conf : "/etc/slurm/slurm.conf");
	char *path = NULL;

	if (!copy)
		return NULL;
	if (asprintf(&path, "%s/%s", dirname(copy), name) < 0)
		path = NULL;
	free(copy);
	if (path && !must && access(path, R_OK)) {
		free(path);
		path = NULL;
	}
	return path;
}

static int _node_cond(uint32_t state)
{
	uint32_t base = state & NODE_STATE_BASE;

	if (base == NODE_STATE_DOWN || base == NODE_STATE_FUTURE ||
	    base == NODE_STATE_UNKNOWN || (state & NODE_STATE_NO_RESPOND) ||
	    (state & NODE_STATE_FAIL))
		return STATUS_NODE_DOWN;
	if (state & NODE_STATE_DRAIN)
		return STATUS_NODE_DRAIN;
	if (state & NODE_STATE_RES)
		return STATUS_NODE_RESERVED;
	return STATUS_NODE_UP;
}

/*
 * No new job fits: every CPU is allocated. slurmctld reports a node
 * that is partly used as ALLOCATED too (MIXED is what sinfo and scontrol
 * work out), so the allocated CPUs tell the two apart, as they do.
 */
static bool _full(const node_info_t *ni)
{
	uint16_t alloc = 0;

	if ((ni->node_state & NODE_STATE_BASE) != NODE_STATE_ALLOCATED)
		return false;
	if (slurm_get_select_nodeinfo(ni->select_nodeinfo,
				      SELECT_NODEDATA_SUBCNT,
				      NODE_STATE_ALLOCATED, &alloc))
		return true;
	return alloc >= ni->cpus;
}

static int _slurm_fail(tp_error_t *err, const char *what)
{
	snprintf(err->text, sizeof(err->text), "%s: %s", what,
		 slurm_strerror(slurm_get_errno()));
	return -1;
}

/* Count the running jobs on each node of the fabric. */
static void _users(const status_cluster_t *c, const job_info_msg_t *jobs,
		   int *users)
{
	for (uint32_t i = 0; i < jobs->record_count; i++) {
		const job_info_t *j = &jobs->job_array[i];
		char **names;
		int n;

		if ((j->job_state & JOB_STATE_BASE) != JOB_RUNNING ||
		    !j->nodes || !*j->nodes ||
		    (n = tp_hostlist_expand(j->nodes, &names, NULL)) < 0)
			continue;
		for (int k = 0; k < n; k++) {
			int node = tp_fabric_node_index(c->fabric, names[k]);

			if (node >= 0)
				users[node]++;
		}
		tp_hostlist_free(names, n);
	}
}

static int _nodes(status_cluster_t *c, const node_info_msg_t *nodes,
		  const int *users, tp_error_t *err)
{
	for (uint32_t i = 0; i < nodes->record_count; i++) {
		const node_info_t *ni = &nodes->node_array[i];
		int node, gpus, used;

		if (!ni->name || (node = tp_fabric_node_index(c->fabric,
							      ni->name)) < 0)
			continue;
		gpus = tp_fabric_node_gpus(c->fabric, node);
		used = _gres_gpus(ni->gres_used);
		if (used > gpus)
			used = gpus;
		if (status_cluster_set_node(c, node, used, users[node],
					    _full(ni),
					    _node_cond(ni->node_state), err))
			return -1;
	}
	return 0;
}

static int _jobs(status_cluster_t *c, const job_info_msg_t *jobs)
{
	for (uint32_t i = 0; i < jobs->record_count; i++) {
		const job_info_t *j = &jobs->job_array[i];
		uint32_t state = j->job_state & JOB_STATE_BASE;
		status_job_t sj;
		struct passwd *pw;
		char id[32];
		int *per_node = NULL, rc;

		if (state != JOB_RUNNING && state != JOB_PENDING)
			continue;
		memset(&sj, 0, sizeof(sj));
		snprintf(id, sizeof(id), "%u", j->job_id);
		sj.id = id;
		sj.name = j->name;
		sj.user = j->user_name;
		if (!sj.user && (pw = getpwuid(j->user_id)))
			sj.user = pw->pw_name;
		sj.running = state == JOB_RUNNING;
		/* The TRES strings hold GPUs only where slurm.conf's
		 * AccountingStorageTRES lists gres/gpu; the GRES fields
		 * always do. */
		if (sj.running) {
			sj.nodes = j->nodes;
			if (!(sj.gpus = _tres_gpus(j->tres_alloc_str)))
				sj.gpus = _gres_gpus(j->gres_total);
		} else {
			if (!(sj.gpus = _tres_gpus(j->tres_req_str)) &&
			    !(sj.gpus = _tres_per_gpus(j->tres_per_job)))
				sj.gpus = _tres_per_gpus(j->tres_per_node) *
					(int) j->num_nodes;
			if (j->max_nodes && j->max_nodes == j->num_nodes)
				sj.nnodes = (int) j->num_nodes;
			else if (!sj.gpus)
				sj.nnodes = (int) j->num_nodes;
		}
		if (sj.running && j->gres_detail_cnt && j->gres_detail_str) {
			per_node = calloc(j->gres_detail_cnt, sizeof(int));
			if (!per_node)
				return -1;
			for (uint32_t k = 0; k < j->gres_detail_cnt; k++)
				per_node[k] = _gres_gpus(
					j->gres_detail_str[k]);
			sj.node_gpus = per_node;
			sj.n_node_gpus = (int) j->gres_detail_cnt;
		}
		rc = status_cluster_add_job(c, &sj);
		free(per_node);
		if (rc)
			return -1;
	}
	return 0;
}

extern status_cluster_t *status_slurm_read(const char *topology,
					   const char *topopack,
					   tp_error_t *err)
{
	node_info_msg_t *nodes = NULL;
	job_info_msg_t *jobs = NULL;
	tp_node_gpus_t *inv_nodes = NULL;
	tp_inventory_t inv;
	status_cluster_t *c = NULL;
	tp_fabric_t *fabric;
	char *topo_path = NULL, *pack_path = NULL;
	int *users = NULL;

	slurm_init(NULL);
	/* SHOW_DETAIL: the nodes' gres_used and the jobs' GRES per node. */
	if (slurm_load_node(0, &nodes, SHOW_ALL | SHOW_DETAIL)) {
		_slurm_fail(err, "slurm_load_node");
		goto fini;
	}
	if (slurm_load_jobs(0, &jobs, SHOW_ALL | SHOW_DETAIL)) {
		_slurm_fail(err, "slurm_load_jobs");
		goto fini;
	}
	if (!topology)
		topology = topo_path = _next_to_conf("topology.conf", true);
	if (!topopack)
		topopack = pack_path = _next_to_conf("topopack.conf", false);
	inv_nodes = calloc(nodes->record_count + 1, sizeof(*inv_nodes));
	if (!topology || !inv_nodes) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		goto fini;
	}
	memset(&inv, 0, sizeof(inv));
	inv.node = inv_nodes;
	for (uint32_t i = 0; i < nodes->record_count; i++) {
		if (!nodes->node_array[i].name)
			continue;
		inv_nodes[inv.count].name = nodes->node_array[i].name;
		inv_nodes[inv.count++].gpus =
			_gres_gpus(nodes->node_array[i].gres);
	}
	if (!(fabric = tp_fabric_load_inventory(topology, topopack, &inv,
						err)))
		goto fini;
	if (!(c = status_cluster_new(fabric)) ||
	    !(users = calloc(tp_fabric_node_count(c->fabric) + 1,
			     sizeof(int)))) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		goto fail;
	}
	_users(c, jobs, users);
	if (_nodes(c, nodes, users, err))
		goto fail;
	if (_jobs(c, jobs)) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		goto fail;
	}
	goto fini;
fail:
	status_cluster_free(c);
	c = NULL;
fini:
	free(users);
	free(inv_nodes);
	free(topo_path);
	free(pack_path);
	if (jobs)
		slurm_free_job_info_msg(jobs);
	if (nodes)
		slurm_free_node_info_msg(nodes);
	return c;
}

extern char *status_slurm_tally_path(tp_error_t *err)
{
	slurm_conf_t *conf = NULL;
	char *path = NULL;

	slurm_init(NULL);
	if (slurm_load_ctl_conf(0, &conf)) {
		_slurm_fail(err, "slurm_load_ctl_conf");
		return NULL;
	}
	if (!conf->state_save_location)
		snprintf(err->text, sizeof(err->text), "slurmctld reports no "
			 "StateSaveLocation");
	else if (asprintf(&path, "%s/%s", conf->state_save_location,
			  TP_PREEMPT_TALLY_FILE) < 0) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		path = NULL;
	}
	slurm_free_ctl_conf(conf);
	return path;
}
