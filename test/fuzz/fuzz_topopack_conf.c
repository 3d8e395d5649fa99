/*****************************************************************************\
 *  fuzz_topopack_conf.c - topopack.conf over a fixed topology.conf, and
 *  over Slurm's GPU inventory: a fabric or an error, never a crash.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <string.h>

#include "fuzz_file.h"
#include "fuzz_names.h"
#include "topopack.h"

static const char _topology[] =
	"SwitchName=leaf1 Nodes=gpu[001-004]\n"
	"SwitchName=leaf2 Nodes=gpu[005-008]\n"
	"SwitchName=spine1 Switches=leaf[1-2]\n";

static const tp_node_gpus_t _slurm[] = {
	{ "gpu001", 8, "h100" }, { "gpu002", 8, "h100" },
	{ "gpu005", 4, NULL }, { "gpu999", 8, "a100" },
};

static void _differs(void *arg, const char *text)
{
	if (!arg || !text || !text[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fuzz_file_t topo, pack;
	static int arg;
	tp_inventory_t inv = { _slurm, 4, _differs, &arg };
	tp_error_t err = { { 0 } };
	tp_fabric_t *f;

	if (!fuzz_names_few(data, size))
		return 0;
	if (!topo.path[0]) {
		fuzz_file_open(&topo, "topology.conf");
		fuzz_file_set(&topo, (const uint8_t *) _topology,
			      strlen(_topology));
		fuzz_file_open(&pack, "topopack.conf");
	}
	fuzz_file_set(&pack, data, size);
	f = tp_fabric_load(topo.path, pack.path, &err);
	if (!f && !err.text[0])
		abort();
	tp_fabric_free(f);
	f = tp_fabric_load_inventory(topo.path, pack.path, &inv, &err);
	/* Slurm's counts win wherever they are given. */
	if (f && tp_fabric_node_gpus(f, tp_fabric_node_index(f, "gpu005")) != 4)
		abort();
	tp_fabric_free(f);
	return 0;
}
