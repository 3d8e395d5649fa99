/*****************************************************************************\
 *  topology_eval.h - topology/topopack's choice of nodes under
 *  select/cons_tres (Slurm 24.11 and later).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_TOPOLOGY_EVAL_H
#define _TOPOPACK_TOPOLOGY_EVAL_H

#include "src/interfaces/topology.h"

/* Slurm's own evaluation of a node set (topology/tree's). */
typedef int (*topology_eval_fn_t)(topology_eval_t *topo_eval);

/*
 * Choose nodes for topo_eval->job_ptr, as topology_p_eval_nodes must.
 *
 * cons_tres calls this several times per job and scheduling pass (run
 * now, will run, test only, preemption trials), and does not say which:
 * the choice is made from what the call offers alone, never from a view
 * of the cluster kept elsewhere. The offer is topo_eval->node_map (the
 * nodes that may be used) and avail_res_array (per node, avail_gpus:
 * the GPUs this job could get there). The engine places the job on the
 * fabric with those GPUs free and the other nodes unavailable; node_map
 * is narrowed to its nodes and stock evaluates them (it lays out cores
 * and GRES, and checks what the engine does not model: CPUs, memory,
 * sockets). Jobs the engine does not place (topopack_request.h; jobs
 * that ask for no GPU; a fabric that does not cover the offer), or that
 * stock cannot lay out on the engine's nodes, are left to stock on the
 * whole offer.
 * RET what stock returns: SLURM_SUCCESS with node_map the nodes chosen
 */
extern int topopack_eval_nodes(topology_eval_t *topo_eval,
			       topology_eval_fn_t stock);

/*
 * Fragmentation of the free nodes in node_mask: how many of them sit in
 * leaves that are not wholly free (and so cannot be given whole to a
 * leaf-sized job). 0 with no fabric.
 */
extern uint32_t topopack_eval_fragmentation(bitstr_t *node_mask);

/* Free what the choices keep between calls (at fini). */
extern void topopack_eval_fini(void);

#endif /* _TOPOPACK_TOPOLOGY_EVAL_H */
