/*****************************************************************************\
 *  ibnet_tree.c - the switch tree of an InfiniBand fabric, for
 *  topology.conf.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ibnet_tree.h"

extern int ibnet_map_read(FILE *f, const char *name, ibnet_map_t *map,
			  tp_error_t *err)
{
	char *buf = NULL, *save, *a, *b;
	size_t len = 0;
	int line = 0, cap = 0;

	memset(map, 0, sizeof(*map));
	while (getline(&buf, &len, f) >= 0) {
		line++;
		if ((a = strchr(buf, '#')))
			*a = '\0';
		if (!(a = strtok_r(buf, " \t\r\n", &save)))
			continue;
		if (!(b = strtok_r(NULL, " \t\r\n", &save)) ||
		    strtok_r(NULL, " \t\r\n", &save)) {
			snprintf(err->text, sizeof(err->text),
				 "%s:%d: \"NAME HOST\" expected", name, line);
			goto fail;
		}
		if (map->count == cap) {
			cap = cap ? 2 * cap : 64;
			map->name = realloc(map->name, cap * sizeof(char *));
			map->host = realloc(map->host, cap * sizeof(char *));
			if (!map->name || !map->host)
				goto nomem;
		}
		map->name[map->count] = strdup(a);
		map->host[map->count] = strdup(b);
		map->count++;
		if (!map->name[map->count - 1] || !map->host[map->count - 1])
			goto nomem;
	}
	free(buf);
	return 0;
nomem:
	snprintf(err->text, sizeof(err->text), "%s: out of memory", name);
fail:
	free(buf);
	ibnet_map_free(map);
	errno = EINVAL;
	return -1;
}

extern void ibnet_map_free(ibnet_map_t *map)
{
	for (int i = 0; i < map->count; i++) {
		free(map->name ? map->name[i] : NULL);
		free(map->host ? map->host[i] : NULL);
	}
	free(map->name);
	free(map->host);
	memset(map, 0, sizeof(*map));
}

/* Whether switch i has a neighbour of level lvl. */
static bool _has_neighbour(const ibnet_t *net, const ibnet_tree_t *tree,
			   int i, int lvl)
{
	for (int k = 0; k < net->node[i].nlinks; k++)
		if (tree->level[net->node[i].link[k].peer] == lvl)
			return true;
	return false;
}

/* Cut the levels above the first one with a switch that has no parent. */
static void _cut(const ibnet_t *net, ibnet_tree_t *tree)
{
	int top = tree->levels;

	for (int lvl = 1; lvl + 1 < top; lvl++)
		for (int i = 0; i < net->count; i++)
			if ((tree->level[i] == lvl) &&
			    !_has_neighbour(net, tree, i, lvl + 1)) {
				top = lvl + 1;
				break;
			}
	tree->cut = 0;
	for (int i = 0; i < net->count; i++)
		if (tree->level[i] >= top) {
			tree->level[i] = IBNET_CUT;
			tree->cut++;
		}
	tree->levels = top;
}

extern bool ibnet_tree_holds_devices(const ibnet_t *net, int i)
{
	for (int k = 0; k < net->node[i].nlinks; k++)
		if (net->node[net->node[i].link[k].peer].kind != IBNET_SWITCH)
			return true;
	return false;
}

/* 1 for a switch with a compute adapter, -1 for one with only other
 * devices (left out of the tree), 0 for one with neither. */
static int _leaf(const ibnet_t *net, const unsigned char *role, int i)
{
	const ibnet_node_t *n = &net->node[i];
	bool other = false;

	for (int k = 0; k < n->nlinks; k++) {
		int p = n->link[k].peer;

		if (net->node[p].kind == IBNET_SWITCH)
			continue;
		if (role ? role[p] == IBNET_COMPUTE :
		    net->node[p].kind == IBNET_CA)
			return 1;
		other |= role && role[p] == IBNET_OTHER;
	}
	return other ? -1 : 0;
}

extern int ibnet_tree(const ibnet_t *net, const unsigned char *role,
		      ibnet_tree_t *tree)
{
	int *queue = malloc((net->count + 1) * sizeof(int));
	int head = 0, tail = 0;

	tree->levels = 0;
	tree->level = malloc((net->count + 1) * sizeof(int));
	if (!queue || !tree->level) {
		free(queue);
		ibnet_tree_free(tree);
		errno = ENOMEM;
		return -1;
	}
	for (int i = 0; i < net->count; i++) {
		tree->level[i] = IBNET_NO_LEVEL;
		if (net->node[i].kind == IBNET_SWITCH &&
		    _leaf(net, role, i) > 0) {
			tree->level[i] = 0;
			queue[tail++] = i;
		}
	}
	while (head < tail) {
		const ibnet_node_t *n = &net->node[queue[head]];
		int lvl = tree->level[queue[head++]];

		if (lvl + 1 > tree->levels)
			tree->levels = lvl + 1;
		for (int k = 0; k < n->nlinks; k++) {
			int p = n->link[k].peer;

			if (net->node[p].kind != IBNET_SWITCH ||
			    tree->level[p] != IBNET_NO_LEVEL ||
			    _leaf(net, role, p) < 0)
				continue;
			tree->level[p] = lvl + 1;
			queue[tail++] = p;
		}
	}
	free(queue);
	_cut(net, tree);
	return 0;
}

extern void ibnet_tree_free(ibnet_tree_t *tree)
{
	free(tree->level);
	tree->level = NULL;
	tree->levels = 0;
}
