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

/* What an adapter is to the tree (role[i] for node i). */
enum {
	IBNET_IGNORED,		/* not there for hosts: a switch's own
				 * aggregation node, or no adapter */
	IBNET_COMPUTE,		/* a compute host's adapter */
	IBNET_OTHER,		/* anything else: storage, an unnamed
				 * adapter, a router */
};

/*
 * Level every switch: 0 for a switch with a compute adapter on one of its
 * ports (by role; every adapter is a compute one when role is NULL),
 * then by distance in switch hops from the nearest leaf. A switch whose
 * adapters are all IBNET_OTHER stays out of the tree (IBNET_NO_LEVEL): it
 * would otherwise pass for a level above the spines. A tree needs
 * every switch below the top level to have a parent: when some switch of
 * a level L >= 1 has no neighbour of level L + 1 (a switch cabled to
 * only some of the spines), the levels above L are cut and their
 * switches counted in tree->cut.
 * RET 0, or -1 (ENOMEM)
 */
extern int ibnet_tree(const ibnet_t *net, const unsigned char *role,
		      ibnet_tree_t *tree);

/* RET whether switch i has a port cabled to an adapter or router. */
extern bool ibnet_tree_holds_devices(const ibnet_t *net, int i);
extern void ibnet_tree_free(ibnet_tree_t *tree);

#endif /* _TOPOPACK_IBNET_TREE_H */
