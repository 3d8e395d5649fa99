/*****************************************************************************\
 *  topopack-discover.c - a node's GPU:NIC:CPU pairing and gres.conf lines,
 *  a fabric's topology.conf, topopack.conf and cabling anomalies
 *  (contrib/discover/discover_fabric.c), and the NVLink domains of
 *  topopack.conf (contrib/discover/discover_nvlink.c).
 *
 *  topopack-discover node [--hwloc-xml FILE] [--json]
 *  topopack-discover fabric [OPTIONS] [DUMP | --live]
 *  topopack-discover nvlink [--prefix NAME] [--json] DIR
 *
 *  Reads the live machine (or a recorded hwloc XML export), pairs every
 *  GPU with its nearest RDMA NIC (lib/bind/topopack_bind.h) and prints a table and
 *  the gres.conf lines for the node; --json prints one JSON object.
 *
 *  gres.conf lines: "Name=gpu File=<dev> Cores=<list>", one per GPU in PCI
 *  bus order. <dev> is /dev/nvidia<i> for NVIDIA GPUs (the driver numbers
 *  its minors in bus order), /dev/dri/<renderD...> when hwloc knows the
 *  render node, else the line is written as a comment. Cores= is the CPU
 *  list of the GPU's NUMA node as hwloc numbers CPUs (PU OS indices), which
 *  is what Slurm's Cores= accepts on nodes without hyperthreads. No Links=
 *  is written: the recorded machines give no NVLink matrix hwloc exposes
 *  in a form this tool reads.
 *
 *  Exit: 0, 1 on failure (no GPU, bad file), 2 on bad usage; nvlink
 *  exits as diff does (0, 1 with anomalies, 2 on trouble).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover_fabric.h"
#include "discover_nvlink.h"
#include "topopack_bind.h"

static void _usage(FILE *f)
{
	fprintf(f, "Usage: topopack-discover node [--hwloc-xml FILE] [--json]\n"
		   "  Print the node's GPU:NIC:CPU pairing and gres.conf lines.\n"
		   "  --hwloc-xml FILE  read a recorded hwloc XML export instead\n"
		   "                    of this machine\n"
		   "  --json            one JSON object instead of the table\n"
		   "%s%s", discover_fabric_usage, discover_nvlink_usage);
}

/* Device file for gres.conf, or "" when none is known. */
static void _dev_file(const tp_bind_gpu_t *g, int i, char *buf, size_t len)
{
	if (g->vendor == 0x10de)
		snprintf(buf, len, "/dev/nvidia%d", i);
	else if (g->render[0])
		snprintf(buf, len, "/dev/dri/%s", g->render);
	else
		buf[0] = '\0';
}

/* Print s as a JSON string (the names here are plain ASCII). */
static void _jstr(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if ((*s == '"') || (*s == '\\'))
			printf("\\%c", *s);
		else if ((unsigned char) *s < 0x20)
			printf("\\u%04x", (unsigned char) *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void _print_json(const tp_node_topo_t *t, const char *source)
{
	int i, n = tp_node_topo_gpu_count(t), m = tp_node_topo_nic_count(t);
	char dev[64];

	printf("{\"source\":");
	_jstr(source);
	printf(",\"gpus\":[");
	for (i = 0; i < n; i++) {
		const tp_bind_gpu_t *g = tp_node_topo_gpu(t, i);
		const tp_bind_nic_t *c = tp_node_topo_nic(t, g->nic);

		_dev_file(g, i, dev, sizeof(dev));
		printf("%s{\"index\":%d,\"busid\":", i ? "," : "", i);
		_jstr(g->busid);
		printf(",\"vendor\":\"0x%04x\",\"osdev\":", g->vendor);
		_jstr(g->osdev);
		printf(",\"numa\":%d,\"cores\":", g->numa);
		_jstr(g->cpus);
		printf(",\"nic\":");
		if (c)
			_jstr(c->name);
		else
			printf("null");
		printf(",\"distance\":\"%s\",\"nic_local\":%s,\"file\":",
		       tp_bind_dist_name(g->dist),
		       g->nic_local ? "true" : "false");
		if (dev[0])
			_jstr(dev);
		else
			printf("null");
		printf("}");
	}
	printf("],\"nics\":[");
	for (i = 0; i < m; i++) {
		const tp_bind_nic_t *c = tp_node_topo_nic(t, i);

		printf("%s{\"name\":", i ? "," : "");
		_jstr(c->name);
		printf(",\"busid\":");
		_jstr(c->busid);
		printf(",\"numa\":%d,\"port\":%d,\"port_state\":%d,\"gpus\":%d}",
		       c->numa, c->port, c->port_state, c->gpus);
	}
	printf("]}\n");
}

static void _print_table(const tp_node_topo_t *t, const char *source)
{
	int i, n = tp_node_topo_gpu_count(t), m = tp_node_topo_nic_count(t);
	int nolocal = 0;
	char dev[64];

	printf("# %s: %d GPUs, %d RDMA NICs\n", source, n, m);
	printf("%-4s %-13s %-8s %-5s %-24s %-8s %s\n", "GPU", "BUSID", "OSDEV",
	       "NUMA", "CORES", "NIC", "DISTANCE");
	for (i = 0; i < n; i++) {
		const tp_bind_gpu_t *g = tp_node_topo_gpu(t, i);
		const tp_bind_nic_t *c = tp_node_topo_nic(t, g->nic);

		printf("%-4d %-13s %-8s %-5d %-24s %-8s %s%s\n", i, g->busid,
		       g->osdev[0] ? g->osdev : "-", g->numa, g->cpus,
		       c ? c->name : "-", tp_bind_dist_name(g->dist),
		       g->nic_local ? "" : " (no local NIC)");
		nolocal += !g->nic_local;
	}
	if (nolocal)
		printf("# %d of %d GPUs have no NIC on their NUMA node\n",
		       nolocal, n);
	printf("\n# gres.conf\n");
	for (i = 0; i < n; i++) {
		const tp_bind_gpu_t *g = tp_node_topo_gpu(t, i);

		_dev_file(g, i, dev, sizeof(dev));
		printf("%sName=gpu File=%s Cores=%s\n",
		       dev[0] ? "" : "# no device file known: ",
		       dev[0] ? dev : "?", g->cpus);
	}
}

int main(int argc, char **argv)
{
	const char *xml = NULL;
	tp_node_topo_t *t;
	tp_error_t err = { "" };
	bool json = false;
	int i;

	if ((argc >= 2) && !strcmp(argv[1], "fabric"))
		return discover_fabric(argc - 1, argv + 1);
	if ((argc >= 2) && !strcmp(argv[1], "nvlink"))
		return discover_nvlink(argc - 1, argv + 1);
	if ((argc < 2) || strcmp(argv[1], "node")) {
		if ((argc == 2) && (!strcmp(argv[1], "--help") ||
				    !strcmp(argv[1], "-h"))) {
			_usage(stdout);
			return 0;
		}
		_usage(stderr);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--hwloc-xml") && (i + 1 < argc)) {
			xml = argv[++i];
		} else if (!strncmp(argv[i], "--hwloc-xml=", 12)) {
			xml = argv[i] + 12;
		} else {
			fprintf(stderr, "topopack-discover: bad argument: %s\n",
				argv[i]);
			_usage(stderr);
			return 2;
		}
	}
	if (!(t = tp_node_topo_load(xml, &err))) {
		fprintf(stderr, "topopack-discover: %s\n", err.text);
		return 1;
	}
	if (json)
		_print_json(t, xml ? xml : "this machine");
	else
		_print_table(t, xml ? xml : "this machine");
	tp_node_topo_free(t);
	return 0;
}
