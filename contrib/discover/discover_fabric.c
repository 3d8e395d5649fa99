/*****************************************************************************\
 *  discover_fabric.c - "topopack-discover fabric": topology.conf,
 *  topopack.conf and an anomaly report from an InfiniBand fabric.
 *
 *  Reads an ibnetdiscover dump (a file, or "-" / nothing for stdin) or,
 *  with --live, the fabric itself; names each adapter's host (--map FILE,
 *  --hosts REGEX, else its node description), groups hosts under leaves
 *  or scalable units of rail leaves, and prints topology.conf, valid for
 *  topology/tree and topology/topopack (or the model as JSON). What does
 *  not fit the cabling is reported on stderr; the exit status says
 *  whether anything was.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "discover_fabric.h"
#include "ibnet_live.h"
#include "ibnet_write.h"

const char discover_fabric_usage[] =
	"       topopack-discover fabric [OPTIONS] [DUMP | --live]\n"
	"  Print topology.conf for the fabric of an ibnetdiscover dump (DUMP,\n"
	"  or standard input: ibnetdiscover | topopack-discover fabric), or of\n"
	"  the live fabric; report what does not fit the cabling on stderr.\n"
	"  --live            walk the fabric from this host (libibnetdisc)\n"
	"  --ca NAME         with --live, the local adapter to start from\n"
	"  --port N          with --live, its port\n"
	"  --map FILE        \"NAME HOST\" lines naming adapters (ibnetdiscover's\n"
	"                    --node-name-map format)\n"
	"  --hosts REGEX     the host in a node description: its first group,\n"
	"                    or the whole match; adapters it does not match\n"
	"                    are not compute hosts\n"
	"  --topopack FILE   also write topopack.conf (NICs, uplinks) to FILE\n"
	"  --block FILE      also write topology.conf for topology/block\n"
	"  --json            the model and the anomalies as JSON instead\n"
	"  Exit: 0 no anomaly, 1 written with anomalies, 2 error or bad usage\n";

typedef struct {
	const char *dump, *map, *hosts, *topopack, *block;
	char *ca;
	int port;
	bool live, json;
} fabric_args_t;

static int _bad_usage(const char *what)
{
	fprintf(stderr, "topopack-discover fabric: %s\n", what);
	fputs("Usage:", stderr);
	fputs(discover_fabric_usage + strlen("      "), stderr);
	return 2;
}

/* An option's value: "--opt VALUE" or "--opt=VALUE"; NULL if not opt. */
static const char *_value(int argc, char **argv, int *i, const char *opt)
{
	size_t len = strlen(opt);

	if (!strncmp(argv[*i], opt, len) && argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (!strcmp(argv[*i], opt) && (*i + 1 < argc))
		return argv[++(*i)];
	return NULL;
}

static int _args(int argc, char **argv, fabric_args_t *a)
{
	int operands = 0;
	const char *v;

	memset(a, 0, sizeof(*a));
	a->dump = "-";
	for (int i = 1; i < argc; i++) {
		if ((v = _value(argc, argv, &i, "--map")))
			a->map = v;
		else if ((v = _value(argc, argv, &i, "--hosts")))
			a->hosts = v;
		else if ((v = _value(argc, argv, &i, "--topopack")))
			a->topopack = v;
		else if ((v = _value(argc, argv, &i, "--block")))
			a->block = v;
		else if ((v = _value(argc, argv, &i, "--ca")))
			a->ca = (char *) v;
		else if ((v = _value(argc, argv, &i, "--port"))) {
			char *end;

			a->port = (int) strtol(v, &end, 10);
			if (*end || a->port < 0 || a->port > 255)
				return _bad_usage("--port: a port number is expected");
		} else if (!strcmp(argv[i], "--live"))
			a->live = true;
		else if (!strcmp(argv[i], "--json"))
			a->json = true;
		else if ((argv[i][0] == '-') && argv[i][1])
			return _bad_usage("unknown option, or one without its value");
		else if (operands++)
			return _bad_usage("one dump at most");
		else
			a->dump = argv[i];
	}
	if (a->live && operands)
		return _bad_usage("a dump or --live, not both");
	if ((a->ca || a->port) && !a->live)
		return _bad_usage("--ca and --port go with --live");
	return 0;
}

static ibnet_t *_read(const fabric_args_t *a, tp_error_t *err)
{
	bool in = !strcmp(a->dump, "-");
	ibnet_t *net;
	FILE *f;

	if (a->live)
		return ibnet_live(a->ca, a->port, err);
	if (!(f = in ? stdin : fopen(a->dump, "r"))) {
		snprintf(err->text, sizeof(err->text), "%s: %s", a->dump,
			 strerror(errno));
		return NULL;
	}
	net = ibnet_read(f, in ? "stdin" : a->dump, err);
	if (!in)
		fclose(f);
	return net;
}

/* Write one of the files; RET 0 or -1 with the problem on stderr. */
static int _write_file(const char *path, const ibnet_fabric_t *fab,
		       int (*write)(FILE *, const ibnet_fabric_t *))
{
	FILE *f = fopen(path, "w");

	if (!f || write(f, fab) || fclose(f)) {
		fprintf(stderr, "topopack-discover: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

extern int discover_fabric(int argc, char **argv)
{
	ibnet_map_t map = { 0 };
	ibnet_fabric_t fab = { 0 };
	ibnet_naming_t naming = { 0 };
	tp_error_t err = { .text = "" };
	fabric_args_t a;
	regex_t hosts;
	ibnet_t *net = NULL;
	int rc;

	if ((rc = _args(argc, argv, &a)))
		return rc;
	rc = 2;
	if (a.hosts) {
		int e = regcomp(&hosts, a.hosts, REG_EXTENDED);

		if (e) {
			char text[128];

			regerror(e, &hosts, text, sizeof(text));
			fprintf(stderr, "topopack-discover: --hosts '%s': %s\n",
				a.hosts, text);
			return 2;
		}
		naming.hosts = &hosts;
	}
	if (a.map) {
		FILE *f = fopen(a.map, "r");

		if (!f) {
			fprintf(stderr, "topopack-discover: %s: %s\n", a.map,
				strerror(errno));
			goto fini;
		}
		if (ibnet_map_read(f, a.map, &map, &err)) {
			fclose(f);
			fprintf(stderr, "topopack-discover: %s\n", err.text);
			goto fini;
		}
		fclose(f);
		naming.map = &map;
	}
	if (!(net = _read(&a, &err))) {
		fprintf(stderr, "topopack-discover: %s\n", err.text);
		goto fini;
	}
	if (ibnet_fabric_build(net, &naming, &fab)) {
		perror("topopack-discover");
		goto fini;
	}
	if (!fab.nhosts) {
		fprintf(stderr, "topopack-discover: no compute host in the fabric (%d devices): check the node descriptions, --map or --hosts\n",
			net->count);
		goto fini;
	}
	if ((a.json ? ibnet_write_json(stdout, &fab) :
	     ibnet_write_topology(stdout, &fab)) || fflush(stdout)) {
		perror("topopack-discover: standard output");
		goto fini;
	}
	if ((a.topopack && _write_file(a.topopack, &fab, ibnet_write_topopack)) ||
	    (a.block && _write_file(a.block, &fab, ibnet_write_block)))
		goto fini;
	fprintf(stderr, "topopack-discover: %d hosts in %d leaf groups (%d rail%s), %d switch levels, %d anomal%s\n",
		fab.nhosts, fab.nunits, fab.rails, fab.rails == 1 ? "" : "s",
		fab.tree.levels, fab.nanomalies,
		fab.nanomalies == 1 ? "y" : "ies");
	ibnet_write_report(stderr, &fab);
	rc = fab.nanomalies ? 1 : 0;
fini:
	ibnet_fabric_free(&fab);
	ibnet_map_free(&map);
	ibnet_free(net);
	if (a.hosts)
		regfree(&hosts);
	return rc;
}
