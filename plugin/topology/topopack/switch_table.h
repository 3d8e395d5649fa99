/*****************************************************************************\
 *  switch_table.h - Slurm's switch_record_table built from a topopack
 *  fabric.
 *
 *  Slurm's own features that know the network (scontrol show topology,
 *  --switches=N@time, cons_tres's _eval_nodes_topo, route/topology,
 *  node topology addresses) read switch_record_table, switch_record_cnt
 *  and switch_levels. This file fills them from the fabric model so that
 *  they hold what topology/tree puts there for the same topology.conf.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_TOPOLOGY_SWITCH_TABLE_H
#define _TOPOPACK_TOPOLOGY_SWITCH_TABLE_H

#include "topopack.h"

/*
 * Replace switch_record_table, switch_record_cnt and switch_levels with
 * the switches of a fabric, field by field as topology/tree sets them:
 *	name, level (leaf 0, else one above its highest child),
 *	link_speed (LinkSpeed=, default 1),
 *	nodes (leaves: Nodes= as written; others: their nodes, ranged),
 *	switches (Switches= as written; NULL for leaves),
 *	node_bitmap (every node below the switch, by Slurm node index),
 *	num_switches and switch_index (direct children, in Switches= order),
 *	parent (the last switch, in file order, that lists it; 0 for a
 *		switch no other switch lists, as topology/tree leaves it),
 *	num_desc_switches and switch_desc_index (every switch below),
 *	switches_dist (links between two switches, INFINITE if none).
 * Needs Slurm's node table (node_record_table_ptr, node_record_count).
 * IN fabric - the fabric
 * OUT err - on failure, "file:line: problem", e.g. a node that slurm.conf
 *	does not define
 * RET 0, or -1 with err set; on failure the previous table is kept
 */
extern int topopack_switch_table_build(const tp_fabric_t *fabric,
				       tp_error_t *err);

/* Free switch_record_table and zero switch_record_cnt and switch_levels. */
extern void topopack_switch_table_free(void);

/*
 * Log the table at debug level (one line per switch, and its distances)
 * and report, as topology/tree does, nodes no switch reaches and the lack
 * of a switch that reaches every node.
 */
extern void topopack_switch_table_log(void);

#endif /* _TOPOPACK_TOPOLOGY_SWITCH_TABLE_H */
