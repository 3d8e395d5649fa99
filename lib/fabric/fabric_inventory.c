/*****************************************************************************\
 *  fabric_inventory.c - the resource manager's GPU counts over
 *  topopack.conf's.
 *
 *  Slurm already knows every node's GPUs (slurm.conf Gres=, gres.conf);
 *  asking the administrator to write them again in topopack.conf only
 *  makes room for the two to disagree. So the inventory wins, and a
 *  topopack.conf that says otherwise is told about, node by node.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fabric_builder_private.h"

/* The type a builder node has, or NULL. */
static const char *_type(const tp_builder_t *b, const tp_bnode_t *bn)
{
	return bn->gpu_type >= 0 ? b->types[bn->gpu_type] : NULL;
}

static bool _same_type(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void _tell(const tp_inventory_t *inv, const tp_bnode_t *bn, int gpus,
		  const char *type, const tp_node_gpus_t *truth)
{
	char text[320];

	if (!inv->differs)
		return;
	snprintf(text, sizeof(text),
		 "node %s: topopack.conf gives %d GPUs%s%s, Slurm %d%s%s (slurm.conf/gres.conf); Slurm's are used",
		 bn->name, gpus, type ? " of type " : "", type ? type : "",
		 truth->gpus, truth->gpu_type ? " of type " : "",
		 truth->gpu_type ? truth->gpu_type : "");
	inv->differs(inv->arg, text);
}

extern int tp_builder_inventory(tp_builder_t *b,
				const tp_inventory_t *inv, tp_error_t *err)
{
	for (int k = 0; k < inv->count; k++) {
		const tp_node_gpus_t *truth = &inv->node[k];
		int i = truth->name ?
			tp_name_index_get(b->node_index, truth->name) : -1;
		tp_bnode_t *bn;
		const char *type;
		int gpus;

		if (i < 0)
			continue;	/* not in the fabric */
		bn = &b->nodes[i];
		if (truth->gpus < 0 || truth->gpus > TP_MAX_NODE_GPUS) {
			snprintf(err->text, sizeof(err->text),
				 "node %s: %d GPUs in the inventory, out of range 0..%d",
				 bn->name, truth->gpus, TP_MAX_NODE_GPUS);
			errno = EINVAL;
			return -1;
		}
		/* Only a count topopack.conf states (for the node, or as
		 * NodeName=DEFAULT) can disagree; the builder's 0 is none. */
		gpus = bn->gpus >= 0 ? bn->gpus : b->default_gpus;
		type = _type(b, bn);
		if ((bn->gpus >= 0 || b->default_gpus_given) &&
		    (gpus != truth->gpus || !_same_type(type, truth->gpu_type)))
			_tell(inv, bn, gpus, type, truth);
		if (tp_builder_node_gpus(b, bn->name, truth->gpus,
					 truth->gpu_type, err))
			return -1;
		if (!truth->gpu_type)
			bn->gpu_type = -1;
	}
	return 0;
}
