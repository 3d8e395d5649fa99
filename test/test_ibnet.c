/*****************************************************************************\
 *  test_ibnet.c - ibnetdiscover dumps read and turned into topology.conf:
 *  a real fabric against the topology.conf its admins made of it, host
 *  names, and file:line errors.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ibnet_write.h"

static ibnet_t *_read_file(const char *path)
{
	tp_error_t err = { .text = "" };
	FILE *f = fopen(path, "r");
	ibnet_t *net;

	ck_assert_msg(f, "%s", path);
	net = ibnet_read(f, path, &err);
	fclose(f);
	ck_assert_msg(net, "%s", err.text);
	return net;
}

static ibnet_t *_read_text(const char *text, tp_error_t *err)
{
	FILE *f = fmemopen((void *) text, strlen(text), "r");
	ibnet_t *net = ibnet_read(f, "dump", err);

	fclose(f);
	return net;
}

static int _cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* text, written to a file under $TMPDIR, loads as a fabric of that many
 * nodes and leaves. */
static void _loads(const char *text, int nodes, int leaves)
{
	const char *tmp = getenv("TMPDIR");
	tp_error_t err = { .text = "" };
	tp_fabric_t *fabric;
	char path[4096];
	FILE *w;
	int fd;

	snprintf(path, sizeof(path), "%s/test_ibnet.XXXXXX",
		 (tmp && *tmp) ? tmp : "/tmp");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	w = fdopen(fd, "w");
	fputs(text, w);
	fclose(w);
	fabric = tp_fabric_load(path, NULL, &err);
	unlink(path);
	ck_assert_msg(fabric, "%s", err.text);
	ck_assert_int_eq(tp_fabric_node_count(fabric), nodes);
	ck_assert_int_eq(tp_fabric_leaf_count(fabric), leaves);
	tp_fabric_free(fabric);
}

/* The expanded, sorted names of a hostlist, blank separated. */
static char *_sorted(const char *list)
{
	char **names, *out;
	size_t len = 1;
	int n = tp_hostlist_expand(list, &names, NULL);

	ck_assert_int_gt(n, 0);
	qsort(names, n, sizeof(char *), _cmp);
	for (int i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	out = calloc(1, len);
	for (int i = 0; i < n; i++) {
		strcat(out, names[i]);
		strcat(out, " ");
	}
	tp_hostlist_free(names, n);
	return out;
}

/* The value of key in a "SwitchName=X Key=V" line, or NULL. */
static char *_value(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	if (!p)
		return NULL;
	p += strlen(key);
	return strndup(p, strcspn(p, " \t\n"));
}

/* The anomalies of fab of one kind. */
static int _count(const ibnet_fabric_t *fab, ibnet_anomaly_kind_t kind)
{
	int n = 0;

	for (int a = 0; a < fab->nanomalies; a++)
		n += fab->anomaly[a].kind == kind;
	return n;
}

/* Whether fab has an anomaly of that kind whose text holds what. */
static bool _reported(const ibnet_fabric_t *fab, ibnet_anomaly_kind_t kind,
		      const char *what)
{
	for (int a = 0; a < fab->nanomalies; a++)
		if (fab->anomaly[a].kind == kind &&
		    strstr(fab->anomaly[a].text, what))
			return true;
	return false;
}

/* A hostlist without the names of adapters no host owns ("H-..."). */
static char *_named_hosts(const char *sorted)
{
	char *out = calloc(1, strlen(sorted) + 1), *copy = strdup(sorted);
	char *save, *w;

	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (strncmp(w, "H-", 2)) {
			strcat(out, w);
			strcat(out, " ");
		}
	free(copy);
	return out;
}

/*
 * Every leaf the admins' file has (SwitchName with Nodes=) is in ours with
 * the same hosts, but for three adapters whose node description is the
 * factory default and which the map does not name: the admins listed them
 * as "H-<guid>" nodes, here they are reported as unknown devices. The
 * switches above the leaves are the same set, but for S-0008f105001086a2:
 * cabled to two of the four spines only, it is cut (their file lists
 * spines under each other, which Slurm refuses as "not a tree"). The
 * gluster leaf has 4 uplinks where the others have 12. What is written
 * loads as a fabric.
 */
START_TEST(test_x5_as_its_admins)
{
	ibnet_t *net = _read_file(tp_test_data("ib", "ens-lyon-x5.topofile"));
	ibnet_map_t map;
	ibnet_naming_t naming = { .map = &map };
	ibnet_fabric_t fab;
	tp_error_t err = { .text = "" };
	FILE *mf = fopen(tp_test_data("ib", "ens-lyon-x5.map"), "r");
	FILE *admins = fopen(tp_test_data("conf", "ens-lyon-x5.topology.conf"), "r");
	char *ours = NULL, *line = NULL;
	size_t ours_len = 0, len = 0;
	FILE *out = open_memstream(&ours, &ours_len);
	int leaves = 0, spines = 0;

	ck_assert_int_eq(ibnet_map_read(mf, "map", &map, &err), 0);
	fclose(mf);
	ck_assert_int_eq(net->count, 11 + 89);
	ck_assert_int_eq(ibnet_fabric_build(net, &naming, &fab), 0);
	ck_assert_int_eq(fab.tree.levels, 2);
	ck_assert_int_eq(fab.tree.cut, 1);
	ck_assert_int_eq(fab.rails, 1);
	ck_assert_int_eq(fab.nhosts, 86);
	ck_assert_int_eq(fab.tree.level[ibnet_find(net, "S-0008f105001086a2")],
			 IBNET_CUT);
	ck_assert_int_eq(fab.nanomalies, 5);
	ck_assert(_reported(&fab, IBNET_CUT_LEVEL, "S-0008f105001086a2"));
	ck_assert(_reported(&fab, IBNET_FEW_UPLINKS,
			    "leaf S-0008f10500108bba has 4 uplinks, most of its level have 12"));
	ck_assert_int_eq(_count(&fab, IBNET_UNKNOWN_DEVICE), 3);
	ck_assert(_reported(&fab, IBNET_UNKNOWN_DEVICE,
			    "H-78e7d1030024535c (\"MT25408 ConnectX Mellanox Technologies\", line 795) on S-0008f1050020369c port 34"));
	ck_assert_int_eq(ibnet_write_topology(out, &fab), 0);
	fclose(out);

	while (getline(&line, &len, admins) >= 0) {
		char *sw = _value(line, "SwitchName="), *nodes, *want, *got;
		char key[128], *mine;

		if (!sw)
			continue;
		snprintf(key, sizeof(key), "SwitchName=%s ", sw);
		mine = strstr(ours, key);
		if (!strcmp(sw, "S-0008f105001086a2")) {
			ck_assert_ptr_null(mine);
			free(sw);
			continue;
		}
		ck_assert_msg(mine, "switch %s missing from:\n%s", sw, ours);
		if ((nodes = _value(line, "Nodes="))) {
			char *our_nodes = _value(mine, "Nodes="), *all;

			ck_assert_msg(our_nodes, "%s is no leaf here", sw);
			all = _sorted(nodes);
			want = _named_hosts(all);
			got = _sorted(our_nodes);
			ck_assert_str_eq(got, want);
			free(all);
			free(want);
			free(got);
			free(our_nodes);
			free(nodes);
			leaves++;
		} else {
			ck_assert_msg(strstr(mine, " Switches="), "%s", sw);
			spines++;
		}
		free(sw);
	}
	ck_assert_int_eq(leaves, 6);
	ck_assert_int_eq(spines, 4);
	/* And nothing more: 10 switches. */
	{
		int lines = 0;

		for (const char *c = ours; *c; c++)
			lines += (*c == '\n');
		ck_assert_int_eq(lines, 10);
	}
	_loads(ours, 86, 6);
	/* Hosts in Slurm's order: sl390lin9 before sl390lin10. */
	ck_assert_ptr_nonnull(strstr(ours,
		"SwitchName=S-0002c90200417670 Nodes=sl390lin[1-5,7-11,13-18,20-21,24-27,29,33]\n"));
	fclose(admins);
	free(line);
	free(ours);
	ibnet_fabric_free(&fab);
	ibnet_map_free(&map);
	ibnet_free(net);
}
END_TEST

/* A dump with libibmad's warning on its first line still reads. */
START_TEST(test_tool_warning_skipped)
{
	ibnet_t *net = _read_file(tp_test_data("ib", "switchib-edr.topo"));

	ck_assert_int_gt(net->count, 2);
	ibnet_free(net);
}
END_TEST

#define SW "Switch\t8 \"S-01\"\t\t# \"leaf one\" base port 0 lid 1 lmc 0\n"

/* Host names: the map, else the description's first word, unless it is
 * a factory description; with a pattern, what it picks. */
START_TEST(test_host_names)
{
	static const char dump[] =
		SW
		"[1]\t\"H-0a\"[1](a1)\t\t# \"gpu001 mlx5_0\" lid 2 4xHDR\n"
		"[2]\t\"H-0b\"[1](b1)\t\t# \"MT4129 ConnectX7 Mellanox Technologies\" lid 3 4xNDR\n"
		"[3]\t\"H-0c\"[1](c1)\t\t# \"x\" lid 4 4xNDR\n"
		"Ca\t1 \"H-0a\"\t\t# \"gpu001 mlx5_0\"\n"
		"[1](a1)\t\"S-01\"[1]\t\t# lid 2 lmc 0 \"leaf one\" lid 1 4xHDR\n"
		"Ca\t1 \"H-0b\"\t\t# \"MT4129 ConnectX7 Mellanox Technologies\"\n"
		"Ca\t1 \"H-0c\"\t\t# \"MT4129 ConnectX7 Mellanox Technologies\"\n";
	ibnet_map_t map = { 0 };
	ibnet_naming_t naming = { .map = &map };
	regex_t re;
	char *names[] = { "H-0c" }, *hosts[] = { "gpu003" };
	tp_error_t err = { .text = "" };
	ibnet_t *net = _read_text(dump, &err);
	char *h;

	ck_assert_msg(net, "%s", err.text);
	map.name = names;
	map.host = hosts;
	map.count = 1;
	h = ibnet_host(&net->node[ibnet_find(net, "H-0a")], &naming);
	ck_assert_str_eq(h, "gpu001");
	free(h);
	ck_assert_ptr_null(ibnet_host(&net->node[ibnet_find(net, "H-0b")],
				      &naming));
	h = ibnet_host(&net->node[ibnet_find(net, "H-0c")], &naming);
	ck_assert_str_eq(h, "gpu003");
	free(h);
	/* A pattern: its group is the host; no match, no host. */
	ck_assert_int_eq(regcomp(&re, "^node-([0-9]+)", REG_EXTENDED), 0);
	naming.hosts = &re;
	ck_assert_ptr_null(ibnet_host(&net->node[ibnet_find(net, "H-0a")],
				      &naming));
	free(net->node[ibnet_find(net, "H-0a")].desc);
	net->node[ibnet_find(net, "H-0a")].desc = strdup("node-17 HCA-1");
	h = ibnet_host(&net->node[ibnet_find(net, "H-0a")], &naming);
	ck_assert_str_eq(h, "17");
	free(h);
	regfree(&re);
	ck_assert_int_eq(net->node[0].nlinks, 3);
	ck_assert_str_eq(net->node[0].link[0].rate, "4xHDR");
	ck_assert_int_eq(net->node[0].link[2].port, 3);
	ibnet_free(net);
}
END_TEST

/*
 * Devices that are no compute hosts: with a pattern that names gpu hosts,
 * a storage host is an unknown device and its leaf is left out (not taken
 * for a level above the spine), and a SHARP aggregation node on the spine
 * is neither a host nor an anomaly. Speeds come from the link rates.
 */
START_TEST(test_other_devices)
{
	static const char dump[] =
		"Switch\t36 \"S-01\"\t\t# \"leaf1\" enhanced port 0 lid 1 lmc 0\n"
		"[1]\t\"H-a1\"[1](a1)\t\t# \"gpu001 mlx5_0\" lid 2 4xNDR\n"
		"[2]\t\"H-a2\"[1](a2)\t\t# \"gpu002 mlx5_0\" lid 3 4xNDR\n"
		"[33]\t\"S-09\"[1]\t\t# \"spine\" lid 9 4xHDR\n"
		"[34]\t\"S-09\"[5]\t\t# \"spine\" lid 9 4xHDR\n"
		"\n"
		"Switch\t36 \"S-02\"\t\t# \"leaf2\" enhanced port 0 lid 4 lmc 0\n"
		"[1]\t\"H-b1\"[1](b1)\t\t# \"gpu003 mlx5_0\" lid 5 4xNDR\n"
		"[33]\t\"S-09\"[2]\t\t# \"spine\" lid 9 4xHDR\n"
		"[34]\t\"S-09\"[6]\t\t# \"spine\" lid 9 4xHDR\n"
		"\n"
		"Switch\t36 \"S-03\"\t\t# \"storleaf\" enhanced port 0 lid 6 lmc 0\n"
		"[1]\t\"H-c1\"[1](c1)\t\t# \"stor01 mlx5_0\" lid 7 4xHDR\n"
		"[33]\t\"S-09\"[3]\t\t# \"spine\" lid 9 4xHDR\n"
		"\n"
		"Switch\t36 \"S-09\"\t\t# \"spine\" enhanced port 0 lid 9 lmc 0\n"
		"[1]\t\"S-01\"[33]\t\t# \"leaf1\" lid 1 4xHDR\n"
		"[2]\t\"S-02\"[33]\t\t# \"leaf2\" lid 4 4xHDR\n"
		"[3]\t\"S-03\"[33]\t\t# \"storleaf\" lid 6 4xHDR\n"
		"[4]\t\"H-ag\"[1](ag)\t\t# \"Mellanox Technologies Aggregation Node\" lid 10 4xHDR\n"
		"[5]\t\"S-01\"[34]\t\t# \"leaf1\" lid 1 4xHDR\n"
		"[6]\t\"S-02\"[34]\t\t# \"leaf2\" lid 4 4xHDR\n"
		"\n"
		"Ca\t1 \"H-a1\"\t\t# \"gpu001 mlx5_0\"\n"
		"[1](a1)\t\"S-01\"[1]\t\t# lid 2 lmc 0 \"leaf1\" lid 1 4xNDR\n"
		"Ca\t1 \"H-a2\"\t\t# \"gpu002 mlx5_0\"\n"
		"[1](a2)\t\"S-01\"[2]\t\t# lid 3 lmc 0 \"leaf1\" lid 1 4xNDR\n"
		"Ca\t1 \"H-b1\"\t\t# \"gpu003 mlx5_0\"\n"
		"[1](b1)\t\"S-02\"[1]\t\t# lid 5 lmc 0 \"leaf2\" lid 4 4xNDR\n"
		"Ca\t1 \"H-c1\"\t\t# \"stor01 mlx5_0\"\n"
		"Ca\t1 \"H-ag\"\t\t# \"Mellanox Technologies Aggregation Node\"\n";
	tp_error_t err = { .text = "" };
	ibnet_t *net = _read_text(dump, &err);
	ibnet_naming_t naming = { 0 };
	ibnet_fabric_t fab;
	regex_t re;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	ck_assert_msg(net, "%s", err.text);
	ck_assert_int_eq(regcomp(&re, "^(gpu[0-9]+) ", REG_EXTENDED), 0);
	naming.hosts = &re;
	ck_assert_int_eq(ibnet_fabric_build(net, &naming, &fab), 0);
	ck_assert_int_eq(fab.nhosts, 3);
	ck_assert_int_eq(fab.aggregation_nodes, 1);
	ck_assert_int_eq(fab.tree.levels, 2);
	ck_assert_int_eq(fab.nanomalies, 2);
	ck_assert(_reported(&fab, IBNET_UNKNOWN_DEVICE,
			    "adapter H-c1 (\"stor01 mlx5_0\", line 30) on storleaf port 1"));
	ck_assert(_reported(&fab, IBNET_NO_HOSTS, "switch S-03 (\"storleaf\""));
	out = open_memstream(&text, &len);
	ck_assert_int_eq(ibnet_write_topology(out, &fab), 0);
	fclose(out);
	ck_assert_str_eq(text, "SwitchName=leaf1 Nodes=gpu[001-002]\n"
			       "SwitchName=leaf2 Nodes=gpu003\n"
			       "SwitchName=spine Switches=leaf[1-2]\n");
	free(text);
	out = open_memstream(&text, &len);
	ck_assert_int_eq(ibnet_write_topopack(out, &fab), 0);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "\nNodeName=gpu[001-003] Nics=1 NicSpeed=400\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nSwitchName=leaf1 Uplinks=2 UplinkSpeed=200\n"
					   "SwitchName=leaf2 Uplinks=2 UplinkSpeed=200\n"));
	free(text);
	ibnet_fabric_free(&fab);

	/* Without the pattern, stor01 is a host and storleaf a leaf, with
	 * fewer uplinks than the others. */
	ck_assert_int_eq(ibnet_fabric_build(net, NULL, &fab), 0);
	ck_assert_int_eq(fab.nhosts, 4);
	ck_assert_int_eq(fab.nanomalies, 1);
	ck_assert(_reported(&fab, IBNET_FEW_UPLINKS,
			    "leaf storleaf has 1 uplink, most of its level have 2"));
	ibnet_fabric_free(&fab);
	regfree(&re);
	ibnet_free(net);
}
END_TEST

/*
 * A rail-optimised unit of two rail leaves where gpu3 has both adapters
 * on rail 0: a shared leaf, an adapter on the wrong rail, and the rail it
 * lacks; gpu3 still belongs to the unit.
 */
START_TEST(test_shared_leaf)
{
	static const char dump[] =
		"Switch\t8 \"S-10\"\t\t# \"r0\" enhanced port 0 lid 1 lmc 0\n"
		"[1]\t\"H-11\"[1]\t\t# \"gpu1 mlx5_0\" lid 2 4xHDR\n"
		"[2]\t\"H-21\"[1]\t\t# \"gpu2 mlx5_0\" lid 3 4xHDR\n"
		"[3]\t\"H-31\"[1]\t\t# \"gpu3 mlx5_0\" lid 4 4xHDR\n"
		"[4]\t\"H-32\"[1]\t\t# \"gpu3 mlx5_1\" lid 5 4xHDR\n"
		"Switch\t8 \"S-20\"\t\t# \"r1\" enhanced port 0 lid 6 lmc 0\n"
		"[1]\t\"H-12\"[1]\t\t# \"gpu1 mlx5_1\" lid 7 4xHDR\n"
		"[2]\t\"H-22\"[1]\t\t# \"gpu2 mlx5_1\" lid 8 4xHDR\n"
		"Ca\t1 \"H-11\"\t\t# \"gpu1 mlx5_0\"\n"
		"Ca\t1 \"H-12\"\t\t# \"gpu1 mlx5_1\"\n"
		"Ca\t1 \"H-21\"\t\t# \"gpu2 mlx5_0\"\n"
		"Ca\t1 \"H-22\"\t\t# \"gpu2 mlx5_1\"\n"
		"Ca\t1 \"H-31\"\t\t# \"gpu3 mlx5_0\"\n"
		"Ca\t1 \"H-32\"\t\t# \"gpu3 mlx5_1\"\n";
	tp_error_t err = { .text = "" };
	ibnet_t *net = _read_text(dump, &err);
	ibnet_fabric_t fab;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	ck_assert_msg(net, "%s", err.text);
	ck_assert_int_eq(ibnet_fabric_build(net, NULL, &fab), 0);
	ck_assert_int_eq(fab.rails, 2);
	ck_assert_int_eq(fab.nunits, 1);
	ck_assert_int_eq(fab.nanomalies, 3);
	ck_assert(_reported(&fab, IBNET_MISSING_RAIL,
			    "gpu3 has no cable to r1 (rail mlx5_1 of su1)"));
	ck_assert(_reported(&fab, IBNET_SHARED_LEAF,
			    "gpu3 has two adapters on r0"));
	ck_assert(_reported(&fab, IBNET_WRONG_RAIL,
			    "gpu3 mlx5_1 is cabled to r0, where the other hosts have mlx5_0"));
	out = open_memstream(&text, &len);
	ck_assert_int_eq(ibnet_write_topology(out, &fab), 0);
	fclose(out);
	ck_assert_str_eq(text, "SwitchName=su1 Nodes=gpu[1-3]\n");
	free(text);
	ibnet_fabric_free(&fab);
	ibnet_free(net);
}
END_TEST

/* Link rates as Gb/s. */
START_TEST(test_rates)
{
	ck_assert(ibnet_rate_gbps("4xHDR") == 200);
	ck_assert(ibnet_rate_gbps("4xNDR") == 400);
	ck_assert(ibnet_rate_gbps("4xQDR") == 40);
	ck_assert(ibnet_rate_gbps("4xFDR") == 56);
	ck_assert(ibnet_rate_gbps("1xSDR") == 2.5);
	ck_assert(ibnet_rate_gbps("2xNDR") == 200);
	ck_assert(ibnet_rate_gbps("4xFDR10") == 40);
	ck_assert(ibnet_rate_gbps("4x") == 0);
	ck_assert(ibnet_rate_gbps("") == 0);
	ck_assert(ibnet_rate_gbps("13xHDR") == 0);
}
END_TEST

/* Bad input: the error names the line. */
static const struct {
	const char *dump, *error;
} bad[] = {
	{ "", "dump:0: no Switch or Ca line" },
	{ "hello\n", "dump:1: not a line of ibnetdiscover's output" },
	{ "[1]\t\"S-02\"[1]\n", "dump:1: a port line before any Switch" },
	{ "Switch\t36\n", "dump:1: a quoted node name is expected" },
	{ "Switch\tx \"S-01\"\n", "dump:1: a port count is expected" },
	{ SW "[1]\t\"S-02\"\n", "dump:2: a port number is expected after" },
	{ SW "[x]\t\"S-02\"[1]\n", "dump:2: a port number \"[N]\" is expected" },
	{ SW "[1]\t\"S-09\"[1]\n", "dump:2: link to \"S-09\", which the dump never describes" },
	{ SW SW, "dump:2: node \"S-01\" is described twice (first on line 1)" },
};

START_TEST(test_bad_dump)
{
	tp_error_t err = { .text = "" };
	ibnet_t *net = _read_text(bad[_i].dump, &err);

	ck_assert_ptr_null(net);
	ck_assert_msg(strstr(err.text, bad[_i].error), "got \"%s\", want \"%s\"",
		      err.text, bad[_i].error);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ibnet");
	TCase *tc = tcase_create("ibnet");

	tcase_add_test(tc, test_x5_as_its_admins);
	tcase_add_test(tc, test_tool_warning_skipped);
	tcase_add_test(tc, test_host_names);
	tcase_add_test(tc, test_other_devices);
	tcase_add_test(tc, test_rates);
	tcase_add_test(tc, test_shared_leaf);
	tcase_add_loop_test(tc, test_bad_dump, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	return tp_check_run(s);
}
