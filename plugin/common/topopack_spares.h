/*****************************************************************************\
 *  topopack_spares.h - spare nodes: which jobs may run on them.
 *
 *  topopack.conf's Spares= keeps nodes of a leaf or an NVLink domain for
 *  jobs recovering from a node failure (tp_fabric_node_spare()). Only
 *  work a recovering job could take the node from may run there
 *  meanwhile: jobs whose preempt mode is not OFF (slurm_job_preempt_mode,
 *  e.g. a scavenger partition or QOS), and the recovering jobs
 *  themselves (those with a recovery hold, topopack_hold.h). Every other
 *  job is placed as if the spares were not there, so a replacement for a
 *  failed node is at most one preemption away inside its block.
 *
 *  Shared by select/topopack (22.05) and topology/topopack's
 *  topology_p_eval_nodes (24.11 and later): each adapter passes its map
 *  from Slurm node indices to fabric nodes.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SPARES_H
#define _TOPOPACK_SPARES_H

#include <stdbool.h>

#include "src/common/bitstring.h"
#include "src/slurmctld/slurmctld.h"

#include "topopack.h"

/*
 * RET whether job_ptr may run on spare nodes: it has a recovery hold, or
 * it may be preempted (its preempt mode is not OFF).
 */
extern bool topopack_spares_allowed(job_record_t *job_ptr);

/*
 * Take the fabric's spare nodes out of node_bitmap (usable nodes of a
 * placement) when job_ptr may not use them; logged under
 * DebugFlags=SelectType.
 * IN fabric - the fabric placed on
 * IN to_fabric - Slurm node index -> fabric node or -1, count entries
 * IN/OUT node_bitmap - Slurm node indices
 * RET the number of nodes taken out
 */
extern int topopack_spares_narrow(job_record_t *job_ptr,
				  const tp_fabric_t *fabric,
				  const int *to_fabric, int count,
				  bitstr_t *node_bitmap);

/*
 * RET ", spares <hostlist> (topopack.conf Spares=)" for the fabric's
 * spares, to end the adapters' "fabric:" log line, or "" when it has
 * none; xfree it.
 */
extern char *topopack_spares_describe(const tp_fabric_t *fabric);

#endif /* _TOPOPACK_SPARES_H */
