/*****************************************************************************\
 *  fuzz_nvsmi.c - "nvidia-smi -q" outputs as topopack-discover nvlink
 *  reads them: GPUs with well-formed bus ids, listed once, a multi-node
 *  fabric only with a non-zero cluster UUID, or an error naming the line;
 *  then the input as one node's file beside a healthy node, grouped into
 *  NVLink domains and written as topopack.conf and JSON.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "discover_nvlink.h"
#include "fuzz_file.h"
#include "nvsmi.h"

/* A healthy GB200 node with one GPU in clique 7. */
static const char _healthy[] =
	"Attached GPUs                             : 1\n"
	"GPU 00000008:01:00.0\n"
	"    Product Name                          : NVIDIA GB200\n"
	"    Fabric\n"
	"        State                             : Completed\n"
	"        Status                            : Success\n"
	"        CliqueId                          : 7\n"
	"        ClusterUUID                       : 4f6b2a91-3c0e-4d57-9a1e-8b2c7d5e6f10\n";

static void _check_smi(const nvsmi_t *smi)
{
	if ((smi->count < 0) || (smi->count > NVSMI_GPUS_MAX) ||
	    (smi->attached > NVSMI_GPUS_MAX))
		abort();
	for (int i = 0; i < smi->count; i++) {
		const nvsmi_gpu_t *g = &smi->gpu[i];
		size_t len = strlen(g->busid);

		if (((len != 16) && (len != 12)) || (g->line < 1))
			abort();
		for (int j = 0; j < i; j++)
			if (!strcasecmp(g->busid, smi->gpu[j].busid))
				abort();
		if (nvsmi_multinode(g) &&
		    (strcmp(g->state, "Completed") ||
		     strcmp(g->status, "Success") || !g->has_clique ||
		     (strlen(g->cluster) != 36) ||
		     !strcmp(g->cluster, "00000000-0000-0000-0000-000000000000")))
			abort();
		if (nvsmi_fabric_failed(g) && nvsmi_multinode(g))
			abort();
		for (const char *c = g->state; *c; c++)
			if ((unsigned char) *c < 0x20)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fuzz_file_t node, other;
	static bool opened;
	tp_error_t err = { .text = "" };
	nvlink_result_t res;
	FILE *in, *out;
	nvsmi_t *smi;

	if (!size || !(in = fmemopen((void *) data, size, "r")))
		return 0;
	smi = nvsmi_read(in, "smi", &err);
	fclose(in);
	if (!smi) {
		/* An error says where: "smi:LINE: ...". */
		if (strncmp(err.text, "smi:", 4) ||
		    !isdigit((unsigned char) err.text[4]))
			abort();
		return 0;
	}
	_check_smi(smi);
	nvsmi_free(smi);

	if (!opened) {
		fuzz_file_open(&node, "gb001");
		fuzz_file_open(&other, "gb002.txt");
		fuzz_file_set(&other, (const uint8_t *) _healthy,
			      strlen(_healthy));
		opened = true;
	}
	fuzz_file_set(&node, data, size);
	if (nvlink_scan(_fuzz_dir, NULL, &res, &err))
		abort();	/* the same text read without error above */
	if (!(out = fopen("/dev/null", "w")))
		abort();
	if (nvlink_write_conf(out, &res) || nvlink_write_json(out, &res))
		abort();
	fclose(out);
	/* Each node is in one place: a domain, no_fabric or left_out. */
	{
		int placed = res.nno_fabric + res.nleft_out;

		for (int d = 0; d < res.ndomains; d++)
			placed += res.domain[d].nhosts;
		if (placed != 2)
			abort();
	}
	nvlink_result_free(&res);
	return 0;
}
