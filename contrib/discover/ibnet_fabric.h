/*****************************************************************************\
 *  ibnet_fabric.h - what a scheduler needs of an InfiniBand fabric: the
 *  compute hosts and their adapters, the leaf groups hosts sit under
 *  (a leaf, or a scalable unit of rail leaves), uplinks, and what in the
 *  cabling does not fit.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_IBNET_FABRIC_H
#define _TOPOPACK_IBNET_FABRIC_H

#include <regex.h>

#include "ibnet_tree.h"

/* How adapters are named after hosts. */
typedef struct {
	const ibnet_map_t *map;	/* NULL, or "NAME HOST" pairs */
	const regex_t *hosts;	/* NULL, or a pattern on the node
				 * description: its first group (or the whole
				 * match) is the host; an adapter it does not
				 * match is no compute adapter */
} ibnet_naming_t;

typedef struct {
	char *name;
	int *ca;		/* its compute adapters (node indices) */
	int nca;
	int unit;		/* index in fabric->unit */
	double nic_gbps;	/* fastest adapter link, 0 unknown */
} ibnet_host_t;

/*
 * A leaf group: the switches one host's adapters are cabled to. On a
 * plain fabric one leaf; on a rail-optimised one, the unit's rail
 * leaves, ordered by rail (the adapter name most of their hosts use
 * there: "mlx5_0", "mlx5_1", ...).
 */
typedef struct {
	char *name;		/* the leaf's switch name, or "su<N>" */
	int *leaf;		/* node indices */
	int nleaves;
	int nhosts;
} ibnet_unit_t;

typedef enum {
	IBNET_MISSING_RAIL,	/* a host not cabled to every rail leaf of
				 * its unit */
	IBNET_SHARED_LEAF,	/* two adapters of a host on one leaf */
	IBNET_WRONG_RAIL,	/* an adapter on a rail other hosts reach
				 * with another adapter (swapped cables) */
	IBNET_TWO_UNITS,	/* a host cabled to leaves of two units */
	IBNET_FEW_UPLINKS,	/* fewer uplinks than most switches of its
				 * level */
	IBNET_UNKNOWN_DEVICE,	/* an adapter or router that is no compute
				 * adapter */
	IBNET_NO_HOSTS,		/* a switch with adapters, none of them
				 * compute ones */
	IBNET_UNREACHED,	/* a switch no leaf reaches */
	IBNET_CUT_LEVEL,	/* a switch above a level that is not all
				 * cabled up: left out */
} ibnet_anomaly_kind_t;

typedef struct {
	ibnet_anomaly_kind_t kind;
	int node;		/* the device it is about */
	char *text;		/* one line, without newline */
} ibnet_anomaly_t;

typedef struct {
	const ibnet_t *net;
	ibnet_tree_t tree;
	char **switch_name;	/* by node: the name written for a switch */
	char **rail;		/* by node: a leaf's rail, the adapter name
				 * most of its hosts use there ("mlx5_3");
				 * "" unknown */
	int *host_of;		/* by node: host of a compute adapter, -1 */
	int *unit_of;		/* by node: unit of a leaf, -1 */
	int *uplinks;		/* by node: cables to the level above */
	double *uplink_gbps;	/* by node: their fastest rate, 0 unknown */
	ibnet_host_t *host;	/* in hostlist order */
	int nhosts;
	ibnet_unit_t *unit;	/* in the order of their first host */
	int nunits;
	int rails;		/* leaves most hosts are cabled to (1 on a
				 * plain fabric) */
	int aggregation_nodes;	/* SHARP aggregation nodes, not compute */
	ibnet_anomaly_t *anomaly;
	int nanomalies;
} ibnet_fabric_t;

/*
 * The host an adapter belongs to: the map's, else what the hosts pattern
 * picks from its node description, else the first word of the
 * description ("gpu001 mlx5_0" gives gpu001) unless the description is a
 * factory default (it names Mellanox/NVIDIA or starts "MT<digits>").
 * naming may be NULL.
 * RET a malloc'd name, or NULL: no compute adapter (errno ENOMEM if
 * memory ran out)
 */
extern char *ibnet_host(const ibnet_node_t *ca, const ibnet_naming_t *naming);

/*
 * Build the scheduler's view of net: name the compute adapters' hosts,
 * level the switches from the leaves that hold them, group hosts by the
 * set of leaves they are cabled to, and list the anomalies. Switches are
 * named by their node descriptions when every kept switch has a distinct
 * one-word description, else by ibnetdiscover's names ("S-<guid>").
 * IN net - the fabric, kept referenced by fab
 * RET 0, or -1 with errno ENOMEM (nothing to free)
 */
extern int ibnet_fabric_build(const ibnet_t *net, const ibnet_naming_t *naming,
			      ibnet_fabric_t *fab);
extern void ibnet_fabric_free(ibnet_fabric_t *fab);

/* RET the short name of an anomaly kind ("missing-rail", ...). */
extern const char *ibnet_anomaly_name(ibnet_anomaly_kind_t kind);

/*
 * The data rate of a link rate as ibnetdiscover prints it ("4xHDR" is 200,
 * "4xQDR" 40, "4xFDR" 56).
 * RET Gb/s, or 0 when the rate is not known
 */
extern double ibnet_rate_gbps(const char *rate);

#endif /* _TOPOPACK_IBNET_FABRIC_H */
