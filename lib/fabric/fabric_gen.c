/*****************************************************************************\
 *  fabric_gen.c - generated fat trees for benchmarks, tests and simulation.
 *
 *  Names follow what sites commonly write: nodes gpu00001.., leaves
 *  leaf0001.., spines spine1.. (two per group, each listing every leaf of
 *  the group, as in a real fat tree), cores core1.. above the pod spines.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdio.h>

#include "fabric_builder_private.h"

#define SPINES_PER_GROUP 2

static int _digits(int n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

static int _bad(tp_error_t *err, const char *what)
{
	if (err)
		snprintf(err->text, sizeof(err->text),
			 "fabric generator: %s", what);
	errno = EINVAL;
	return -1;
}

/* Element names are short; a longer one means a broken size check.
 * RET 0, or -1 with err (EINVAL). */
static int _name(char *buf, size_t size, const char *prefix, int width,
		 int num, tp_error_t *err)
{
	if (snprintf(buf, size, "%s%0*d", prefix, width, num) >= (int) size)
		return _bad(err, "element name too long");
	return 0;
}

static int _check(const tp_gen_t *g, tp_error_t *err)
{
	if (g->levels < 0 || g->levels > 2)
		return _bad(err, "levels must be 0, 1 or 2");
	if (g->leaves < 1 || g->nodes_per_leaf < 1)
		return _bad(err, "need at least one leaf with one node");
	if ((long) g->leaves * g->nodes_per_leaf > 10000000L)
		return _bad(err, "more than 10,000,000 nodes");
	if (g->gpus_per_node < 0 || g->gpus_per_node > TP_MAX_NODE_GPUS)
		return _bad(err, "gpus per node out of range");
	if (g->leaves_per_pod < 0 || g->nvl_nodes < 0 ||
	    g->uplinks_per_leaf < 0)
		return _bad(err, "negative size");
	if (g->levels == 0 && g->leaves > 1)
		return _bad(err, "several leaves need a switch level above");
	return 0;
}

/* Leaves, their nodes and uplinks. RET 0, or -1 with err. */
static int _add_leaves(tp_builder_t *b, const tp_gen_t *g, int width,
		       int lwidth, tp_error_t *err)
{
	char name[64];

	for (int leaf = 0; leaf < g->leaves; leaf++) {
		int sw;

		if (_name(name, sizeof(name), "leaf", lwidth, leaf + 1, err) ||
		    (sw = tp_builder_add_switch(b, name, err)) < 0)
			return -1;
		for (int i = 0; i < g->nodes_per_leaf; i++) {
			if (_name(name, sizeof(name), "gpu", width,
				  leaf * g->nodes_per_leaf + i + 1, err) ||
			    tp_builder_add_node(b, sw, name, err))
				return -1;
		}
		if (tp_builder_switch_links(b, b->switches[sw].name,
					    g->uplinks_per_leaf ?
					    g->uplinks_per_leaf :
					    g->nodes_per_leaf *
					    g->gpus_per_node,
					    g->uplink_gbps, err))
			return -1;
	}
	return 0;
}

/* Cut domains within each leaf so they nest under it; the last domain
 * of a leaf may be smaller. RET 0, or -1 with err. */
static int _add_domains(tp_builder_t *b, const tp_gen_t *g, int width,
			tp_error_t *err)
{
	char name[64];
	int nvl = g->nvl_nodes, next = 1;

	if (nvl <= 1)
		return 0;
	for (int leaf = 0; leaf < g->leaves; leaf++) {
		int base = leaf * g->nodes_per_leaf;

		for (int i = 0; i < g->nodes_per_leaf; i += nvl) {
			int d;

			if (_name(name, sizeof(name), "nvl", width, next++,
				  err) ||
			    (d = tp_builder_add_domain(b, name, g->nvlink_gbps,
						       err)) < 0)
				return -1;
			for (int j = i; j < i + nvl &&
			     j < g->nodes_per_leaf; j++) {
				if (_name(name, sizeof(name), "gpu", width,
					  base + j + 1, err) ||
				    tp_builder_domain_node(b, d, name, err))
					return -1;
			}
		}
	}
	return 0;
}

/* The spines of each group of leaves and, with two levels, the cores
 * above every spine. RET 0, or -1 with err. */
static int _add_spines(tp_builder_t *b, const tp_gen_t *g, int lwidth,
		       tp_error_t *err)
{
	char name[64];
	int pods, lpp;

	lpp = (g->levels == 2 && g->leaves_per_pod > 0) ? g->leaves_per_pod :
		g->leaves;
	pods = (g->leaves + lpp - 1) / lpp;
	for (int pod = 0; g->levels >= 1 && pod < pods; pod++) {
		for (int s = 0; s < SPINES_PER_GROUP; s++) {
			int sw;

			if (g->levels == 2)
				snprintf(name, sizeof(name), "pod%d-spine%d",
					 pod + 1, s + 1);
			else
				snprintf(name, sizeof(name), "spine%d", s + 1);
			if ((sw = tp_builder_add_switch(b, name, err)) < 0)
				return -1;
			for (int leaf = pod * lpp;
			     leaf < (pod + 1) * lpp && leaf < g->leaves;
			     leaf++) {
				if (_name(name, sizeof(name), "leaf", lwidth,
					  leaf + 1, err) ||
				    tp_builder_add_child(b, sw, name, err))
					return -1;
			}
		}
	}
	for (int s = 0; g->levels == 2 && s < SPINES_PER_GROUP; s++) {
		int sw;

		snprintf(name, sizeof(name), "core%d", s + 1);
		if ((sw = tp_builder_add_switch(b, name, err)) < 0)
			return -1;
		for (int pod = 0; pod < pods; pod++) {
			for (int t = 0; t < SPINES_PER_GROUP; t++) {
				snprintf(name, sizeof(name), "pod%d-spine%d",
					 pod + 1, t + 1);
				if (tp_builder_add_child(b, sw, name, err))
					return -1;
			}
		}
	}
	return 0;
}

extern tp_fabric_t *tp_fabric_generate(const tp_gen_t *g, tp_error_t *err)
{
	tp_builder_t *b;
	int nodes, width, lwidth;

	if (_check(g, err))
		return NULL;
	if (!(b = tp_builder_new())) {
		tp_builder_nomem(err);
		return NULL;
	}
	nodes = g->leaves * g->nodes_per_leaf;
	width = _digits(nodes) < 3 ? 3 : _digits(nodes);
	lwidth = _digits(g->leaves) < 2 ? 2 : _digits(g->leaves);
	tp_builder_defaults(b, g->gpus_per_node, g->nic_gbps, g->nvlink_gbps);
	if (_add_leaves(b, g, width, lwidth, err) ||
	    _add_domains(b, g, width, err) ||
	    _add_spines(b, g, lwidth, err)) {
		tp_builder_free(b);
		return NULL;
	}
	return tp_builder_finish(b, err);
}
