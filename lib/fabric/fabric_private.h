/*****************************************************************************\
 *  fabric_private.h - internal representation of the fabric model and the
 *  builder that config readers and generators fill.
 *
 *  Placement works on a tree of blocks: node < NVLink domain piece < leaf <
 *  switch groups of level 1, 2, ... Nodes are renumbered in depth-first
 *  block order ("placement order") so that every block covers a contiguous
 *  range of that order and aggregates are cheap.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_FABRIC_PRIVATE_H
#define _TOPOPACK_FABRIC_PRIVATE_H

#include "topopack.h"

typedef struct {
	char *name;
	int gpus;		/* GPUs on the node */
	int gpu_type;		/* index in fabric->gpu_types, -1 = untyped */
	int leaf;		/* index of its leaf switch */
	int domain;		/* index of its NVLink domain */
	int order;		/* position in placement order */
	int block;		/* its node-level block */
	double nic_gbps;	/* per NIC */
	int nics;		/* NICs on the node (0: one per GPU) */
	char *nic_names;	/* comma separated, or NULL */
	int conf_gpus;		/* what topopack.conf gives (or 0) ... */
	int conf_gpu_type;	/* ... before an inventory's */
	bool gpus_stated;	/* topopack.conf states its GPUs */
	bool spare;		/* kept for recovery (Spares= of its leaf
				 * or domain) */
} tp_node_t;

typedef struct {
	char *name;
	int level;		/* 0 = leaf, as Slurm's switch levels */
	int *children;		/* child switch indices */
	int nchildren;
	int *nodes;		/* node indices, leaf switches only */
	int nnodes;
	int uplinks;		/* 0: non-blocking */
	double uplink_gbps;
	int spares;		/* leaf switches: Spares=, 0: none */
	int block;		/* leaf switches: their leaf block */
	char *file;		/* where its line is, or NULL */
	int line;
	char *members;		/* Nodes= or Switches= as written, or NULL */
	char *link_speed;	/* LinkSpeed= as written, or NULL */
} tp_switch_t;

typedef struct {
	char *name;
	int *nodes;
	int nnodes;
	double nvlink_gbps;	/* per GPU */
	int spares;		/* Spares=, 0: none */
	bool implicit;		/* a node's own NVSwitch, not configured */
} tp_domain_t;

typedef struct {
	int level;		/* TP_LVL_* */
	int parent;		/* block index, -1 for a root */
	int first_child;	/* index into fabric->child_list */
	int nchildren;
	int lo, hi;		/* node range in placement order [lo, hi) */
	int gpus;		/* GPUs in the block */
	int id;			/* node, domain, switch (leaf) or first switch */
	bool flat;		/* every domain piece below is a single node */
} tp_block_t;

struct tp_fabric {
	tp_node_t *nodes;
	int nnodes;
	tp_switch_t *switches;
	int nswitches;
	tp_domain_t *domains;
	int ndomains;
	char **gpu_types;
	int ngpu_types;
	char **recover_parts;	/* topopack.conf PartitionName= Recover=yes */
	int nrecover_parts;

	int nlevels;		/* placement levels in use (>= 3) */
	tp_block_t *blocks;	/* parents before children, roots first */
	int nblocks;
	int *child_list;
	int *level_blocks;	/* blocks grouped by level, in order */
	int level_first[TP_MAX_LEVELS + 1]; /* level l: [first[l], first[l+1]) */
	int level_max_nodes[TP_MAX_LEVELS]; /* largest block of each level */
	int level_max_gpus[TP_MAX_LEVELS];
	int *order_node;	/* placement order -> node index */
	int *ancestor;		/* ancestor[node * nlevels + level] */
	int max_gpus;		/* largest node */
	int min_gpus;		/* smallest node */
	int total_gpus;
	double nvlink_gbps;	/* default per-GPU NVLink bandwidth */

	struct tp_name_index *name_index; /* node name -> index */
	struct tp_best_cache *best_cache; /* place/metrics_best.c's best
					   * bandwidth per shape, filled
					   * on demand under its lock */

	/* fabric_shared.c's, under its lock: */
	int holders;		/* tp_fabric_hold() calls not yet put */
	bool retired;		/* published, then replaced */
};

/* RET block index of the ancestor of node at level. */
static inline int tp_ancestor(const tp_fabric_t *f, int node, int level)
{
	return f->ancestor[node * f->nlevels + level];
}

/*****************************************************************************\
 *  Builder: what config readers and generators fill. Names are resolved and
 *  the whole model validated in tp_builder_finish(); every element records
 *  where it came from so errors name file and line. When memory runs out,
 *  the call fails with ENOMEM and "out of memory", as do the later calls
 *  that add to the builder and tp_builder_finish(): it can only be freed.
\*****************************************************************************/

typedef struct tp_builder tp_builder_t;

extern tp_builder_t *tp_builder_new(void);
extern void tp_builder_free(tp_builder_t *b);

/* Set where the following additions come from (file may be NULL). Out
 * of memory, the next call that adds to the builder fails. */
extern void tp_builder_where(tp_builder_t *b, const char *file, int line);

/*
 * Declare a switch. RET its index, or -1 with err on a duplicate name.
 */
extern int tp_builder_add_switch(tp_builder_t *b, const char *name,
				 tp_error_t *err);
/* Keep the switch's Nodes= or Switches= value and LinkSpeed= (NULL:
 * none) as written, for the resource manager's own switch table. */
extern int tp_builder_switch_text(tp_builder_t *b, int sw,
				  const char *members, const char *link_speed,
				  tp_error_t *err);

/* RET index of a declared switch, or -1. */
extern int tp_builder_find_switch(tp_builder_t *b, const char *name);

/* Record that switch sw lists child switch "child" (resolved later). */
extern int tp_builder_add_child(tp_builder_t *b, int sw, const char *child,
				tp_error_t *err);

/* Record that leaf switch sw lists node "node"; the node is created on
 * first mention. RET -1 with err when the node is already under a leaf. */
extern int tp_builder_add_node(tp_builder_t *b, int sw, const char *node,
			       tp_error_t *err);

/* Node attributes from topopack.conf. RET -1 with err for unknown node. */
extern int tp_builder_node_gpus(tp_builder_t *b, const char *node, int gpus,
				const char *gpu_type, tp_error_t *err);
extern int tp_builder_node_nics(tp_builder_t *b, const char *node,
				int nics, const char *nic_names,
				double nic_gbps, tp_error_t *err);

/* Switch link attributes from topopack.conf. RET -1 for unknown switch. */
extern int tp_builder_switch_links(tp_builder_t *b, const char *sw,
				   int uplinks, double uplink_gbps,
				   tp_error_t *err);

/*
 * Keep the last n nodes of a leaf switch (in the order topology.conf lists
 * them) or of an NVLink domain (in the order of its Nodes=) for recovery.
 * RET 0, or -1 with err when the switch is unknown or not a leaf, or n is
 * not less than the block's node count (a block of spares only would run
 * no ordinary job at all).
 */
extern int tp_builder_switch_spares(tp_builder_t *b, const char *sw, int n,
				    tp_error_t *err);
extern int tp_builder_domain_spares(tp_builder_t *b, int domain, int n,
				    tp_error_t *err);

/* Whether the jobs of a partition recover from a node failure by default
 * (topopack.conf PartitionName= Recover=); the last line for a partition
 * wins. RET 0, or -1 (ENOMEM). */
extern int tp_builder_partition_recover(tp_builder_t *b, const char *part,
					bool recover, tp_error_t *err);

/* Declare an NVLink domain. RET its index or -1 on duplicate name. */
extern int tp_builder_add_domain(tp_builder_t *b, const char *name,
				 double nvlink_gbps, tp_error_t *err);
/* Put a node in a domain. RET -1 for unknown node or a node already in
 * another domain. */
extern int tp_builder_domain_node(tp_builder_t *b, int domain,
				  const char *node, tp_error_t *err);

/* Defaults for nodes with no explicit value. */
extern void tp_builder_defaults(tp_builder_t *b, int gpus, double nic_gbps,
				double nvlink_gbps);

/*
 * Resolve names, check the model (missing child, cycle, switch without
 * children, node with no GPUs where any has some ...), compute levels and
 * the block tree. Consumes the builder in both cases.
 * RET the fabric, or NULL with err naming file:line of the culprit, or
 *	with ENOMEM and "out of memory" (also when an earlier builder call
 *	ran out of memory).
 */
extern tp_fabric_t *tp_builder_finish(tp_builder_t *b, tp_error_t *err);

#endif /* _TOPOPACK_FABRIC_PRIVATE_H */
