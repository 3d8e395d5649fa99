/*****************************************************************************\
 *  ibnet_tree.h - the switch tree of an InfiniBand fabric, for
 *  topology.conf: leaves (switches with adapters below them), the levels
 *  above them, and the hosts under each leaf.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_IBNET_TREE_H
#define _TOPOPACK_IBNET_TREE_H

#include "ibnet.h"

/* Names given to adapters by a map file: "NAME HOST" lines (ibnetdiscover
 * name or GUID, then the host), as sites keep them for ibnetdiscover's
 * --node-name-map. */
typedef struct {
	char **name;
	char **host;
	int count;
} ibnet_map_t;

/*
 * Read a map file: one "NAME HOST" pair a line, '#' comments.
 * RET 0, or -1 with err "file:line: problem"
 */
extern int ibnet_map_read(FILE *f, const char *name, ibnet_map_t *map,
			  tp_error_t *err);
extern void ibnet_map_free(ibnet_map_t *map);

/*
 * The host an adapter belongs to: the map's, else the first word of its
 * node description ("gpu001 mlx5_0" gives gpu001) unless the description
 * is a factory default (it names Mellanox/NVIDIA or starts "MT<digits>"),
 * else its ibnetdiscover name. map may be NULL.
 * RET a malloc'd name
 */
extern char *ibnet_host(const ibnet_node_t *ca, const ibnet_map_t *map);

/* The level of an adapter, or of a switch no leaf reaches. */
#define IBNET_NO_LEVEL (-1)
/* The level of a switch above a level that is not all cabled up. */
#define IBNET_CUT (-2)

typedef struct {
	int *level;		/* by node: switch level (0 leaf), or
				 * IBNET_NO_LEVEL, IBNET_CUT */
	int levels;		/* switch levels kept */
	int cut;		/* switches cut */
} ibnet_tree_t;

/*
 * Level every switch: 0 for a switch with an adapter on one of its ports,
 * then by distance in switch hops from the nearest leaf. A tree needs
 * every switch below the top level to have a parent: when some switch of
 * a level L >= 1 has no neighbour of level L + 1 (a switch cabled to
 * only some of the spines), the levels above L are cut and their
 * switches counted in tree->cut.
 * RET 0, or -1 (ENOMEM)
 */
extern int ibnet_tree(const ibnet_t *net, ibnet_tree_t *tree);
extern void ibnet_tree_free(ibnet_tree_t *tree);

/*
 * Write topology.conf for the tree: a SwitchName line per leaf with
 * Nodes= its hosts, then per switch above with Switches= its neighbours
 * one level below, in the order of the dump; hosts and switches as
 * Slurm hostlists.
 * RET 0, or -1 (ENOMEM, or a write error)
 */
extern int ibnet_tree_write(FILE *out, const ibnet_t *net,
			    const ibnet_tree_t *tree, const ibnet_map_t *map);

#endif /* _TOPOPACK_IBNET_TREE_H */
