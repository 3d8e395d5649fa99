/*****************************************************************************\
 *  topopack_fabric.h - the fabric select/topopack places on, and the map
 *  between Slurm's node indices and the fabric's.
 *
 *  slurmctld loads topology.conf and the optional topopack.conf (found as
 *  Slurm finds its other configuration files) once, and again at every
 *  reconfiguration. A file with an error leaves select/topopack without a
 *  fabric: it then hands every job to select/cons_tres unchanged and says
 *  so once, rather than stopping the controller. Nodes are matched by
 *  name; Slurm nodes the fabric does not name are left to cons_tres.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_FABRIC_H
#define _TOPOPACK_FABRIC_H

#include "src/common/node_conf.h"

#include "topopack.h"

typedef struct {
	tp_fabric_t *fabric;
	tp_state_t *idle;	/* all nodes up and idle; metrics read it */
	int nnodes;		/* fabric nodes */
	int *leaf;		/* fabric node -> leaf number, 0.. */
	int *to_slurm;		/* fabric node -> Slurm node index, or -1 */
	int *to_fabric;		/* Slurm node index -> fabric node, or -1 */
	int slurm_count;	/* node_record_count the maps are for */
	node_record_t **slurm_table; /* node_record_table_ptr they are for */
	int outside;		/* Slurm nodes the fabric does not name */
} topopack_fabric_t;

/*
 * Load topology.conf and topopack.conf (when present) from Slurm's
 * configuration directory and make them the current fabric, replacing
 * the previous one. On error the current fabric is dropped (the files no
 * longer describe the cluster) and the error, with file:line, is logged.
 * RET SLURM_SUCCESS or SLURM_ERROR.
 */
extern int topopack_fabric_reload(void);

/*
 * Lock and return the current fabric with its node maps brought up to
 * date with Slurm's node table, or NULL (still locked) when there is
 * none. Every call must be paired with topopack_fabric_unlock().
 */
extern topopack_fabric_t *topopack_fabric_lock(void);
extern void topopack_fabric_unlock(void);

/* Match the nodes again at the next lock (Slurm rebuilt its node table). */
extern void topopack_fabric_remap(void);

/* Drop the current fabric (plugin fini). */
extern void topopack_fabric_drop(void);

#endif /* _TOPOPACK_FABRIC_H */
