/*****************************************************************************\
 *  fuzz_ibnet.c - ibnetdiscover dumps as topopack-discover fabric reads
 *  them: a fabric whose links all point at nodes it has, levelled and
 *  written as topology.conf, or an error naming the line.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ibnet_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_error_t err = { .text = "" };
	ibnet_tree_t tree = { 0 };
	FILE *in, *out;
	ibnet_t *net;

	if (!size || !(in = fmemopen((void *) data, size, "r")))
		return 0;
	net = ibnet_read(in, "dump", &err);
	fclose(in);
	if (!net) {
		/* An error says where: "dump:LINE: ...". */
		if (strncmp(err.text, "dump:", 5))
			abort();
		return 0;
	}
	if (net->count < 1)
		abort();
	for (int i = 0; i < net->count; i++)
		for (int k = 0; k < net->node[i].nlinks; k++)
			if (net->node[i].link[k].peer < 0 ||
			    net->node[i].link[k].peer >= net->count)
				abort();
	if (ibnet_tree(net, &tree))
		abort();
	/* A switch with an adapter on a port is a leaf. */
	for (int i = 0; i < net->count; i++)
		if (tree.level[i] > tree.levels - 1)
			abort();
	if (!(out = fopen("/dev/null", "w")))
		abort();
	(void) ibnet_tree_write(out, net, &tree, NULL);
	fclose(out);
	ibnet_tree_free(&tree);
	ibnet_free(net);
	return 0;
}
