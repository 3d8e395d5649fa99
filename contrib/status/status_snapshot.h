/*****************************************************************************\
 *  status_snapshot.h - a cluster's usage and jobs from a text snapshot,
 *  for offline use and for tests. One record a line; blank lines and
 *  text after '#' are ignored:
 *
 *    node NAMES [gpus_used=N] [jobs=K] [exclusive] [state=up|down|drain|
 *	reserved]
 *    job ID [user=U] [name=N] state=R|PD [gpus=N] [nodes=HOSTLIST]
 *	[nnodes=N] [node_gpus=A,B,...]
 *
 *  NAMES is a hostlist expression; nodes not named are up and idle.
 *  A node's jobs default to 1 when it has GPUs in use.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_STATUS_SNAPSHOT_H
#define _TOPOPACK_STATUS_SNAPSHOT_H

#include <stdio.h>

#include "status_model.h"

/*
 * Read a snapshot of the nodes and jobs of fabric.
 * IN f - the snapshot, read to its end
 * IN path - its name in error messages
 * IN fabric - the fabric, owned by the cluster returned (freed on failure)
 * RET a cluster, or NULL with err ("path:line: problem", or ENOMEM)
 */
extern status_cluster_t *status_snapshot_read(FILE *f, const char *path,
					      tp_fabric_t *fabric,
					      tp_error_t *err);

#endif /* _TOPOPACK_STATUS_SNAPSHOT_H */
