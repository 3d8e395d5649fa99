/*****************************************************************************\
 *  topopack_fabric.h - the fabric select/topopack places on, and the map
 *  between Slurm's node indices and the fabric's.
 *
 *  The fabric is the one topology/topopack read from topology.conf and
 *  the optional topopack.conf at this (re)configuration and published in
 *  libtopopack (with another TopologyPlugin, this plugin reads the files
 *  itself; errors follow topopack_conf.h either way). Each node's GPUs
 *  come from Slurm's own node records, so topology.conf with slurm.conf
 *  and gres.conf is a complete configuration. Nodes are matched by name;
 *  Slurm nodes the fabric does not name are left to cons_tres.
 *
 *  What the nodes hold is kept between calls (tp_live_t): job start, end,
 *  suspend, resume and resize touch the job's nodes, which are read again
 *  from the node records at the next placement. With DebugFlags=SelectType
 *  every placement first compares the whole state with a recount and
 *  logs any difference.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SELECT_FABRIC_H
#define _TOPOPACK_SELECT_FABRIC_H

#include "src/common/bitstring.h"
#include "src/common/node_conf.h"
#include "src/slurmctld/slurmctld.h"

#include "preempt_victims.h"
#include "slurmctld_weak.h"
#include "topopack.h"

typedef struct {
	tp_fabric_t *fabric;
	tp_state_t *idle;	/* all nodes up and idle; metrics read it */
	tp_live_t *live;	/* what the nodes hold, kept between calls */
	bitstr_t *offered;	/* Slurm nodes the last placement could use,
				 * NULL: all */
	int nnodes;		/* fabric nodes */
	int *leaf;		/* fabric node -> leaf number, 0.. */
	int *to_slurm;		/* fabric node -> Slurm node index, or -1 */
	int *to_fabric;		/* Slurm node index -> fabric node, or -1 */
	int slurm_count;	/* node_record_count the maps are for */
	node_record_t **slurm_table; /* node_record_table_ptr they are for */
	int outside;		/* Slurm nodes the fabric does not name */
} topopack_fabric_t;

/*
 * Take the process's fabric (reading the files first when TopologyPlugin
 * is not topology/topopack), give its nodes the GPUs Slurm counts for
 * them (slurm.conf Gres=, gres.conf; a topopack.conf that says otherwise
 * is logged node by node), and make it the one jobs are placed on. Needs
 * Slurm's node records with their GRES (select_p_reconfigure and later).
 * RET SLURM_SUCCESS, or SLURM_ERROR (logged) when there is none to place
 * on: cons_tres then places every job alone.
 */
extern int topopack_fabric_reload(void);

/*
 * Lock and return the current fabric with its node maps up to date with
 * Slurm's node table, or NULL (still locked) when there is none. Loads
 * the fabric if it was never loaded. Every call must be paired with
 * topopack_fabric_unlock().
 */
extern topopack_fabric_t *topopack_fabric_lock(void);
extern void topopack_fabric_unlock(void);

/*
 * The allocation state to place on now: the nodes of node_bitmap (Slurm's
 * node indices) available, changing only those that differ from the last
 * call, and the nodes touched since then read again from the node records
 * (node locks held). Only a placement may ask for it: at job begin the
 * records are not complete yet (slurmctld counts the job on its nodes
 * after select_p_job_begin).
 * IN tf - locked fabric
 * RET the live state
 */
extern const tp_state_t *topopack_fabric_state(topopack_fabric_t *tf,
					       bitstr_t *node_bitmap);

/* What a job's nodes hold changed (it started, ended, was suspended,
 * resumed or resized): read them again before the next placement. */
extern void topopack_fabric_touch_job(job_record_t *job_ptr);
/* The same for one Slurm node index. */
extern void topopack_fabric_touch_node(int index);
/* Every node (jobs recovered after a restart). */
extern void topopack_fabric_touch_all(void);

/* The locked fabric's node maps as the code shared with
 * topology/topopack takes them (valid while it stays locked). */
extern slurm_fabric_t topopack_fabric_slurm(const topopack_fabric_t *tf);

/* Match the nodes again at the next lock (Slurm rebuilt its node table). */
extern void topopack_fabric_remap(void);

/* Drop the current fabric (plugin fini). */
extern void topopack_fabric_drop(void);

#endif /* _TOPOPACK_SELECT_FABRIC_H */
