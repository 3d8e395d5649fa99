/*****************************************************************************\
 *  fabric_builder.c - collect switches, nodes and NVLink domains from config
 *  readers or generators, then validate them as a whole.
 *
 *  Names are resolved only in tp_builder_finish() because topology.conf may
 *  name a child switch before declaring it, as Slurm allows. Every element
 *  remembers the file and line that declared it, so a problem found late
 *  (a cycle, a missing child) still points at the line to fix.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric_builder.h"

#define DEFAULT_NIC_GBPS    400.0
#define DEFAULT_NVLINK_GBPS 3600.0

static void _grow_array(void **array, int *cap, int need, size_t elem)
{
	void *p;
	int n;

	if (need <= *cap)
		return;
	n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	p = realloc(*array, (size_t) n * elem);
	if (!p)
		abort();	/* as xmalloc: the model cannot be half-built */
	memset((char *) p + (size_t) *cap * elem, 0,
	       (size_t) (n - *cap) * elem);
	*array = p;
	*cap = n;
}

static char *_strdup(const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		abort();
	return d;
}

extern void tp_builder_error(const tp_builder_t *b, const char *file,
			     int line, tp_error_t *err, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!err)
		return;
	(void) b;
	if (file)
		n = snprintf(err->text, sizeof(err->text), "%s:%d: ", file,
			     line);
	if (n < 0 || (size_t) n >= sizeof(err->text))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(err->text + n, sizeof(err->text) - n, fmt, ap);
	va_end(ap);
}

#define _fail(b, err, ...) \
	tp_builder_error(b, (b)->file, (b)->line, err, __VA_ARGS__)

extern tp_builder_t *tp_builder_new(void)
{
	tp_builder_t *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->node_index = tp_name_index_new();
	b->switch_index = tp_name_index_new();
	b->domain_index = tp_name_index_new();
	b->type_index = tp_name_index_new();
	if (!b->node_index || !b->switch_index || !b->domain_index ||
	    !b->type_index) {
		tp_builder_free(b);
		return NULL;
	}
	b->default_gpus = 0;
	b->default_nic_gbps = DEFAULT_NIC_GBPS;
	b->default_nvlink_gbps = DEFAULT_NVLINK_GBPS;
	return b;
}

extern void tp_builder_free(tp_builder_t *b)
{
	if (!b)
		return;
	for (int i = 0; i < b->nswitches; i++) {
		tp_bswitch_t *s = &b->switches[i];

		free(s->name);
		free(s->file);
		for (int j = 0; j < s->nchild_names; j++)
			free(s->child_names[j]);
		free(s->child_names);
		free(s->children);
		free(s->nodes);
	}
	for (int i = 0; i < b->nnodes; i++) {
		free(b->nodes[i].name);
		free(b->nodes[i].file);
		free(b->nodes[i].nic_names);
	}
	for (int i = 0; i < b->ndomains; i++) {
		free(b->domains[i].name);
		free(b->domains[i].file);
		free(b->domains[i].nodes);
	}
	for (int i = 0; i < b->ntypes; i++)
		free(b->types[i]);
	free(b->switches);
	free(b->nodes);
	free(b->domains);
	free(b->types);
	free(b->file);
	tp_name_index_free(b->node_index);
	tp_name_index_free(b->switch_index);
	tp_name_index_free(b->domain_index);
	tp_name_index_free(b->type_index);
	free(b);
}

extern void tp_builder_where(tp_builder_t *b, const char *file, int line)
{
	if (file != b->file && (!file || !b->file || strcmp(file, b->file))) {
		free(b->file);
		b->file = _strdup(file);
	}
	b->line = line;
}

extern int tp_builder_add_switch(tp_builder_t *b, const char *name,
				 tp_error_t *err)
{
	tp_bswitch_t *s;
	int i = tp_name_index_get(b->switch_index, name);

	if (i >= 0) {
		_fail(b, err, "duplicate switch name %s (first at %s:%d)",
		      name, b->switches[i].file ? b->switches[i].file : "?",
		      b->switches[i].line);
		errno = EEXIST;
		return -1;
	}
	_grow_array((void **) &b->switches, &b->switch_cap, b->nswitches + 1,
		    sizeof(*b->switches));
	i = b->nswitches++;
	s = &b->switches[i];
	s->name = _strdup(name);
	s->file = _strdup(b->file);
	s->line = b->line;
	if (tp_name_index_put(b->switch_index, s->name, i))
		abort();
	return i;
}

extern int tp_builder_find_switch(tp_builder_t *b, const char *name)
{
	return tp_name_index_get(b->switch_index, name);
}

extern int tp_builder_add_child(tp_builder_t *b, int sw, const char *child,
				tp_error_t *err)
{
	tp_bswitch_t *s = &b->switches[sw];

	if (!strcmp(child, s->name)) {
		_fail(b, err, "switch %s lists itself as a child", child);
		errno = EINVAL;
		return -1;
	}
	_grow_array((void **) &s->child_names, &s->child_cap,
		    s->nchild_names + 1, sizeof(char *));
	s->child_names[s->nchild_names++] = _strdup(child);
	return 0;
}

static int _find_or_add_node(tp_builder_t *b, const char *name)
{
	tp_bnode_t *n;
	int i = tp_name_index_get(b->node_index, name);

	if (i >= 0)
		return i;
	_grow_array((void **) &b->nodes, &b->node_cap, b->nnodes + 1,
		    sizeof(*b->nodes));
	i = b->nnodes++;
	n = &b->nodes[i];
	n->name = _strdup(name);
	n->file = _strdup(b->file);
	n->line = b->line;
	n->leaf = -1;
	n->domain = -1;
	n->gpus = -1;
	n->gpu_type = -1;
	if (tp_name_index_put(b->node_index, n->name, i))
		abort();
	return i;
}

extern int tp_builder_add_node(tp_builder_t *b, int sw, const char *node,
			       tp_error_t *err)
{
	tp_bswitch_t *s = &b->switches[sw];
	int i = _find_or_add_node(b, node);
	tp_bnode_t *n = &b->nodes[i];

	if (n->leaf == sw)
		return 0;	/* listed twice on one leaf: Slurm accepts it */
	if (n->leaf >= 0) {
		_fail(b, err, "node %s is under two leaf switches: %s and %s",
		      node, b->switches[n->leaf].name, s->name);
		errno = EEXIST;
		return -1;
	}
	n->leaf = sw;
	_grow_array((void **) &s->nodes, &s->node_cap, s->nnodes + 1,
		    sizeof(int));
	s->nodes[s->nnodes++] = i;
	return 0;
}

static int _lookup_node(tp_builder_t *b, const char *node, tp_error_t *err)
{
	int i = tp_name_index_get(b->node_index, node);

	if (i < 0) {
		_fail(b, err, "unknown node %s (not under any switch of topology.conf)",
		      node);
		errno = ENOENT;
	}
	return i;
}

static int _type_index(tp_builder_t *b, const char *type)
{
	int i;

	if (!type || !*type)
		return -1;
	i = tp_name_index_get(b->type_index, type);
	if (i >= 0)
		return i;
	_grow_array((void **) &b->types, &b->type_cap, b->ntypes + 1,
		    sizeof(char *));
	i = b->ntypes++;
	b->types[i] = _strdup(type);
	if (tp_name_index_put(b->type_index, b->types[i], i))
		abort();
	return i;
}

extern int tp_builder_node_gpus(tp_builder_t *b, const char *node, int gpus,
				const char *gpu_type, tp_error_t *err)
{
	int i = _lookup_node(b, node, err);

	if (i < 0)
		return -1;
	if (gpus < 0 || gpus > TP_MAX_NODE_GPUS) {
		_fail(b, err, "node %s: GPU count %d out of range 0..%d",
		      node, gpus, TP_MAX_NODE_GPUS);
		errno = EINVAL;
		return -1;
	}
	b->nodes[i].gpus = gpus;
	if (gpu_type)
		b->nodes[i].gpu_type = _type_index(b, gpu_type);
	return 0;
}

extern int tp_builder_node_nics(tp_builder_t *b, const char *node,
				int nics, const char *nic_names,
				double nic_gbps, tp_error_t *err)
{
	int i = _lookup_node(b, node, err);

	if (i < 0)
		return -1;
	if (nics >= 0)
		b->nodes[i].nics = nics;
	if (nic_names) {
		free(b->nodes[i].nic_names);
		b->nodes[i].nic_names = _strdup(nic_names);
	}
	if (nic_gbps > 0)
		b->nodes[i].nic_gbps = nic_gbps;
	return 0;
}

extern int tp_builder_switch_links(tp_builder_t *b, const char *sw,
				   int uplinks, double uplink_gbps,
				   tp_error_t *err)
{
	int i = tp_name_index_get(b->switch_index, sw);

	if (i < 0) {
		_fail(b, err, "unknown switch %s (not in topology.conf)", sw);
		errno = ENOENT;
		return -1;
	}
	if (uplinks >= 0)
		b->switches[i].uplinks = uplinks;
	if (uplink_gbps > 0)
		b->switches[i].uplink_gbps = uplink_gbps;
	return 0;
}

extern int tp_builder_add_domain(tp_builder_t *b, const char *name,
				 double nvlink_gbps, tp_error_t *err)
{
	tp_bdomain_t *d;
	int i = tp_name_index_get(b->domain_index, name);

	if (i >= 0) {
		_fail(b, err, "duplicate NVLink domain name %s (first at %s:%d)",
		      name, b->domains[i].file ? b->domains[i].file : "?",
		      b->domains[i].line);
		errno = EEXIST;
		return -1;
	}
	_grow_array((void **) &b->domains, &b->domain_cap, b->ndomains + 1,
		    sizeof(*b->domains));
	i = b->ndomains++;
	d = &b->domains[i];
	d->name = _strdup(name);
	d->file = _strdup(b->file);
	d->line = b->line;
	d->nvlink_gbps = nvlink_gbps;
	if (tp_name_index_put(b->domain_index, d->name, i))
		abort();
	return i;
}

extern int tp_builder_domain_node(tp_builder_t *b, int domain,
				  const char *node, tp_error_t *err)
{
	tp_bdomain_t *d = &b->domains[domain];
	int i = _lookup_node(b, node, err);

	if (i < 0)
		return -1;
	if (b->nodes[i].domain >= 0) {
		_fail(b, err, "node %s is in two NVLink domains: %s and %s",
		      node, b->domains[b->nodes[i].domain].name, d->name);
		errno = EEXIST;
		return -1;
	}
	b->nodes[i].domain = domain;
	_grow_array((void **) &d->nodes, &d->node_cap, d->nnodes + 1,
		    sizeof(int));
	d->nodes[d->nnodes++] = i;
	return 0;
}

extern void tp_builder_defaults(tp_builder_t *b, int gpus, double nic_gbps,
				double nvlink_gbps)
{
	if (gpus >= 0) {
		b->default_gpus = gpus;
		b->default_gpus_given = true;
	}
	if (nic_gbps > 0)
		b->default_nic_gbps = nic_gbps;
	if (nvlink_gbps > 0)
		b->default_nvlink_gbps = nvlink_gbps;
}
