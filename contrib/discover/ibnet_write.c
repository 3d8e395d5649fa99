/*****************************************************************************\
 *  ibnet_write.c - topology.conf, topopack.conf, JSON and the anomaly
 *  report of a fabric.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE	/* strverscmp */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ibnet_write.h"

/* A switch by its name: the name first, so that _cmp_name sorts these. */
typedef struct {
	const char *name;
	int index;
} named_t;

static int _cmp_name(const void *a, const void *b)
{
	/* gpu9 before gpu10, as hostlists count. */
	return strverscmp(*(char *const *) a, *(char *const *) b);
}

/* names (n of them, any order, repeats allowed) as one hostlist. */
static int _write_list(FILE *out, const char **names, int n)
{
	const char **distinct = calloc(n + 1, sizeof(char *));
	char *list;
	int k = 0;

	if (!distinct)
		return -1;
	qsort(names, n, sizeof(char *), _cmp_name);
	for (int i = 0; i < n; i++)
		if (!k || strcmp(names[i], distinct[k - 1]))
			distinct[k++] = names[i];
	list = tp_hostlist_compress((char *const *) distinct, k);
	free(distinct);
	if (!list)
		return -1;
	fputs(list, out);
	free(list);
	return 0;
}

/* The hosts of unit u as a hostlist. */
static int _write_hosts(FILE *out, const ibnet_fabric_t *fab, int u)
{
	const char **names = calloc(fab->nhosts + 1, sizeof(char *));
	int n = 0, rc;

	if (!names)
		return -1;
	for (int h = 0; h < fab->nhosts; h++)
		if (fab->host[h].unit == u)
			names[n++] = fab->host[h].name;
	rc = _write_list(out, names, n);
	free(names);
	return rc;
}

static int _finish(FILE *out)
{
	return ferror(out) ? -1 : 0;
}

/* The line of switch i above the leaves: what it has one level below. */
static int _write_switch(FILE *out, const ibnet_fabric_t *fab, int i)
{
	const ibnet_node_t *n = &fab->net->node[i];
	const char **below = calloc(n->nlinks + 1, sizeof(char *));
	int lvl = fab->tree.level[i], count = 0, rc = 0;

	if (!below)
		return -1;
	for (int k = 0; k < n->nlinks; k++) {
		int p = n->link[k].peer;

		if (fab->tree.level[p] != lvl - 1)
			continue;
		if (lvl > 1)
			below[count++] = fab->switch_name[p];
		else if (fab->unit[fab->unit_of[p]].nhosts)
			below[count++] = fab->unit[fab->unit_of[p]].name;
	}
	if (count) {
		fprintf(out, "SwitchName=%s Switches=", fab->switch_name[i]);
		rc = _write_list(out, below, count);
		fputc('\n', out);
	}
	free(below);
	return rc;
}

extern int ibnet_write_topology(FILE *out, const ibnet_fabric_t *fab)
{
	const ibnet_t *net = fab->net;
	named_t *named;

	for (int u = 0; u < fab->nunits; u++) {
		if (!fab->unit[u].nhosts)
			continue;
		fprintf(out, "SwitchName=%s Nodes=", fab->unit[u].name);
		if (_write_hosts(out, fab, u))
			return -1;
		fputc('\n', out);
	}
	/* Switches by name in each level, so that files diff well. */
	if (!(named = calloc(net->count + 1, sizeof(*named))))
		return -1;
	for (int lvl = 1; lvl < fab->tree.levels; lvl++) {
		int n = 0;

		for (int i = 0; i < net->count; i++)
			if (fab->tree.level[i] == lvl)
				named[n++] = (named_t) { fab->switch_name[i], i };
		qsort(named, n, sizeof(*named), _cmp_name);
		for (int k = 0; k < n; k++)
			if (_write_switch(out, fab, named[k].index)) {
				free(named);
				return -1;
			}
	}
	free(named);
	return _finish(out);
}

extern int ibnet_write_block(FILE *out, const ibnet_fabric_t *fab)
{
	fputs("# Slurm topology/block: one block per leaf group; the nodes of a block\n"
	      "# talk through one switch (one per rail on a rail-optimised fabric).\n",
	      out);
	for (int u = 0; u < fab->nunits; u++) {
		if (!fab->unit[u].nhosts)
			continue;
		fprintf(out, "BlockName=%s Nodes=", fab->unit[u].name);
		if (_write_hosts(out, fab, u))
			return -1;
		fputc('\n', out);
	}
	return _finish(out);
}

/* A speed for a .conf file: "200", "56", "2.5". */
static void _speed(FILE *out, const char *key, double gbps)
{
	if (gbps > 0)
		fprintf(out, " %s=%g", key, gbps);
}

extern int ibnet_write_topopack(FILE *out, const ibnet_fabric_t *fab)
{
	const char **names = calloc(fab->nhosts + 1, sizeof(char *));
	bool *done = calloc(fab->nhosts + 1, sizeof(bool));
	int rc = -1;

	if (!names || !done)
		goto fini;
	fprintf(out, "# Adapters per host and their link speed (Gb/s), from the fabric.\n");
	for (int h = 0; h < fab->nhosts; h++) {
		const ibnet_host_t *a = &fab->host[h];
		int n = 0;

		if (done[h])
			continue;
		for (int k = h; k < fab->nhosts; k++)
			if (!done[k] && fab->host[k].nca == a->nca &&
			    fab->host[k].nic_gbps == a->nic_gbps) {
				done[k] = true;
				names[n++] = fab->host[k].name;
			}
		fputs("NodeName=", out);
		if (_write_list(out, names, n))
			goto fini;
		fprintf(out, " Nics=%d", a->nca);
		_speed(out, "NicSpeed", a->nic_gbps);
		fputc('\n', out);
	}
	fprintf(out, "\n# Uplinks of each leaf group to the level above.\n");
	for (int u = 0; u < fab->nunits; u++) {
		const ibnet_unit_t *unit = &fab->unit[u];
		double gbps = 0;
		int uplinks = 0;

		if (!unit->nhosts)
			continue;
		for (int i = 0; i < unit->nleaves; i++) {
			int leaf = unit->leaf[i];

			if (unit->nleaves > 1) {
				fprintf(out, "# %s rail %d%s%s: %s Uplinks=%d",
					unit->name, i + 1,
					fab->rail[leaf][0] ? " " : "",
					fab->rail[leaf], fab->switch_name[leaf],
					fab->uplinks[leaf]);
				_speed(out, "UplinkSpeed", fab->uplink_gbps[leaf]);
				fputc('\n', out);
			}
			uplinks += fab->uplinks[leaf];
			if (fab->uplink_gbps[leaf] > gbps)
				gbps = fab->uplink_gbps[leaf];
		}
		if (!uplinks)
			continue;	/* a one-level fabric */
		fprintf(out, "SwitchName=%s Uplinks=%d", unit->name, uplinks);
		_speed(out, "UplinkSpeed", gbps);
		fputc('\n', out);
	}
	rc = _finish(out);
fini:
	free(names);
	free(done);
	return rc;
}

/* s as a JSON string. */
static void _jstr(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char) *s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char) *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void _json_switches(FILE *out, const ibnet_fabric_t *fab)
{
	const ibnet_t *net = fab->net;
	bool first = true;

	fputs("\"switches\":[", out);
	for (int i = 0; i < net->count; i++) {
		if (net->node[i].kind != IBNET_SWITCH)
			continue;
		fputs(first ? "{\"name\":" : ",{\"name\":", out);
		first = false;
		_jstr(out, fab->switch_name[i]);
		fputs(",\"id\":", out);
		_jstr(out, net->node[i].name);
		fputs(",\"description\":", out);
		_jstr(out, net->node[i].desc);
		fprintf(out, ",\"level\":%d,\"uplinks\":%d,\"uplink_gbps\":%g",
			fab->tree.level[i], fab->uplinks[i],
			fab->uplink_gbps[i]);
		if (fab->unit_of[i] >= 0) {
			fputs(",\"group\":", out);
			_jstr(out, fab->unit[fab->unit_of[i]].name);
			fputs(",\"rail\":", out);
			_jstr(out, fab->rail[i]);
		}
		fputc('}', out);
	}
	fputc(']', out);
}

static void _json_units(FILE *out, const ibnet_fabric_t *fab)
{
	fputs("\"groups\":[", out);
	for (int u = 0; u < fab->nunits; u++) {
		const ibnet_unit_t *unit = &fab->unit[u];
		bool first = true;

		fputs(u ? ",{\"name\":" : "{\"name\":", out);
		_jstr(out, unit->name);
		fputs(",\"leaves\":[", out);
		for (int i = 0; i < unit->nleaves; i++) {
			if (i)
				fputc(',', out);
			_jstr(out, fab->switch_name[unit->leaf[i]]);
		}
		fputs("],\"hosts\":[", out);
		for (int h = 0; h < fab->nhosts; h++)
			if (fab->host[h].unit == u) {
				if (!first)
					fputc(',', out);
				first = false;
				_jstr(out, fab->host[h].name);
			}
		fputs("]}", out);
	}
	fputc(']', out);
}

static void _json_hosts(FILE *out, const ibnet_fabric_t *fab)
{
	const ibnet_t *net = fab->net;

	fputs("\"hosts\":[", out);
	for (int h = 0; h < fab->nhosts; h++) {
		const ibnet_host_t *host = &fab->host[h];

		fputs(h ? ",{\"name\":" : "{\"name\":", out);
		_jstr(out, host->name);
		fputs(",\"group\":", out);
		if (host->unit >= 0)
			_jstr(out, fab->unit[host->unit].name);
		else
			fputs("null", out);
		fprintf(out, ",\"nic_gbps\":%g,\"adapters\":[", host->nic_gbps);
		for (int c = 0; c < host->nca; c++) {
			const ibnet_node_t *ca = &net->node[host->ca[c]];

			fputs(c ? ",{\"id\":" : "{\"id\":", out);
			_jstr(out, ca->name);
			fputs(",\"description\":", out);
			_jstr(out, ca->desc);
			fputs(",\"switch\":", out);
			if (ca->nlinks && fab->switch_name[ca->link[0].peer])
				_jstr(out, fab->switch_name[ca->link[0].peer]);
			else
				fputs("null", out);
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputc(']', out);
}

extern int ibnet_write_json(FILE *out, const ibnet_fabric_t *fab)
{
	fprintf(out, "{\"levels\":%d,\"rails\":%d,\"aggregation_nodes\":%d,",
		fab->tree.levels, fab->rails, fab->aggregation_nodes);
	_json_switches(out, fab);
	fputc(',', out);
	_json_units(out, fab);
	fputc(',', out);
	_json_hosts(out, fab);
	fputs(",\"anomalies\":[", out);
	for (int a = 0; a < fab->nanomalies; a++) {
		fputs(a ? ",{\"kind\":" : "{\"kind\":", out);
		_jstr(out, ibnet_anomaly_name(fab->anomaly[a].kind));
		fputs(",\"device\":", out);
		_jstr(out, fab->net->node[fab->anomaly[a].node].name);
		fputs(",\"text\":", out);
		_jstr(out, fab->anomaly[a].text);
		fputc('}', out);
	}
	fputs("]}\n", out);
	return _finish(out);
}

extern int ibnet_write_report(FILE *out, const ibnet_fabric_t *fab)
{
	for (int a = 0; a < fab->nanomalies; a++)
		fprintf(out, "%s: %s\n",
			ibnet_anomaly_name(fab->anomaly[a].kind),
			fab->anomaly[a].text);
	return _finish(out);
}
