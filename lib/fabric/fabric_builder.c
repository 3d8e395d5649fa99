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

#include "fabric_builder_private.h"

#define DEFAULT_NIC_GBPS    400.0
#define DEFAULT_NVLINK_GBPS 3600.0

/* Make room for need elements. RET 0, or -1 with b->nomem set. */
static int _grow_array(tp_builder_t *b, void **array, int *cap, int need,
		       size_t elem)
{
	void *p;
	int n;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	if (!(p = realloc(*array, (size_t) n * elem))) {
		b->nomem = true;
		return -1;
	}
	memset((char *) p + (size_t) *cap * elem, 0,
	       (size_t) (n - *cap) * elem);
	*array = p;
	*cap = n;
	return 0;
}

/* RET a copy of s (NULL for NULL), or NULL with b->nomem set. */
static char *_strdup(tp_builder_t *b, const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		b->nomem = true;
	return d;
}

/* Index the copy of a name the caller has just found absent: only a lack
 * of memory can make it fail, for the copy (name is then NULL) or the
 * index. RET 0, or -1 with b->nomem set. */
static int _index(tp_builder_t *b, tp_name_index_t *map, const char *name,
		  int i)
{
	if (b->nomem || tp_name_index_put(map, name, i)) {
		b->nomem = true;
		return -1;
	}
	return 0;
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

extern int tp_builder_nomem(tp_error_t *err)
{
	if (err)
		snprintf(err->text, sizeof(err->text), "out of memory");
	errno = ENOMEM;
	return -1;
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
		free(s->members);
		free(s->link_speed);
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
	for (int i = 0; i < b->nrecover_parts; i++)
		free(b->recover_parts[i]);
	free(b->recover_parts);
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
		b->file = _strdup(b, file);
	}
	b->line = line;
}

extern int tp_builder_add_switch(tp_builder_t *b, const char *name,
				 tp_error_t *err)
{
	tp_bswitch_t *s;
	int i;

	if (b->nomem)
		return tp_builder_nomem(err);
	if ((i = tp_name_index_get(b->switch_index, name)) >= 0) {
		_fail(b, err, "duplicate switch name %s (first at %s:%d)",
		      name, b->switches[i].file ? b->switches[i].file : "?",
		      b->switches[i].line);
		errno = EEXIST;
		return -1;
	}
	if (_grow_array(b, (void **) &b->switches, &b->switch_cap,
			b->nswitches + 1, sizeof(*b->switches)))
		return tp_builder_nomem(err);
	i = b->nswitches++;
	s = &b->switches[i];
	s->name = _strdup(b, name);
	s->file = _strdup(b, b->file);
	s->line = b->line;
	if (_index(b, b->switch_index, s->name, i))
		return tp_builder_nomem(err);
	return i;
}

extern int tp_builder_switch_text(tp_builder_t *b, int sw,
				  const char *members, const char *link_speed,
				  tp_error_t *err)
{
	tp_bswitch_t *s = &b->switches[sw];

	if (b->nomem)
		return tp_builder_nomem(err);
	if ((members && !(s->members = _strdup(b, members))) ||
	    (link_speed && !(s->link_speed = _strdup(b, link_speed))))
		return tp_builder_nomem(err);
	return 0;
}

extern int tp_builder_find_switch(tp_builder_t *b, const char *name)
{
	return tp_name_index_get(b->switch_index, name);
}

extern int tp_builder_add_child(tp_builder_t *b, int sw, const char *child,
				tp_error_t *err)
{
	tp_bswitch_t *s;

	if (b->nomem)
		return tp_builder_nomem(err);
	s = &b->switches[sw];
	if (!strcmp(child, s->name)) {
		_fail(b, err, "switch %s lists itself as a child", child);
		errno = EINVAL;
		return -1;
	}
	if (_grow_array(b, (void **) &s->child_names, &s->child_cap,
			s->nchild_names + 1, sizeof(char *)))
		return tp_builder_nomem(err);
	if (!(s->child_names[s->nchild_names] = _strdup(b, child)))
		return tp_builder_nomem(err);
	s->nchild_names++;
	return 0;
}

/* RET the node's index, or -1 with b->nomem set. */
static int _find_or_add_node(tp_builder_t *b, const char *name)
{
	tp_bnode_t *n;
	int i = tp_name_index_get(b->node_index, name);

	if (i >= 0)
		return i;
	if (_grow_array(b, (void **) &b->nodes, &b->node_cap, b->nnodes + 1,
			sizeof(*b->nodes)))
		return -1;
	i = b->nnodes++;
	n = &b->nodes[i];
	n->name = _strdup(b, name);
	n->file = _strdup(b, b->file);
	n->line = b->line;
	n->leaf = -1;
	n->domain = -1;
	n->gpus = -1;
	n->gpu_type = -1;
	if (_index(b, b->node_index, n->name, i))
		return -1;
	return i;
}

extern int tp_builder_add_node(tp_builder_t *b, int sw, const char *node,
			       tp_error_t *err)
{
	tp_bswitch_t *s;
	tp_bnode_t *n;
	int i;

	if (b->nomem || (i = _find_or_add_node(b, node)) < 0)
		return tp_builder_nomem(err);
	s = &b->switches[sw];
	n = &b->nodes[i];
	if (n->leaf == sw)
		return 0;	/* listed twice on one leaf: Slurm accepts it */
	if (n->leaf >= 0) {
		_fail(b, err, "node %s is under two leaf switches: %s and %s",
		      node, b->switches[n->leaf].name, s->name);
		errno = EEXIST;
		return -1;
	}
	if (_grow_array(b, (void **) &s->nodes, &s->node_cap, s->nnodes + 1,
			sizeof(int)))
		return tp_builder_nomem(err);
	n->leaf = sw;
	s->nodes[s->nnodes++] = i;
	return 0;
}

static int _lookup_node(tp_builder_t *b, const char *node, tp_error_t *err)
{
	int i;

	if (b->nomem)
		return tp_builder_nomem(err);
	if ((i = tp_name_index_get(b->node_index, node)) < 0) {
		_fail(b, err, "unknown node %s (not under any switch of topology.conf)",
		      node);
		errno = ENOENT;
	}
	return i;
}

/* RET the type's index, or -1 for none or with b->nomem set. */
static int _type_index(tp_builder_t *b, const char *type)
{
	int i;

	if (!type || !*type)
		return -1;
	i = tp_name_index_get(b->type_index, type);
	if (i >= 0)
		return i;
	if (_grow_array(b, (void **) &b->types, &b->type_cap, b->ntypes + 1,
			sizeof(char *)))
		return -1;
	if (!(b->types[b->ntypes] = _strdup(b, type)))
		return -1;
	i = b->ntypes++;
	if (_index(b, b->type_index, b->types[i], i))
		return -1;
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
	if (gpu_type) {
		int type = _type_index(b, gpu_type);

		if (b->nomem)
			return tp_builder_nomem(err);
		b->nodes[i].gpu_type = type;
	}
	b->nodes[i].gpus = gpus;
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
		char *copy = _strdup(b, nic_names);

		if (!copy)
			return tp_builder_nomem(err);
		free(b->nodes[i].nic_names);
		b->nodes[i].nic_names = copy;
	}
	if (nic_gbps > 0)
		b->nodes[i].nic_gbps = nic_gbps;
	return 0;
}

extern int tp_builder_switch_links(tp_builder_t *b, const char *sw,
				   int uplinks, double uplink_gbps,
				   tp_error_t *err)
{
	int i;

	if (b->nomem)
		return tp_builder_nomem(err);
	if ((i = tp_name_index_get(b->switch_index, sw)) < 0) {
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

extern int tp_builder_switch_spares(tp_builder_t *b, const char *sw, int n,
				    tp_error_t *err)
{
	tp_bswitch_t *s;
	int i;

	if (b->nomem)
		return tp_builder_nomem(err);
	if ((i = tp_name_index_get(b->switch_index, sw)) < 0) {
		_fail(b, err, "unknown switch %s (not in topology.conf)", sw);
		errno = ENOENT;
		return -1;
	}
	s = &b->switches[i];
	if (!s->nnodes) {
		_fail(b, err, "Spares= on switch %s, which is not a leaf (no Nodes= in topology.conf)",
		      sw);
		errno = EINVAL;
		return -1;
	}
	if ((n < 0) || (n >= s->nnodes)) {
		_fail(b, err, "Spares=%d on switch %s: expected 0..%d (fewer than its %d nodes)",
		      n, sw, s->nnodes - 1, s->nnodes);
		errno = EINVAL;
		return -1;
	}
	s->spares = n;
	return 0;
}

extern int tp_builder_domain_spares(tp_builder_t *b, int domain, int n,
				    tp_error_t *err)
{
	tp_bdomain_t *d;

	if (b->nomem)
		return tp_builder_nomem(err);
	d = &b->domains[domain];
	if ((n < 0) || (n >= d->nnodes)) {
		_fail(b, err, "Spares=%d on domain %s: expected 0..%d (fewer than its %d nodes)",
		      n, d->name, d->nnodes - 1, d->nnodes);
		errno = EINVAL;
		return -1;
	}
	d->spares = n;
	return 0;
}

extern int tp_builder_partition_recover(tp_builder_t *b, const char *part,
					bool recover, tp_error_t *err)
{
	int i;
	char *name;

	if (b->nomem)
		return tp_builder_nomem(err);
	for (i = 0; i < b->nrecover_parts; i++)
		if (!strcmp(b->recover_parts[i], part))
			break;
	if (!recover) {
		if (i < b->nrecover_parts) {
			free(b->recover_parts[i]);
			b->recover_parts[i] =
				b->recover_parts[--b->nrecover_parts];
		}
		return 0;
	}
	if (i < b->nrecover_parts)
		return 0;
	if (_grow_array(b, (void **) &b->recover_parts, &b->recover_part_cap,
			b->nrecover_parts + 1, sizeof(char *)) ||
	    !(name = _strdup(b, part)))
		return tp_builder_nomem(err);
	b->recover_parts[b->nrecover_parts++] = name;
	return 0;
}

extern int tp_builder_add_domain(tp_builder_t *b, const char *name,
				 double nvlink_gbps, tp_error_t *err)
{
	tp_bdomain_t *d;
	int i;

	if (b->nomem)
		return tp_builder_nomem(err);
	if ((i = tp_name_index_get(b->domain_index, name)) >= 0) {
		_fail(b, err, "duplicate NVLink domain name %s (first at %s:%d)",
		      name, b->domains[i].file ? b->domains[i].file : "?",
		      b->domains[i].line);
		errno = EEXIST;
		return -1;
	}
	if (_grow_array(b, (void **) &b->domains, &b->domain_cap,
			b->ndomains + 1, sizeof(*b->domains)))
		return tp_builder_nomem(err);
	i = b->ndomains++;
	d = &b->domains[i];
	d->name = _strdup(b, name);
	d->file = _strdup(b, b->file);
	d->line = b->line;
	d->nvlink_gbps = nvlink_gbps;
	if (_index(b, b->domain_index, d->name, i))
		return tp_builder_nomem(err);
	return i;
}

extern int tp_builder_domain_node(tp_builder_t *b, int domain,
				  const char *node, tp_error_t *err)
{
	tp_bdomain_t *d;
	int i = _lookup_node(b, node, err);

	if (i < 0)
		return -1;
	d = &b->domains[domain];
	if (b->nodes[i].domain >= 0) {
		_fail(b, err, "node %s is in two NVLink domains: %s and %s",
		      node, b->domains[b->nodes[i].domain].name, d->name);
		errno = EEXIST;
		return -1;
	}
	if (_grow_array(b, (void **) &d->nodes, &d->node_cap, d->nnodes + 1,
			sizeof(int)))
		return tp_builder_nomem(err);
	b->nodes[i].domain = domain;
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
