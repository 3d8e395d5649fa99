/*****************************************************************************\
 *  fuzz_topology_conf.c - topology.conf as slurmctld loads it: any input
 *  gives a fabric or an error naming the file, never a crash or a leak.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdlib.h>
#include <string.h>

#include "fuzz_file.h"
#include "fuzz_names.h"
#include "topopack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fuzz_file_t topo;
	tp_error_t err = { { 0 } };
	tp_fabric_t *f;

	if (!fuzz_names_few(data, size))
		return 0;
	if (!topo.path[0])
		fuzz_file_open(&topo, "topology.conf");
	fuzz_file_set(&topo, data, size);
	f = tp_fabric_load(topo.path, NULL, &err);
	if (!f && !err.text[0])
		abort();	/* every failure says why */
	/* Every node is found back by its name, under a leaf. */
	for (int i = 0; f && i < tp_fabric_node_count(f); i++)
		if (tp_fabric_node_index(f, tp_fabric_node_name(f, i)) != i ||
		    !tp_fabric_node_leaf(f, i) || !tp_fabric_node_domain(f, i))
			abort();
	tp_fabric_free(f);
	return 0;
}
