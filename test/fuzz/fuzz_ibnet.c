/*****************************************************************************\
 *  fuzz_ibnet.c - ibnetdiscover dumps as topopack-discover fabric reads
 *  them: a fabric whose links all point at nodes it has, levelled,
 *  grouped and written in every output form, or an error naming the
 *  line.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ibnet_write.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tp_error_t err = { .text = "" };
	ibnet_fabric_t fab;
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
	if (ibnet_fabric_build(net, NULL, &fab))
		abort();
	for (int i = 0; i < net->count; i++)
		if (fab.tree.level[i] > fab.tree.levels - 1)
			abort();
	/* Every host is in a leaf group whose leaves are leaves. */
	for (int h = 0; h < fab.nhosts; h++) {
		const ibnet_unit_t *u;

		if (fab.host[h].unit < 0)
			continue;
		u = &fab.unit[fab.host[h].unit];
		for (int l = 0; l < u->nleaves; l++)
			if (fab.tree.level[u->leaf[l]] != 0)
				abort();
	}
	if (!(out = fopen("/dev/null", "w")))
		abort();
	if (ibnet_write_topology(out, &fab) || ibnet_write_block(out, &fab) ||
	    ibnet_write_topopack(out, &fab) || ibnet_write_json(out, &fab) ||
	    ibnet_write_report(out, &fab))
		abort();
	fclose(out);
	ibnet_fabric_free(&fab);
	ibnet_free(net);
	return 0;
}
