/*****************************************************************************\
 *  ibnet_write.h - the files written from a fabric: topology.conf (tree
 *  or block form), topopack.conf, JSON, and the anomaly report.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_IBNET_WRITE_H
#define _TOPOPACK_IBNET_WRITE_H

#include "ibnet_fabric.h"

/*
 * Every function writes to out and returns 0, or -1 with errno (ENOMEM,
 * or the stream's error).
 */

/*
 * topology.conf for topology/tree and topopack: a SwitchName line per
 * leaf group (a leaf, or a scalable unit of rail leaves) with Nodes= its
 * hosts, then per switch above with Switches= what it is cabled to one
 * level below; names as Slurm hostlists.
 */
extern int ibnet_write_topology(FILE *out, const ibnet_fabric_t *fab);

/* topology.conf for topology/block: a BlockName line per leaf group. */
extern int ibnet_write_block(FILE *out, const ibnet_fabric_t *fab);

/*
 * topopack.conf: NodeName lines with the hosts' adapter counts and link
 * speeds (Nics=, NicSpeed=), and a SwitchName line per leaf group with
 * its uplinks (Uplinks=, UplinkSpeed=); a unit's rail leaves are listed
 * with theirs in comments above its line.
 */
extern int ibnet_write_topopack(FILE *out, const ibnet_fabric_t *fab);

/* One JSON object: switches, leaf groups, hosts and anomalies. */
extern int ibnet_write_json(FILE *out, const ibnet_fabric_t *fab);

/* The anomalies, one "kind: text" line each. */
extern int ibnet_write_report(FILE *out, const ibnet_fabric_t *fab);

#endif /* _TOPOPACK_IBNET_WRITE_H */
