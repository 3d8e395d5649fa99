/*****************************************************************************\
 *  switch_table.c - fill Slurm's switch_record_table from a topopack
 *  fabric, with the contents topology/tree gives it for the same
 *  topology.conf.
 *
 *  Everything comes from the fabric's public description of its switches
 *  (tp_fabric_switch()): levels, children, the nodes of each leaf, and
 *  LinkSpeed= and the Nodes= / Switches= text that "scontrol show
 *  topology" prints as written.
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

#include "switch_table.h"

/* Switch indices are uint16_t in switch_record_t. */
#define _MAX_SWITCHES 0xfffe

/* LinkSpeed as Slurm reads a uint32 (the library has checked it); 1
 * when absent, as topology/tree. */
static uint32_t _link_speed(const char *value)
{
	unsigned long long num;
	char *end;

	if (!value)
		return 1;
	if (!strcasecmp(value, "UNLIMITED") || !strcasecmp(value, "INFINITE"))
		return INFINITE;
	num = strtoull(value, &end, 0);
	if ((end[0] == 'k') || (end[0] == 'K'))
		num *= 1024;
	return (uint32_t) num;
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
static int _leaf_bitmap(const tp_fabric_t *f, const tp_switch_info_t *sw,
			bitstr_t *bitmap, tp_error_t *err)
{
	for (int k = 0; k < sw->nnodes; k++) {
		const char *name = tp_fabric_node_name(f, sw->nodes[k]);
		/* 22.05 takes a char * it only reads. */
		node_record_t *node_ptr = find_node_record2((char *) name);

		if (!node_ptr) {
			snprintf(err->text, sizeof(err->text),
				 "%s:%d: switch %s lists node %s, which slurm.conf does not define (every node of topology.conf must be a NodeName of slurm.conf)",
				 sw->file ? sw->file : "topology.conf",
				 sw->line, sw->name, name);
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

/* RET the names of items (node or switch indices) as a ranged hostlist
 * expression (xfree it); for fabrics that keep no text. */
static char *_ranged_names(const tp_fabric_t *f, const int *items, int n,
			   bool nodes)
{
	const char **names = xcalloc(n + 1, sizeof(char *));
	tp_switch_info_t child;
	char *str;

	for (int k = 0; k < n; k++) {
		if (nodes)
			names[k] = tp_fabric_node_name(f, items[k]);
		else if (!tp_fabric_switch(f, items[k], &child))
			names[k] = child.name;
	}
	str = _ranged(names, n);
	xfree(names);
	return str;
}

extern int topopack_switch_table_build(const tp_fabric_t *f,
				       tp_error_t *err)
{
	switch_record_t *table = NULL;
	int count = tp_fabric_switch_count(f), levels = 0, rc = -1;

	if (count > _MAX_SWITCHES) {
		snprintf(err->text, sizeof(err->text),
			 "topology.conf: %d switches; Slurm's switch table holds at most %d",
			 count, _MAX_SWITCHES);
		return -1;
	}

	table = xcalloc(count, sizeof(switch_record_t));
	for (int i = 0; i < count; i++) {
		switch_record_t *s = &table[i];
		tp_switch_info_t sw;

		(void) tp_fabric_switch(f, i, &sw);
		s->name = xstrdup(sw.name);
		s->level = sw.level;
		s->link_speed = _link_speed(sw.link_speed);
		s->switches_dist = xcalloc(count, sizeof(uint32_t));
		s->switch_desc_index = xcalloc(count, sizeof(uint16_t));
		levels = MAX(levels, sw.level);
		if (sw.level == 0) {
			s->node_bitmap = bit_alloc(node_record_count);
			if (_leaf_bitmap(f, &sw, s->node_bitmap, err))
				goto fini;
			s->nodes = sw.members ? xstrdup(sw.members) :
				_ranged_names(f, sw.nodes, sw.nnodes, true);
			continue;
		}
		s->num_switches = sw.nswitches;
		s->switch_index = xcalloc(sw.nswitches, sizeof(uint16_t));
		for (int k = 0; k < sw.nswitches; k++)
			s->switch_index[k] = sw.switches[k];
		s->switches = sw.members ? xstrdup(sw.members) :
			_ranged_names(f, sw.switches, sw.nswitches, false);
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
