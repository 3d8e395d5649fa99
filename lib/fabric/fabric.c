/*****************************************************************************\
 *  fabric.c - queries on a built fabric, and its destructor.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdlib.h>
#include <string.h>

#include "fabric_private.h"
#include "name_index_private.h"
#include "place/metrics_private.h"

extern void tp_fabric_free(tp_fabric_t *f)
{
	if (!f)
		return;
	for (int i = 0; i < f->nnodes; i++) {
		free(f->nodes[i].name);
		free(f->nodes[i].nic_names);
	}
	for (int i = 0; i < f->nswitches; i++) {
		free(f->switches[i].name);
		free(f->switches[i].children);
		free(f->switches[i].nodes);
		free(f->switches[i].file);
		free(f->switches[i].members);
		free(f->switches[i].link_speed);
	}
	for (int i = 0; i < f->ndomains; i++) {
		free(f->domains[i].name);
		free(f->domains[i].nodes);
	}
	for (int i = 0; i < f->ngpu_types; i++)
		free(f->gpu_types[i]);
	free(f->nodes);
	free(f->switches);
	free(f->domains);
	free(f->gpu_types);
	for (int i = 0; i < f->nrecover_parts; i++)
		free(f->recover_parts[i]);
	free(f->recover_parts);
	free(f->blocks);
	free(f->child_list);
	free(f->level_blocks);
	free(f->order_node);
	free(f->ancestor);
	tp_name_index_free(f->name_index);
	tp_best_cache_free(f->best_cache);
	free(f);
}

extern int tp_fabric_node_count(const tp_fabric_t *f)
{
	return f->nnodes;
}

extern int tp_fabric_gpu_count(const tp_fabric_t *f)
{
	return f->total_gpus;
}

extern int tp_fabric_leaf_count(const tp_fabric_t *f)
{
	int n = 0;

	for (int i = 0; i < f->nswitches; i++)
		n += f->switches[i].level == 0;
	return n;
}

extern int tp_fabric_domain_count(const tp_fabric_t *f)
{
	return f->ndomains;
}

extern int tp_fabric_level_count(const tp_fabric_t *f)
{
	return f->nlevels;
}

extern int tp_fabric_node_index(const tp_fabric_t *f, const char *name)
{
	return tp_name_index_get(f->name_index, name);
}

static bool _valid(const tp_fabric_t *f, int node)
{
	return node >= 0 && node < f->nnodes;
}

extern const char *tp_fabric_node_name(const tp_fabric_t *f, int node)
{
	return _valid(f, node) ? f->nodes[node].name : NULL;
}

extern int tp_fabric_node_gpus(const tp_fabric_t *f, int node)
{
	return _valid(f, node) ? f->nodes[node].gpus : -1;
}

extern const char *tp_fabric_node_leaf(const tp_fabric_t *f, int node)
{
	return _valid(f, node) ? f->switches[f->nodes[node].leaf].name : NULL;
}

extern const char *tp_fabric_node_domain(const tp_fabric_t *f, int node)
{
	return _valid(f, node) ? f->domains[f->nodes[node].domain].name : NULL;
}

extern bool tp_fabric_node_spare(const tp_fabric_t *f, int node)
{
	return _valid(f, node) && f->nodes[node].spare;
}

extern bool tp_fabric_partition_recovers(const tp_fabric_t *f,
					const char *partition)
{
	if (!f || !partition)
		return false;
	for (int i = 0; i < f->nrecover_parts; i++)
		if (!strcmp(f->recover_parts[i], partition))
			return true;
	return false;
}

extern int tp_fabric_spare_count(const tp_fabric_t *f)
{
	int n = 0;

	for (int i = 0; i < f->nnodes; i++)
		n += f->nodes[i].spare;
	return n;
}

extern int tp_fabric_switch_count(const tp_fabric_t *f)
{
	return f->nswitches;
}

extern int tp_fabric_switch(const tp_fabric_t *f, int sw,
			    tp_switch_info_t *info)
{
	const tp_switch_t *s;

	if (sw < 0 || sw >= f->nswitches)
		return -1;
	s = &f->switches[sw];
	info->name = s->name;
	info->level = s->level;
	info->switches = s->children;
	info->nswitches = s->nchildren;
	info->nodes = s->nodes;
	info->nnodes = s->nnodes;
	info->members = s->members;
	info->link_speed = s->link_speed;
	info->file = s->file;
	info->line = s->line;
	return 0;
}

extern int tp_fabric_domain(const tp_fabric_t *f, int domain,
			    tp_domain_info_t *info)
{
	const tp_domain_t *d;

	if (domain < 0 || domain >= f->ndomains)
		return -1;
	d = &f->domains[domain];
	info->name = d->name;
	info->nodes = d->nodes;
	info->nnodes = d->nnodes;
	info->nvlink_gbps = d->nvlink_gbps;
	info->implicit = d->implicit;
	return 0;
}

extern int tp_fabric_hops(const tp_fabric_t *f, int a, int b)
{
	int l;

	if (!_valid(f, a) || !_valid(f, b))
		return TP_HOPS_UNREACHABLE;
	if (a == b)
		return 0;
	for (l = TP_LVL_DOMAIN; l < f->nlevels; l++)
		if (tp_ancestor(f, a, l) == tp_ancestor(f, b, l))
			break;
	if (l == f->nlevels)
		return TP_HOPS_UNREACHABLE;
	/* Up to the common switch and down again: a domain piece or a leaf
	 * is one switch away, a level-k group k+1 switches away. */
	return l <= TP_LVL_LEAF ? 2 : 2 * (l - TP_LVL_LEAF + 1);
}
