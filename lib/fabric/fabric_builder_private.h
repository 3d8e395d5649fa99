/*****************************************************************************\
 *  fabric_builder_private.h - layout of the fabric builder, shared by the
 *  code that collects elements and the code that validates and freezes
 *  them into a tp_fabric_t.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_FABRIC_BUILDER_PRIVATE_H
#define _TOPOPACK_FABRIC_BUILDER_PRIVATE_H

#include "fabric_private.h"
#include "name_index_private.h"

#define TP_MAX_NODE_GPUS 1024

typedef struct {
	char *name;
	char *file;		/* where it was declared */
	int line;
	char **child_names;	/* Switches= as written */
	int nchild_names, child_cap;
	int *children;		/* resolved in finish */
	int *nodes;		/* builder node indices */
	int nnodes, node_cap;
	int uplinks;
	double uplink_gbps;
	int spares;		/* Spares= of a leaf, 0: none */
	char *members;		/* Nodes= or Switches= as written */
	char *link_speed;	/* LinkSpeed= as written, or NULL */
} tp_bswitch_t;

typedef struct {
	char *name;
	char *file;
	int line;
	int leaf;		/* switch index, -1 until placed */
	int domain;		/* -1: its own domain */
	int gpus;		/* -1: default */
	int gpu_type;
	int nics;
	char *nic_names;
	double nic_gbps;	/* 0: default */
} tp_bnode_t;

typedef struct {
	char *name;
	char *file;
	int line;
	int *nodes;
	int nnodes, node_cap;
	double nvlink_gbps;	/* 0: default */
	int spares;		/* Spares=, 0: none */
} tp_bdomain_t;

struct tp_builder {
	tp_bswitch_t *switches;
	int nswitches, switch_cap;
	tp_bnode_t *nodes;
	int nnodes, node_cap;
	tp_bdomain_t *domains;
	int ndomains, domain_cap;
	char **types;
	int ntypes, type_cap;
	char **recover_parts;	/* partitions whose jobs recover by default */
	int nrecover_parts, recover_part_cap;

	tp_name_index_t *node_index;
	tp_name_index_t *switch_index;
	tp_name_index_t *domain_index;
	tp_name_index_t *type_index;

	int default_gpus;
	bool default_gpus_given; /* topopack.conf has NodeName=DEFAULT Gpus= */
	double default_nic_gbps;
	double default_nvlink_gbps;

	char *file;		/* current tp_builder_where() */
	int line;

	/* An allocation failed: the builder holds less than it was given,
	 * so later additions fail and tp_builder_finish() refuses it. */
	bool nomem;
};

/* Fill err with "file:line: " (when file is set) and the message. */
extern void tp_builder_error(const tp_builder_t *b, const char *file,
			     int line, tp_error_t *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Fill err (when not NULL) with "out of memory" and set errno to ENOMEM.
 * RET -1 */
extern int tp_builder_nomem(tp_error_t *err);

/* Build the block tree of a fabric whose nodes, switches and domains are
 * set. RET 0 or -1 (ENOMEM). Defined in fabric_blocks.c. */
extern int tp_fabric_build_blocks(tp_fabric_t *f);

/* Count the GPUs of every block and of the whole fabric again, from the
 * nodes' (after an inventory changed them). Defined in fabric_blocks.c. */
extern void tp_fabric_count_gpus(tp_fabric_t *f);

#endif /* _TOPOPACK_FABRIC_BUILDER_PRIVATE_H */
