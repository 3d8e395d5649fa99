/*****************************************************************************\
 *  fabric_inventory.c - the resource manager's GPU counts over
 *  topopack.conf's.
 *
 *  Slurm already knows every node's GPUs (slurm.conf Gres=, gres.conf);
 *  asking the administrator to write them again in topopack.conf only
 *  makes room for the two to disagree. So the inventory wins, and a
 *  topopack.conf that says otherwise is told about, node by node.
 *
 *  The inventory is applied to a loaded fabric, not while reading the
 *  files: slurmctld reads topology.conf before it knows the nodes' GRES,
 *  and the fabric read then is the one every plugin shares. Applying an
 *  inventory again (at the next reconfiguration) starts from what
 *  topopack.conf says, so it gives the same fabric whatever came before.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric_builder_private.h"

/* RET the name of GPU type t, or NULL for none. */
static const char *_type_name(const tp_fabric_t *f, int t)
{
	return t >= 0 ? f->gpu_types[t] : NULL;
}

static bool _same_type(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* RET the index of GPU type name, added when new; -1 for none, or -2
 * out of memory. */
static int _type_index(tp_fabric_t *f, const char *name)
{
	char **types;

	if (!name || !name[0])
		return -1;
	for (int t = 0; t < f->ngpu_types; t++)
		if (!strcmp(f->gpu_types[t], name))
			return t;
	if (!(types = realloc(f->gpu_types,
			      sizeof(char *) * (f->ngpu_types + 2))))
		return -2;
	f->gpu_types = types;
	if (!(types[f->ngpu_types] = strdup(name)))
		return -2;
	return f->ngpu_types++;
}

static void _tell(const tp_fabric_t *f, const tp_inventory_t *inv,
		  const tp_node_t *n, const tp_node_gpus_t *truth)
{
	const char *type = _type_name(f, n->conf_gpu_type);
	char text[320];

	if (!inv->differs)
		return;
	snprintf(text, sizeof(text),
		 "node %s: topopack.conf gives %d GPUs%s%s, Slurm %d%s%s (slurm.conf/gres.conf); Slurm's are used",
		 n->name, n->conf_gpus, type ? " of type " : "",
		 type ? type : "", truth->gpus,
		 truth->gpu_type ? " of type " : "",
		 truth->gpu_type ? truth->gpu_type : "");
	inv->differs(inv->arg, text);
}

/* RET the fabric node the inventory entry names, or -1. */
static int _node(const tp_fabric_t *f, const tp_node_gpus_t *truth)
{
	return truth->name ? tp_fabric_node_index(f, truth->name) : -1;
}

extern int tp_fabric_set_inventory(tp_fabric_t *f,
				   const tp_inventory_t *inv, tp_error_t *err)
{
	tp_error_t local;

	if (!err)
		err = &local;
	/* Refuse a bad count before changing anything. */
	for (int k = 0; k < inv->count; k++) {
		const tp_node_gpus_t *truth = &inv->node[k];

		if (_node(f, truth) < 0)
			continue;
		if (truth->gpus < 0 || truth->gpus > TP_MAX_NODE_GPUS) {
			snprintf(err->text, sizeof(err->text),
				 "node %s: %d GPUs in the inventory, out of range 0..%d",
				 truth->name, truth->gpus, TP_MAX_NODE_GPUS);
			errno = EINVAL;
			return -1;
		}
	}
	for (int i = 0; i < f->nnodes; i++) {
		f->nodes[i].gpus = f->nodes[i].conf_gpus;
		f->nodes[i].gpu_type = f->nodes[i].conf_gpu_type;
	}
	for (int k = 0; k < inv->count; k++) {
		const tp_node_gpus_t *truth = &inv->node[k];
		int i = _node(f, truth), type;
		tp_node_t *n;

		if (i < 0)
			continue;	/* not in the fabric */
		n = &f->nodes[i];
		if ((type = _type_index(f, truth->gpu_type)) == -2) {
			/* Counts stay consistent with the nodes'. */
			tp_fabric_count_gpus(f);
			snprintf(err->text, sizeof(err->text),
				 "out of memory");
			errno = ENOMEM;
			return -1;
		}
		if (n->gpus_stated &&
		    (n->conf_gpus != truth->gpus ||
		     !_same_type(_type_name(f, n->conf_gpu_type),
				 truth->gpu_type)))
			_tell(f, inv, n, truth);
		n->gpus = truth->gpus;
		n->gpu_type = type;
	}
	tp_fabric_count_gpus(f);
	return 0;
}
