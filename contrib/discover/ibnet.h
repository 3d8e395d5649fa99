/*****************************************************************************\
 *  ibnet.h - an InfiniBand fabric as ibnetdiscover prints it: switches,
 *  channel adapters (HCAs) and routers, and the links between their ports.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_IBNET_H
#define _TOPOPACK_IBNET_H

#include <stdbool.h>
#include <stdio.h>

#include "topopack.h"

typedef enum {
	IBNET_SWITCH,
	IBNET_CA,
	IBNET_ROUTER,
} ibnet_kind_t;

/* One cable, seen from one of its ends. */
typedef struct {
	int port;		/* local port number */
	int peer;		/* index of the node at the other end */
	int peer_port;
	char rate[16];		/* width and speed, e.g. "4xHDR"; "" unknown */
} ibnet_link_t;

typedef struct {
	ibnet_kind_t kind;
	char *name;		/* ibnetdiscover's name: "S-<guid>", "H-<guid>" */
	char *desc;		/* node description ("gpu001 mlx5_0", or a
				 * factory default such as "MT4129 ConnectX7
				 * Mellanox Technologies") */
	int nports;
	ibnet_link_t *link;
	int nlinks;
	int line;		/* where its header is */
} ibnet_node_t;

typedef struct {
	ibnet_node_t *node;
	int count;
} ibnet_t;

/*
 * Read ibnetdiscover's output (its default format, as written by
 * infiniband-diags 1.x to 50). Links are recorded from both ends when the
 * dump shows both, and from the other end too when it shows one; a link
 * to a node the dump never describes is an error.
 * IN f - the stream; name - its name for messages ("-" for stdin)
 * OUT err - on failure "name:line: problem"
 * RET the fabric (free with ibnet_free()), or NULL with err set
 */
extern ibnet_t *ibnet_read(FILE *f, const char *name, tp_error_t *err);

extern void ibnet_free(ibnet_t *net);

/* RET index of the node named name ("S-..."/"H-..."), or -1. */
extern int ibnet_find(const ibnet_t *net, const char *name);

#endif /* _TOPOPACK_IBNET_H */
