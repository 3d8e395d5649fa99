/*****************************************************************************\
 *  topology_topopack.h - what every release's entry points of
 *  topology/topopack share: the fabric in force.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_TOPOLOGY_H
#define _TOPOPACK_TOPOLOGY_H

#include "topopack.h"

/*
 * Fit a fabric to Slurm's node table (22.05: build the switch table from
 * it). RET 0, or -1 with err set ("file:line: problem"): the fabric is
 * then refused.
 */
typedef int (*topology_fit_t)(const tp_fabric_t *fabric, tp_error_t *err);

/*
 * Read topology.conf and the optional topopack.conf and make the result
 * the fabric in force (published in libtopopack for the placements of
 * this daemon), after fit accepts it (fit may be NULL). Files with an
 * error follow topopack_conf.h: no start without a fabric, else the
 * fabric in force stays and is fitted again to the new node table.
 * Logs one line that sums up the fabric (info in slurmctld).
 */
extern void topology_fabric_load(topology_fit_t fit);

/* Withdraw the fabric this plugin published (at fini). */
extern void topology_fabric_unload(void);

#endif /* _TOPOPACK_TOPOLOGY_H */
