/*****************************************************************************\
 *  discover_fabric.c - "topopack-discover fabric": topology.conf from an
 *  ibnetdiscover dump.
 *
 *  Reads the dump (a file, or "-" / nothing for stdin), names each
 *  adapter's host (--map FILE, else its node description), finds the
 *  leaves (switches with adapters on them) and the levels above, and
 *  prints topology.conf, valid for topology/tree and topology/topopack.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdio.h>
#include <string.h>

#include "discover_fabric.h"
#include "ibnet_tree.h"

const char discover_fabric_usage[] =
	"       topopack-discover fabric [--map FILE] [DUMP]\n"
	"  Print topology.conf for the fabric of an ibnetdiscover dump (DUMP,\n"
	"  or standard input: ibnetdiscover | topopack-discover fabric).\n"
	"  --map FILE  \"NAME HOST\" lines naming adapters (ibnetdiscover's\n"
	"              --node-name-map format); without it an adapter is named\n"
	"              by the first word of its node description\n";

static int _bad_usage(const char *what)
{
	fprintf(stderr, "topopack-discover fabric: %s\n", what);
	fputs("Usage:", stderr);
	fputs(discover_fabric_usage + strlen("      "), stderr);
	return 2;
}

extern int discover_fabric(int argc, char **argv)
{
	const char *dump = "-", *map_file = NULL;
	ibnet_map_t map = { 0 };
	ibnet_tree_t tree = { 0 };
	tp_error_t err = { .text = "" };
	ibnet_t *net = NULL;
	FILE *f;
	int rc = 1, operands = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--map") && (i + 1 < argc))
			map_file = argv[++i];
		else if (!strncmp(argv[i], "--map=", 6))
			map_file = argv[i] + 6;
		else if ((argv[i][0] == '-') && argv[i][1])
			return _bad_usage("unknown option");
		else if (operands++)
			return _bad_usage("one dump at most");
		else
			dump = argv[i];
	}
	if (map_file) {
		if (!(f = fopen(map_file, "r"))) {
			perror(map_file);
			return 1;
		}
		if (ibnet_map_read(f, map_file, &map, &err)) {
			fclose(f);
			fprintf(stderr, "topopack-discover: %s\n", err.text);
			return 1;
		}
		fclose(f);
	}
	f = strcmp(dump, "-") ? fopen(dump, "r") : stdin;
	if (!f) {
		perror(dump);
		goto fini;
	}
	net = ibnet_read(f, strcmp(dump, "-") ? dump : "stdin", &err);
	if (f != stdin)
		fclose(f);
	if (!net) {
		fprintf(stderr, "topopack-discover: %s\n", err.text);
		goto fini;
	}
	if (ibnet_tree(net, &tree) ||
	    ibnet_tree_write(stdout, net, &tree, &map) || fflush(stdout)) {
		perror("topopack-discover");
		goto fini;
	}
	for (int i = 0; i < net->count; i++)
		if (tree.level[i] == IBNET_CUT)
			fprintf(stderr, "topopack-discover: switch %s (\"%s\", line %d) left out: cabled above a level where not every switch has a parent\n",
				net->node[i].name, net->node[i].desc,
				net->node[i].line);
	rc = 0;
fini:
	ibnet_tree_free(&tree);
	ibnet_map_free(&map);
	ibnet_free(net);
	return rc;
}
