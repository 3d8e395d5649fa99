/*****************************************************************************\
 *  fabric_finish.c - validate what the builder collected and freeze it into
 *  a tp_fabric_t.
 *
 *  Switch levels follow Slurm's topology/tree: a switch with nodes is a leaf
 *  (level 0), any other switch is one above its highest child. Slurm gives
 *  up with "Switch configuration is not a tree" on a cycle; we name the
 *  cycle and the line that closes it.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric_builder_private.h"

/* Name the line of switch s in err; the model is invalid (EINVAL). */
#define _sw_fail(b, s, err, ...) do { \
	tp_builder_error(b, (s)->file, (s)->line, err, __VA_ARGS__); \
	errno = EINVAL; \
} while (0)

static int _resolve_children(tp_builder_t *b, tp_error_t *err)
{
	for (int i = 0; i < b->nswitches; i++) {
		tp_bswitch_t *s = &b->switches[i];

		if (!s->nchild_names && !s->nnodes) {
			_sw_fail(b, s, err, "switch %s has no children (needs Nodes= or Switches=)",
				 s->name);
			return -1;
		}
		if (s->nchild_names && s->nnodes) {
			_sw_fail(b, s, err, "switch %s has both Nodes= and Switches=; a switch is either a leaf or joins switches",
				 s->name);
			return -1;
		}
		if (!s->nchild_names)
			continue;
		if (!(s->children = malloc(sizeof(int) * s->nchild_names)))
			return tp_builder_nomem(err);
		for (int j = 0; j < s->nchild_names; j++) {
			int c = tp_name_index_get(b->switch_index,
						  s->child_names[j]);

			if (c < 0) {
				_sw_fail(b, s, err, "switch %s lists unknown switch %s",
					 s->name, s->child_names[j]);
				return -1;
			}
			s->children[j] = c;
		}
	}
	return 0;
}

/* Depth-first level computation; color: 0 new, 1 on stack, 2 done. */
static int _level(tp_builder_t *b, int sw, int *level, char *color,
		  int *stack, int depth, tp_error_t *err)
{
	tp_bswitch_t *s = &b->switches[sw];
	int lvl = 0;

	if (color[sw] == 2)
		return level[sw];
	if (color[sw] == 1) {
		char path[160] = "";
		int start = depth - 1;
		size_t n = 0;

		while (start > 0 && stack[start] != sw)
			start--;
		for (int i = start; i < depth && n < sizeof(path); i++)
			n += snprintf(path + n, sizeof(path) - n, "%s -> ",
				      b->switches[stack[i]].name);
		if (n < sizeof(path))
			snprintf(path + n, sizeof(path) - n, "%s", s->name);
		s = &b->switches[stack[depth - 1]];
		_sw_fail(b, s, err, "switch cycle: %s (the switches must form a tree)",
			 path);
		return -1;
	}
	color[sw] = 1;
	stack[depth] = sw;
	for (int j = 0; j < s->nchild_names; j++) {
		int c = _level(b, s->children[j], level, color, stack,
			       depth + 1, err);

		if (c < 0)
			return -1;
		if (c + 1 > lvl)
			lvl = c + 1;
	}
	color[sw] = 2;
	level[sw] = lvl;
	return lvl;
}

static int _check_levels(tp_builder_t *b, int *level, tp_error_t *err)
{
	char *color = calloc((unsigned) b->nswitches + 1, 1);
	int *stack = calloc((unsigned) b->nswitches + 1, sizeof(int));
	int *has_parent = calloc((unsigned) b->nswitches + 1, sizeof(int));
	int max = 0, top = -1, rc = -1;

	if (!color || !stack || !has_parent) {
		tp_builder_nomem(err);
		goto fini;
	}
	for (int i = 0; i < b->nswitches; i++) {
		if (_level(b, i, level, color, stack, 0, err) < 0)
			goto fini;
		if (level[i] > max || top < 0) {
			max = level[i];
			top = i;
		}
		for (int j = 0; j < b->switches[i].nchild_names; j++)
			has_parent[b->switches[i].children[j]] = 1;
	}
	if (max > TP_MAX_LEVELS - 3) {
		_sw_fail(b, &b->switches[top], err, "switch %s is at level %d; at most %d switch levels above the leaves are supported",
			 b->switches[top].name, max, TP_MAX_LEVELS - 3);
		goto fini;
	}
	/* A switch left below the top with no parent cuts its nodes off
	 * from the rest: almost always a forgotten line. */
	for (int i = 0; i < b->nswitches; i++) {
		if (!has_parent[i] && level[i] < max) {
			_sw_fail(b, &b->switches[i], err, "switch %s (level %d) has no parent switch while the fabric's top is level %d (%s)",
				 b->switches[i].name, level[i], max,
				 b->switches[top].name);
			goto fini;
		}
	}
	rc = max;
fini:
	free(color);
	free(stack);
	free(has_parent);
	return rc;
}

/*
 * Copy the builder's elements into a new fabric; arrays that the fabric
 * takes over are taken from the builder, so that each has one owner
 * whatever fails.
 * RET the fabric without its block tree, or NULL (ENOMEM)
 */
/*
 * Spares= keeps the last nodes of a leaf (as topology.conf lists them) or
 * of a domain (as its Nodes= lists them): a fixed choice that an admin can
 * read off the files, and the nodes that index-order placement (Slurm's
 * own, and first fits) reaches last. A node kept by its leaf and by its
 * domain is one spare.
 */
static void _mark_spares(tp_fabric_t *f)
{
	for (int s = 0; s < f->nswitches; s++) {
		const tp_switch_t *sw = &f->switches[s];

		for (int k = sw->nnodes - sw->spares; k < sw->nnodes; k++)
			f->nodes[sw->nodes[k]].spare = true;
	}
	for (int d = 0; d < f->ndomains; d++) {
		const tp_domain_t *dom = &f->domains[d];

		for (int k = dom->nnodes - dom->spares; k < dom->nnodes; k++)
			f->nodes[dom->nodes[k]].spare = true;
	}
}

static tp_fabric_t *_freeze(tp_builder_t *b, const int *level)
{
	tp_fabric_t *f = calloc(1, sizeof(*f));
	int nimplicit = 0;

	if (!f)
		return NULL;
	for (int i = 0; i < b->nnodes; i++)
		nimplicit += b->nodes[i].domain < 0;
	f->nodes = calloc(b->nnodes + 1, sizeof(tp_node_t));
	f->switches = calloc(b->nswitches + 1, sizeof(tp_switch_t));
	f->domains = calloc(b->ndomains + nimplicit + 1, sizeof(tp_domain_t));
	f->gpu_types = calloc(b->ntypes + 1, sizeof(char *));
	f->recover_parts = calloc(b->nrecover_parts + 1, sizeof(char *));
	f->name_index = tp_name_index_new();
	if (!f->nodes || !f->switches || !f->domains || !f->gpu_types ||
	    !f->recover_parts || !f->name_index)
		goto nomem;
	/* Counted only now: tp_fabric_free() walks these arrays, whose
	 * elements are all zero until filled. */
	f->nnodes = b->nnodes;
	f->nswitches = b->nswitches;
	f->ndomains = b->ndomains + nimplicit;
	f->ngpu_types = b->ntypes;
	f->nvlink_gbps = b->default_nvlink_gbps;

	for (int i = 0; i < b->ntypes; i++)
		if (!(f->gpu_types[i] = strdup(b->types[i])))
			goto nomem;
	for (int i = 0; i < b->nrecover_parts; i++, f->nrecover_parts++)
		if (!(f->recover_parts[i] = strdup(b->recover_parts[i])))
			goto nomem;
	for (int i = 0; i < b->nswitches; i++) {
		tp_bswitch_t *bs = &b->switches[i];
		tp_switch_t *s = &f->switches[i];

		if (!(s->name = strdup(bs->name)))
			goto nomem;
		s->level = level[i];
		s->nchildren = bs->nchild_names;
		s->children = bs->children;
		bs->children = NULL;
		s->nnodes = bs->nnodes;
		s->nodes = bs->nodes;
		bs->nodes = NULL;
		s->file = bs->file;
		bs->file = NULL;
		s->line = bs->line;
		s->members = bs->members;
		bs->members = NULL;
		s->link_speed = bs->link_speed;
		bs->link_speed = NULL;
		s->uplinks = bs->uplinks;
		s->spares = bs->spares;
		s->uplink_gbps = bs->uplink_gbps > 0 ? bs->uplink_gbps :
			b->default_nic_gbps;
	}
	for (int i = 0; i < b->ndomains; i++) {
		tp_bdomain_t *bd = &b->domains[i];
		tp_domain_t *d = &f->domains[i];

		if (!(d->name = strdup(bd->name)))
			goto nomem;
		d->nodes = bd->nodes;
		bd->nodes = NULL;
		d->nnodes = bd->nnodes;
		d->nvlink_gbps = bd->nvlink_gbps > 0 ? bd->nvlink_gbps :
			b->default_nvlink_gbps;
		d->spares = bd->spares;
	}
	nimplicit = b->ndomains;
	for (int i = 0; i < b->nnodes; i++) {
		tp_bnode_t *bn = &b->nodes[i];
		tp_node_t *n = &f->nodes[i];

		if (!(n->name = strdup(bn->name)))
			goto nomem;
		n->gpus = bn->gpus >= 0 ? bn->gpus : b->default_gpus;
		n->gpu_type = bn->gpu_type;
		n->conf_gpus = n->gpus;
		n->conf_gpu_type = n->gpu_type;
		/* Only a count topopack.conf states (for the node, or as
		 * NodeName=DEFAULT) can disagree with an inventory. */
		n->gpus_stated = bn->gpus >= 0 || b->default_gpus_given;
		n->leaf = bn->leaf;
		n->nics = bn->nics;
		n->nic_names = bn->nic_names;
		bn->nic_names = NULL;
		n->nic_gbps = bn->nic_gbps > 0 ? bn->nic_gbps :
			b->default_nic_gbps;
		if (bn->domain >= 0) {
			n->domain = bn->domain;
		} else {
			/* The node's own NVSwitch board is its domain. */
			tp_domain_t *d = &f->domains[nimplicit];

			if (!(d->name = strdup(bn->name)) ||
			    !(d->nodes = malloc(sizeof(int))))
				goto nomem;
			d->nodes[0] = i;
			d->nnodes = 1;
			d->nvlink_gbps = b->default_nvlink_gbps;
			d->implicit = true;
			n->domain = nimplicit++;
		}
		/* Names are unique (the builder made sure): only memory
		 * can be lacking. */
		if (tp_name_index_put(f->name_index, n->name, i))
			goto nomem;
	}
	_mark_spares(f);
	return f;
nomem:
	tp_fabric_free(f);
	return NULL;
}

extern tp_fabric_t *tp_builder_finish(tp_builder_t *b, tp_error_t *err)
{
	tp_fabric_t *f = NULL;
	int *level = NULL;
	int max;

	if (b->nomem) {
		tp_builder_nomem(err);
		goto fini;
	}
	if (!b->nswitches || !b->nnodes) {
		tp_builder_error(b, b->file, b->line, err,
				 "no switches with nodes: the fabric is empty");
		errno = EINVAL;
		goto fini;
	}
	if (!(level = calloc(b->nswitches, sizeof(int)))) {
		tp_builder_nomem(err);
		goto fini;
	}
	if (_resolve_children(b, err) ||
	    (max = _check_levels(b, level, err)) < 0)
		goto fini;
	if (!(f = _freeze(b, level))) {
		tp_builder_nomem(err);
		goto fini;
	}
	f->nlevels = 3 + max;
	if (tp_fabric_build_blocks(f)) {
		tp_fabric_free(f);
		f = NULL;
		tp_builder_nomem(err);
	}
fini:
	free(level);
	tp_builder_free(b);
	return f;
}
