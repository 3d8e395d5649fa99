/*****************************************************************************\
 *  ibnet_tree.c - the switch tree of an InfiniBand fabric, for
 *  topology.conf.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE	/* strverscmp */
#include <ctype.h>
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

/* A description the adapter left at its factory default. */
static bool _factory(const char *desc)
{
	return !desc[0] || strstr(desc, "Mellanox") || strstr(desc, "NVIDIA") ||
		(desc[0] == 'M' && desc[1] == 'T' &&
		 isdigit((unsigned char) desc[2]));
}

extern char *ibnet_host(const ibnet_node_t *ca, const ibnet_map_t *map)
{
	const char *guid = strchr(ca->name, '-');

	for (int i = 0; map && i < map->count; i++)
		if (!strcmp(map->name[i], ca->name) ||
		    (guid && !strcasecmp(map->name[i], guid + 1)))
			return strdup(map->host[i]);
	if (!_factory(ca->desc))
		return strndup(ca->desc, strcspn(ca->desc, " \t"));
	return strdup(ca->name);
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

extern int ibnet_tree(const ibnet_t *net, ibnet_tree_t *tree)
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
		const ibnet_node_t *n = &net->node[i];

		tree->level[i] = IBNET_NO_LEVEL;
		if (n->kind != IBNET_SWITCH)
			continue;
		for (int k = 0; k < n->nlinks; k++)
			if (net->node[n->link[k].peer].kind == IBNET_CA) {
				tree->level[i] = 0;
				queue[tail++] = i;
				break;
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
			    tree->level[p] >= 0)
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

static int _cmp_str(const void *a, const void *b)
{
	/* gpu9 before gpu10, as hostlists count. */
	return strverscmp(*(char *const *) a, *(char *const *) b);
}

/* Sorted distinct names as a hostlist, on out (names is sorted). */
static int _write_list(FILE *out, char **names, int n)
{
	char **distinct = calloc(n + 1, sizeof(char *)), *list;
	int k = 0;

	if (!distinct)
		return -1;
	qsort(names, n, sizeof(char *), _cmp_str);
	for (int i = 0; i < n; i++)
		if (!k || strcmp(names[i], distinct[k - 1]))
			distinct[k++] = names[i];
	list = tp_hostlist_compress(distinct, k);
	free(distinct);
	if (!list)
		return -1;
	fputs(list, out);
	free(list);
	return 0;
}

extern int ibnet_tree_write(FILE *out, const ibnet_t *net,
			    const ibnet_tree_t *tree, const ibnet_map_t *map)
{
	int rc = 0;

	for (int lvl = 0; !rc && lvl < tree->levels; lvl++) {
		for (int i = 0; !rc && i < net->count; i++) {
			const ibnet_node_t *n = &net->node[i];
			char **own = NULL;
			int count = 0;

			if (tree->level[i] != lvl)
				continue;
			own = calloc(n->nlinks + 1, sizeof(char *));
			if (!own) {
				rc = -1;
				break;
			}
			for (int k = 0; k < n->nlinks; k++) {
				const ibnet_node_t *p = &net->node[n->link[k].peer];

				if (!lvl && p->kind == IBNET_CA)
					own[count++] = ibnet_host(p, map);
				else if (lvl && p->kind == IBNET_SWITCH &&
					 tree->level[n->link[k].peer] == lvl - 1)
					own[count++] = strdup(p->name);
			}
			fprintf(out, "SwitchName=%s %s=", n->name,
				lvl ? "Switches" : "Nodes");
			rc = _write_list(out, own, count);
			fputc('\n', out);
			for (int k = 0; k < count; k++)
				free(own[k]);
			free(own);
		}
	}
	if (!rc && ferror(out))
		rc = -1;
	return rc;
}
