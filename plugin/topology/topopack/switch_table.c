/*****************************************************************************\
 *  switch_table.c - fill Slurm's switch_record_table from a topopack
 *  fabric, with the contents topology/tree gives it for the same
 *  topology.conf.
 *
 *  The structure (switches, levels, children, the nodes of each leaf) comes
 *  from the fabric model. What the model does not keep, LinkSpeed= and the
 *  Nodes= / Switches= text that "scontrol show topology" prints as written,
 *  is read from topology.conf again with the library's own file reader; the
 *  file was just loaded without error, so this pass only collects.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/common/slurm_xlator.h"

#include "slurm/slurm.h"
#include "src/common/bitstring.h"
#include "src/common/hostlist.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/slurm_topology.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "fabric/conf_file_private.h"
#include "fabric/fabric_private.h"
#include "switch_table.h"

/* Switch indices are uint16_t in switch_record_t. */
#define _MAX_SWITCHES 0xfffe

/* What topology.conf says of one switch beyond the fabric model. */
typedef struct {
	char *name;		/* SwitchName= */
	char *file;		/* where its line is */
	int line;
	uint32_t link_speed;	/* LinkSpeed=, 1 when absent */
	char *nodes;		/* Nodes= as written, or NULL */
	char *switches;		/* Switches= as written, or NULL */
} conf_switch_t;

typedef struct {
	conf_switch_t *sw;
	int count;
	int cap;
} conf_switches_t;

/* LinkSpeed as Slurm reads a uint32 (the library has checked it). */
static uint32_t _link_speed(const char *value)
{
	unsigned long long num;
	char *end;

	if (!strcasecmp(value, "UNLIMITED") || !strcasecmp(value, "INFINITE"))
		return INFINITE;
	num = strtoull(value, &end, 0);
	if ((end[0] == 'k') || (end[0] == 'K'))
		num *= 1024;
	return (uint32_t) num;
}

static int _conf_line(void *arg, const char *file, int line,
		      const tp_conf_pair_t *pairs, int npairs,
		      tp_error_t *err)
{
	conf_switches_t *cs = arg;
	const tp_conf_pair_t *p;
	conf_switch_t *s;

	(void) err;
	if (strcasecmp(pairs[0].key, "SwitchName"))
		return 0;
	if (cs->count == cs->cap) {
		cs->cap = cs->cap ? 2 * cs->cap : 64;
		xrecalloc(cs->sw, cs->cap, sizeof(conf_switch_t));
	}
	s = &cs->sw[cs->count++];
	s->name = xstrdup(pairs[0].value);
	s->file = xstrdup(file);
	s->line = line;
	s->link_speed = 1;
	if ((p = tp_conf_find(pairs, npairs, "LinkSpeed")))
		s->link_speed = _link_speed(p->value);
	if ((p = tp_conf_find(pairs, npairs, "Nodes")))
		s->nodes = xstrdup(p->value);
	if ((p = tp_conf_find(pairs, npairs, "Switches")))
		s->switches = xstrdup(p->value);
	return 0;
}

static void _conf_switches_free(conf_switches_t *cs)
{
	for (int i = 0; i < cs->count; i++) {
		xfree(cs->sw[i].name);
		xfree(cs->sw[i].file);
		xfree(cs->sw[i].nodes);
		xfree(cs->sw[i].switches);
	}
	xfree(cs->sw);
	cs->count = cs->cap = 0;
}

/*
 * RET the topology.conf entry of fabric switch i. The fabric numbers
 * switches in the order of their SwitchName lines, so the entry is
 * normally at the same index; search by name otherwise.
 */
static conf_switch_t *_conf_switch(conf_switches_t *cs, const tp_fabric_t *f,
				   int i)
{
	const char *name = f->switches[i].name;

	if ((i < cs->count) && !xstrcmp(cs->sw[i].name, name))
		return &cs->sw[i];
	for (int j = 0; j < cs->count; j++)
		if (!xstrcmp(cs->sw[j].name, name))
			return &cs->sw[j];
	return NULL;
}

/* RET the names as a ranged hostlist expression (xfree it). */
static char *_ranged(const char **names, int n)
{
	hostlist_t hl = hostlist_create(NULL);
	char *str;

	for (int i = 0; i < n; i++)
		hostlist_push_host(hl, names[i]);
	str = hostlist_ranged_string_xmalloc(hl);
	hostlist_destroy(hl);
	return str;
}

static void _free_table(switch_record_t *table, int count)
{
	if (!table)
		return;
	for (int i = 0; i < count; i++) {
		xfree(table[i].name);
		xfree(table[i].nodes);
		xfree(table[i].switches);
		xfree(table[i].switches_dist);
		xfree(table[i].switch_desc_index);
		xfree(table[i].switch_index);
		FREE_NULL_BITMAP(table[i].node_bitmap);
	}
	xfree(table);
}

/*
 * Leaf switch: its nodes by Slurm node index. Every node must be in
 * slurm.conf: topology/tree only warns about unknown names, but a fabric
 * that lists nodes Slurm does not know is a configuration error here.
 */
static int _leaf_bitmap(const tp_fabric_t *f, const tp_switch_t *fs,
			const conf_switch_t *cs, const char *topology_conf,
			bitstr_t *bitmap, tp_error_t *err)
{
	for (int k = 0; k < fs->nnodes; k++) {
		char *name = f->nodes[fs->nodes[k]].name;
		node_record_t *node_ptr = find_node_record2(name);

		if (!node_ptr) {
			snprintf(err->text, sizeof(err->text),
				 "%s:%d: switch %s lists node %s, which slurm.conf does not define (every node of topology.conf must be a NodeName of slurm.conf)",
				 cs ? cs->file : topology_conf,
				 cs ? cs->line : 0, fs->name, name);
			return -1;
		}
		bit_set(bitmap, node_ptr->index);
	}
	return 0;
}

/* Add the items of src not yet in dst to the end of dst. */
static void _merge_index(uint16_t *dst, uint16_t *dst_cnt,
			 const uint16_t *src, uint16_t src_cnt)
{
	uint16_t first = *dst_cnt;

	for (int i = 0; i < src_cnt; i++) {
		int j;

		for (j = 0; j < first; j++)
			if (dst[j] == src[i])
				break;
		if (j == first)
			dst[(*dst_cnt)++] = src[i];
	}
}

/*
 * Links between every pair of switches over child-parent links, by a
 * breadth-first walk from each switch; INFINITE between switches that no
 * path joins. Neighbours (children and the switches that list a switch)
 * are gathered once into adj[first[i] .. first[i + 1]).
 */
static void _distances(switch_record_t *table, int count)
{
	int *first = xcalloc(count + 1, sizeof(int));
	int *fill = xcalloc(count, sizeof(int));
	int *queue = xcalloc(count, sizeof(int));
	int *adj;

	for (int i = 0; i < count; i++) {
		first[i + 1] += table[i].num_switches;
		for (int k = 0; k < table[i].num_switches; k++)
			first[table[i].switch_index[k] + 1]++;
	}
	for (int i = 0; i < count; i++)
		first[i + 1] += first[i];
	adj = xcalloc(first[count] + 1, sizeof(int));
	for (int i = 0; i < count; i++) {
		for (int k = 0; k < table[i].num_switches; k++) {
			int c = table[i].switch_index[k];

			adj[first[i] + fill[i]++] = c;
			adj[first[c] + fill[c]++] = i;
		}
	}

	for (int src = 0; src < count; src++) {
		uint32_t *dist = table[src].switches_dist;
		int head = 0, tail = 0;

		for (int i = 0; i < count; i++)
			dist[i] = INFINITE;
		dist[src] = 0;
		queue[tail++] = src;
		while (head < tail) {
			int sw = queue[head++];

			for (int k = first[sw]; k < first[sw + 1]; k++) {
				int n = adj[k];

				if (dist[n] != INFINITE)
					continue;
				dist[n] = dist[sw] + 1;
				queue[tail++] = n;
			}
		}
	}
	xfree(first);
	xfree(fill);
	xfree(queue);
	xfree(adj);
}

extern int topopack_switch_table_build(const tp_fabric_t *f,
				       const char *topology_conf,
				       tp_error_t *err)
{
	conf_switches_t cs = { 0 };
	switch_record_t *table = NULL;
	int count = f->nswitches, levels = 0, rc = -1;

	if (count > _MAX_SWITCHES) {
		snprintf(err->text, sizeof(err->text),
			 "%s: %d switches; Slurm's switch table holds at most %d",
			 topology_conf, count, _MAX_SWITCHES);
		return -1;
	}
	if (tp_conf_file_read(topology_conf, _conf_line, &cs, err))
		goto fini;

	table = xcalloc(count, sizeof(switch_record_t));
	for (int i = 0; i < count; i++) {
		const tp_switch_t *fs = &f->switches[i];
		const conf_switch_t *c = _conf_switch(&cs, f, i);
		switch_record_t *s = &table[i];

		s->name = xstrdup(fs->name);
		s->level = fs->level;
		s->link_speed = c ? c->link_speed : 1;
		s->switches_dist = xcalloc(count, sizeof(uint32_t));
		s->switch_desc_index = xcalloc(count, sizeof(uint16_t));
		levels = MAX(levels, fs->level);
		if (fs->level == 0) {
			s->node_bitmap = bit_alloc(node_record_count);
			if (_leaf_bitmap(f, fs, c, topology_conf,
					 s->node_bitmap, err))
				goto fini;
			if (c && c->nodes) {
				s->nodes = xstrdup(c->nodes);
			} else {
				const char **names =
					xcalloc(fs->nnodes, sizeof(char *));

				for (int k = 0; k < fs->nnodes; k++)
					names[k] = f->nodes[fs->nodes[k]].name;
				s->nodes = _ranged(names, fs->nnodes);
				xfree(names);
			}
			continue;
		}
		s->num_switches = fs->nchildren;
		s->switch_index = xcalloc(fs->nchildren, sizeof(uint16_t));
		for (int k = 0; k < fs->nchildren; k++)
			s->switch_index[k] = fs->children[k];
		if (c && c->switches) {
			s->switches = xstrdup(c->switches);
		} else {
			const char **names =
				xcalloc(fs->nchildren, sizeof(char *));

			for (int k = 0; k < fs->nchildren; k++)
				names[k] = f->switches[fs->children[k]].name;
			s->switches = _ranged(names, fs->nchildren);
			xfree(names);
		}
	}

	/*
	 * Parents: a switch listed by several (a fat tree's spines) keeps
	 * the last in file order; one listed by none keeps 0. That is what
	 * topology/tree leaves there, and what cons_tres 22.05 compares
	 * when it walks up from two leaves.
	 */
	for (int i = 0; i < count; i++)
		for (int k = 0; k < table[i].num_switches; k++)
			table[table[i].switch_index[k]].parent = i;

	/* Upper switches bottom up: every child is of a lower level. */
	for (int lvl = 1; lvl <= levels; lvl++) {
		for (int i = 0; i < count; i++) {
			switch_record_t *s = &table[i];

			if (s->level != lvl)
				continue;
			s->node_bitmap = bit_alloc(node_record_count);
			for (int k = 0; k < s->num_switches; k++) {
				switch_record_t *c = &table[s->switch_index[k]];

				bit_or(s->node_bitmap, c->node_bitmap);
				_merge_index(s->switch_desc_index,
					     &s->num_desc_switches,
					     s->switch_index + k, 1);
			}
			for (int k = 0; k < s->num_switches; k++) {
				switch_record_t *c = &table[s->switch_index[k]];

				_merge_index(s->switch_desc_index,
					     &s->num_desc_switches,
					     c->switch_desc_index,
					     c->num_desc_switches);
			}
			s->nodes = bitmap2node_name(s->node_bitmap);
		}
	}
	_distances(table, count);

	topopack_switch_table_free();
	switch_record_table = table;
	switch_record_cnt = count;
	switch_levels = levels;
	table = NULL;
	rc = 0;
fini:
	_free_table(table, count);
	_conf_switches_free(&cs);
	return rc;
}

extern void topopack_switch_table_free(void)
{
	_free_table(switch_record_table, switch_record_cnt);
	switch_record_table = NULL;
	switch_record_cnt = 0;
	switch_levels = 0;
}

extern void topopack_switch_table_log(void)
{
	bitstr_t *reached;
	bool have_root = false;
	char *str = NULL;
	int missing;

	if (!switch_record_cnt)
		return;
	reached = bit_alloc(node_record_count);
	for (int i = 0; i < switch_record_cnt; i++) {
		switch_record_t *s = &switch_record_table[i];

		debug("switch %d level:%d name:%s nodes:%s switches:%s link_speed:%u parent:%u",
		      i, s->level, s->name, s->nodes, s->switches,
		      s->link_speed, s->parent);
		if (s->level == 0)
			bit_or(reached, s->node_bitmap);
		if (bit_set_count(s->node_bitmap) == node_record_count)
			have_root = true;
	}
	/* Same lines, in the same order, as topology/tree logs. */
	for (int i = 0; i < switch_record_cnt; i++) {
		const char *sep = "";

		for (int j = 0; j < switch_record_cnt; j++) {
			xstrfmtcat(str, "%s%u", sep,
				   switch_record_table[i].switches_dist[j]);
			sep = ", ";
		}
		debug2("\tswitches_dist[%d]:\t%s", i, str);
		xfree(str);
	}
	for (int i = 0; i < switch_record_cnt; i++) {
		const char *sep = "";

		for (int j = 0; j < switch_record_table[i].num_desc_switches;
		     j++) {
			xstrfmtcat(str, "%s%u", sep,
				   switch_record_table[i].switch_desc_index[j]);
			sep = ", ";
		}
		/* "(null)" when there is none. */
		debug2("\tswitch_desc_index[%d]:\t%s", i, str);
		xfree(str);
	}

	bit_not(reached);
	if ((missing = bit_set_count(reached)) > 0) {
		str = bitmap2node_name(reached);
		error("WARNING: %d nodes of slurm.conf are under no switch of topology.conf: %s",
		      missing, str);
		xfree(str);
	}
	FREE_NULL_BITMAP(reached);
	if (!have_root)
		info("no switch reaches every node: jobs spanning the whole cluster cannot be placed under one switch; if this is not intended, fix topology.conf");
}
