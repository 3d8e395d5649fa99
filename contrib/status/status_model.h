/*****************************************************************************\
 *  status_model.h - what topopack-status shows, apart from where it comes
 *  from and how it is printed: a cluster (fabric, node usage, jobs) and
 *  the figures computed from it (capacity per leaf and NVLink domain, free
 *  slots by shape, fragmentation, job placement quality, where a job of a
 *  given shape would start now).
 *
 *  Nothing here knows Slurm: the snapshot reader and the libslurm reader
 *  both fill a status_cluster_t, and the renderers read a status_t.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_STATUS_MODEL_H
#define _TOPOPACK_STATUS_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "topopack.h"

/* A node's condition as the resource manager reports it. */
#define STATUS_NODE_UP       0
#define STATUS_NODE_DOWN     1	/* down, failing, not responding */
#define STATUS_NODE_DRAIN    2	/* drained or draining: no new job */
#define STATUS_NODE_RESERVED 3	/* in a reservation */

/* What a node looks like to a new job. */
#define STATUS_USE_FREE     0	/* usable, nothing on it */
#define STATUS_USE_PARTLY   1	/* usable, some GPUs taken, some free */
#define STATUS_USE_BUSY     2	/* no GPU free */
#define STATUS_USE_DOWN     3	/* down or drained */
#define STATUS_USE_RESERVED 4	/* reserved */

typedef struct {
	char *id;		/* job id as the manager writes it */
	char *name;		/* NULL: unknown */
	char *user;		/* NULL: unknown */
	bool running;		/* else pending */
	char *nodes;		/* hostlist of a running job, or NULL */
	int gpus;		/* GPUs it holds or asks for (0: none/unknown) */
	int nnodes;		/* nodes a pending job asks for (0: any) */
	int *node_gpus;		/* GPUs on each node of nodes, in hostlist
				 * order, or NULL when not known */
	int n_node_gpus;	/* length of node_gpus */
} status_job_t;

/* The input: a fabric, each node's usage and condition, the jobs. */
typedef struct {
	tp_fabric_t *fabric;	/* owned */
	tp_state_t *state;	/* owned: usage; availability follows cond */
	uint8_t *cond;		/* STATUS_NODE_* per node */
	uint8_t *exclusive;	/* per node: a job holds it whole */
	status_job_t *job;	/* owned, njobs of them */
	int njobs;
	int cap;
	bool has_tally;		/* the preemption counters were read */
	tp_preempt_tally_t tally;	/* slurmctld's, with has_tally */
} status_cluster_t;

/*
 * A new cluster on fabric (which it then owns, also on failure): every
 * node up and idle, no job.
 * RET the cluster, or NULL (ENOMEM)
 */
extern status_cluster_t *status_cluster_new(tp_fabric_t *fabric);
extern void status_cluster_free(status_cluster_t *c);

/*
 * Set one node's usage and condition.
 * IN node - node index in the fabric
 * IN used_gpus - GPUs allocated on it
 * IN users - jobs holding it (0 with used_gpus > 0 is taken as 1)
 * IN exclusive - one of them holds it whole (it then has no free GPU)
 * IN cond - STATUS_NODE_*
 * RET 0, or -1 with err when the counts do not fit the node
 */
extern int status_cluster_set_node(status_cluster_t *c, int node,
				   int used_gpus, int users, bool exclusive,
				   int cond, tp_error_t *err);

/*
 * Add a copy of job (its strings and node_gpus are copied).
 * RET 0, or -1 (ENOMEM)
 */
extern int status_cluster_add_job(status_cluster_t *c,
				  const status_job_t *job);

/* A job shape: gpus > 0 GPUs anywhere, else nodes whole nodes. */
typedef struct {
	int gpus;
	int nodes;
	int max_leaves;		/* 0: no limit */
} status_shape_t;

/*
 * Read a shape: "64" or "gpus=64", "nodes=8", optionally followed by
 * ",leaves=K". RET 0, or -1 with err.
 */
extern int status_shape_parse(const char *text, status_shape_t *shape,
			      tp_error_t *err);

/* Capacity of a group of nodes (a leaf, an NVLink domain, the cluster). */
typedef struct {
	char *name;
	bool implicit;		/* a domain of one node topopack.conf does
				 * not declare */
	int nodes;		/* nodes in it */
	int gpus;		/* GPUs in it */
	int busy;		/* GPUs allocated, or held by exclusive jobs */
	int free;		/* GPUs free on usable nodes */
	int unavail;		/* GPUs neither: on down, drained, reserved */
	int idle_nodes;		/* usable nodes with nothing on them */
	int idle_gpus;		/* GPUs of those */
	int nodes_down;
	int nodes_drain;
	int nodes_reserved;
	int spares;		/* nodes kept for recovering and preemptable
				 * jobs (topopack.conf Spares=) */
	int spares_idle;	/* those with nothing on them, usable */
	int spares_gpus;	/* GPUs of the spares */
	int spares_free;	/* free GPUs of the usable spares */
} status_group_t;

/* Free slots of one shape: jobs that could start at once, disjointly. */
typedef struct {
	int size;		/* GPUs, or nodes */
	bool nodes;		/* size counts whole nodes */
	long leaf;		/* each job inside one leaf */
	long domain;		/* each job inside one NVLink domain */
	long any;		/* anywhere the switches join */
} status_slots_t;

/* A placement, found or measured. */
typedef struct {
	bool placed;		/* false: cannot start now (why says why) */
	char *hosts;		/* hostlist of its nodes, or NULL */
	int *node;		/* node indices (nnodes) */
	int nnodes;
	int gpus;
	int leaves;
	int domains;
	int max_hops;
	double efficiency;	/* tp_metrics(): predicted bus bandwidth
				 * over the best for its shape, 0 to 1 */
	int min_leaves;		/* least leaves the job could have on an
				 * idle fabric */
	char *why;		/* NULL, or why it was not placed */
} status_place_t;

typedef struct {
	const status_job_t *job;	/* in the cluster */
	status_place_t at;	/* running: where it is; pending: where it
				 * would start now */
	int outside;		/* nodes of it the fabric does not hold */
} status_jobq_t;

typedef struct {
	const status_cluster_t *cluster;
	status_group_t total;
	status_group_t *leaf;	/* in leaf order of topology.conf */
	int nleaves;
	status_group_t *domain;	/* in domain order of the fabric */
	int ndomains;
	uint8_t *node_use;	/* STATUS_USE_* per node */
	int *node_leaf;		/* leaf index per node */
	status_slots_t *slot;	/* GPU shapes, then node shapes */
	int nslots;
	double fragmentation;	/* see status_compute() */
	int largest_leaf_free;	/* most free GPUs in one leaf */
	bool has_where;
	status_shape_t where_shape;
	status_place_t where;	/* with has_where */
	status_jobq_t *running;	/* worst placed first */
	int nrunning;
	status_jobq_t *pending;	/* in input order */
	int npending;
} status_t;

/*
 * Compute the figures of a cluster.
 *
 * GPU counts: a node's free GPUs are those not allocated on a usable
 * (up, not reserved) node that no job holds exclusively.
 *
 * Free slots: for GPU shapes S = 8, 16, 32, ... (up to the cluster's
 * GPUs), a job may take any number of GPUs on any node of its block, so
 * the number that can start at once inside one block is floor(free GPUs
 * of the block / S); leaf and domain count the sum of that over leaves
 * and over NVLink domains, any over the groups of leaves some switch
 * joins. For node shapes N = 1, 2, 4, ... (up to the node count), the
 * same with idle nodes (usable, nothing allocated) for free GPUs.
 *
 * Fragmentation: the share of free GPUs that are not on idle nodes,
 * 1 - (GPUs of idle nodes) / (free GPUs); 0 with no free GPU. It is the
 * free capacity a whole-node job cannot use.
 *
 * Running jobs are sorted worst placed first: most leaves beyond the
 * least they could have (min_leaves), then most hops, leaves, domains.
 * IN where - shape to place now, or NULL
 * IN policy - placement policy for where and the pending jobs
 * RET the figures (free with status_free()), or NULL with err (ENOMEM)
 */
extern status_t *status_compute(const status_cluster_t *c,
				const status_shape_t *where,
				tp_policy_t policy, tp_error_t *err);
extern void status_free(status_t *st);

/* Name of a STATUS_USE_* value ("free", "partly", ...). */
extern const char *status_use_name(int use);

#endif /* _TOPOPACK_STATUS_MODEL_H */
