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

#include "ibnet_tree.h"

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

/*
 * Every leaf the admins' file has (SwitchName with Nodes=) is in ours with
 * the same hosts, and the switches above the leaves are the same set, but
 * for S-0008f105001086a2: cabled to two of the four spines only, it is cut
 * (their file lists spines under each other, which Slurm refuses as "not
 * a tree"). What is written loads as a fabric.
 */
START_TEST(test_x5_as_its_admins)
{
	ibnet_t *net = _read_file(tp_test_data("ib", "ens-lyon-x5.topofile"));
	ibnet_map_t map;
	ibnet_tree_t tree = { 0 };
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
	ck_assert_int_eq(ibnet_tree(net, &tree), 0);
	ck_assert_int_eq(tree.levels, 2);
	ck_assert_int_eq(tree.cut, 1);
	ck_assert_int_eq(tree.level[ibnet_find(net, "S-0008f105001086a2")],
			 IBNET_CUT);
	ck_assert_int_eq(ibnet_tree_write(out, net, &tree, &map), 0);
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
			char *our_nodes = _value(mine, "Nodes=");

			ck_assert_msg(our_nodes, "%s is no leaf here", sw);
			want = _sorted(nodes);
			got = _sorted(our_nodes);
			ck_assert_str_eq(got, want);
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
	_loads(ours, 89, 6);
	/* Hosts in Slurm's order: sl390lin9 before sl390lin10. */
	ck_assert_ptr_nonnull(strstr(ours,
		"SwitchName=S-0002c90200417670 Nodes=sl390lin[1-5,7-11,13-18,20-21,24-27,29,33]\n"));
	fclose(admins);
	free(line);
	free(ours);
	ibnet_tree_free(&tree);
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

/* Host names: the map, else the description's first word, else the
 * ibnetdiscover name for a factory description. */
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
	char *names[] = { "H-0c" }, *hosts[] = { "gpu003" };
	tp_error_t err = { .text = "" };
	ibnet_t *net = _read_text(dump, &err);
	char *h;

	ck_assert_msg(net, "%s", err.text);
	map.name = names;
	map.host = hosts;
	map.count = 1;
	h = ibnet_host(&net->node[ibnet_find(net, "H-0a")], &map);
	ck_assert_str_eq(h, "gpu001");
	free(h);
	h = ibnet_host(&net->node[ibnet_find(net, "H-0b")], &map);
	ck_assert_str_eq(h, "H-0b");
	free(h);
	h = ibnet_host(&net->node[ibnet_find(net, "H-0c")], &map);
	ck_assert_str_eq(h, "gpu003");
	free(h);
	ck_assert_int_eq(net->node[0].nlinks, 3);
	ck_assert_str_eq(net->node[0].link[0].rate, "4xHDR");
	ck_assert_int_eq(net->node[0].link[2].port, 3);
	ibnet_free(net);
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
	tcase_add_loop_test(tc, test_bad_dump, 0, sizeof(bad) / sizeof(bad[0]));
	suite_add_tcase(s, tc);
	return tp_check_run(s);
}
