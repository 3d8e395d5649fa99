/*****************************************************************************\
 *  test_conf.c - reading topology.conf and topopack.conf: a table of small
 *  files under $TOPOPACK_TEST_DATA/conf, each either loading into a fabric
 *  of known size or failing with an error that names file, line and
 *  problem; then the file syntax and the attributes topopack.conf sets.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/conf_file_private.h"
#include "fabric/fabric_private.h"
#include "topopack.h"

static const char *_path(const char *name)
{
	return tp_test_data("conf", name);
}

/*
 * A topology.conf (and maybe a topopack.conf) and what loading them
 * gives: the fabric's sizes, or an error naming err_file, err_line (0: no
 * line) and containing err_text.
 */
typedef struct {
	const char *topology;
	const char *topopack;
	int nodes, leaves, domains, gpus, levels;
	const char *err_file;
	int err_line;
	const char *err_text;
} load_case_t;

#define GOOD(t, p, n, l, d, g, lv) \
	{ .topology = t, .topopack = p, .nodes = n, .leaves = l, \
	  .domains = d, .gpus = g, .levels = lv }
#define BAD(t, p, file, line, text) \
	{ .topology = t, .topopack = p, .err_file = file, .err_line = line, \
	  .err_text = text }
#define BASIC "good-basic.topology.conf"

static const load_case_t load_cases[] = {
	GOOD(BASIC, NULL, 8, 2, 8, 0, 4),
	GOOD(BASIC, "good-basic.topopack.conf", 8, 2, 5, 60, 4),
	GOOD(BASIC, "good-spares.topopack.conf", 8, 2, 5, 64, 4),
	GOOD(BASIC, "good-defaults.topopack.conf", 8, 2, 8, 30, 4),
	GOOD("good-3level.topology.conf", NULL, 16, 4, 16, 0, 5),
	GOOD("good-3level.topology.conf", "good-3level.topopack.conf",
	     16, 4, 16, 92, 5),
	GOOD("good-nvl72.topology.conf", "good-nvl72.topopack.conf",
	     36, 2, 2, 144, 4),
	GOOD("good-include.topology.conf", NULL, 6, 2, 6, 0, 4),
	GOOD("good-crlf.topology.conf", NULL, 4, 2, 4, 0, 4),
	GOOD("good-single-leaf.topology.conf", NULL, 10, 1, 10, 0, 3),
	/* Real file, spine-to-spine links removed: 89 hosts, 6 leaves. */
	GOOD("ens-lyon-x5-fixed.topology.conf", NULL, 89, 6, 89, 0, 4),

	/* The real file lists spines under spines: Slurm 22.05 stops with
	 * "Switch configuration is not a tree". */
	BAD("ens-lyon-x5.topology.conf", NULL, "ens-lyon-x5.topology.conf",
	    11, "switch cycle: S-0008f105001086a2 -> S-0008f10500108530"),

	/* topology.conf: what the reader sees on the line */
	BAD("nosuch.topology.conf", NULL, "nosuch.topology.conf", 0,
	    "nosuch.topology.conf: No such file or directory"),
	BAD("bad-unknown-key.topology.conf", NULL,
	    "bad-unknown-key.topology.conf", 2, "unknown key 'Speed'"),
	/* Found by fuzzing: a NUL byte made the line decoder overrun. */
	BAD("bad-nul.topology.conf", NULL, "bad-nul.topology.conf", 2,
	    "NUL byte in the line (not a text file?)"),
	BAD("bad-hostlist.topology.conf", NULL, "bad-hostlist.topology.conf",
	    2, "bad Nodes hostlist: unbalanced brackets in 'n[3-4'"),
	BAD("bad-reversed.topology.conf", NULL, "bad-reversed.topology.conf",
	    1, "reversed range '5-3'"),
	BAD("bad-no-children.topology.conf", NULL,
	    "bad-no-children.topology.conf", 2, "switch spine lacks children"),
	BAD("bad-both.topology.conf", NULL, "bad-both.topology.conf", 2,
	    "switch spine has both Nodes= and Switches="),
	BAD("bad-not-switchname.topology.conf", NULL,
	    "bad-not-switchname.topology.conf", 2,
	    "line starts with Nodes=, not SwitchName="),
	BAD("bad-linkspeed.topology.conf", NULL,
	    "bad-linkspeed.topology.conf", 1, "bad LinkSpeed value 'fast'"),
	/* 4194303k is the largest k value; 2^54k wrapped to 0 and passed. */
	BAD("bad-linkspeed-wrap.topology.conf", NULL,
	    "bad-linkspeed-wrap.topology.conf", 2,
	    "bad LinkSpeed value '0x40000000000000k'"),
	BAD("bad-syntax.topology.conf", NULL, "bad-syntax.topology.conf", 2,
	    "expected Key=Value, got 'Nodes'"),
	BAD("bad-blanks.topology.conf", NULL, "bad-blanks.topology.conf", 1,
	    "expected Key=Value, got 'SwitchName' (no blanks around '=')"),
	BAD("bad-quote.topology.conf", NULL, "bad-quote.topology.conf", 1,
	    "unterminated quote in the value of Nodes"),
	BAD("bad-dup-key.topology.conf", NULL, "bad-dup-key.topology.conf", 1,
	    "key 'nodes' given twice"),
	/* A continued line is reported at its first physical line. */
	BAD("bad-continued.topology.conf", NULL,
	    "bad-continued.topology.conf", 3, "unknown key 'Color'"),
	BAD("bad-include.topology.conf", NULL, "bad-include.topology.conf", 2,
	    "no-such-file.inc: No such file or directory"),
	BAD("bad-include-loop.topology.conf", NULL,
	    "bad-include-loop.topology.conf", 1, "Include nested more than"),
	BAD("bad-empty.topology.conf", NULL, "bad-empty.topology.conf", 0,
	    "no SwitchName line"),

	/* topology.conf: what the builder finds */
	BAD("bad-two-leaves.topology.conf", NULL,
	    "bad-two-leaves.topology.conf", 2,
	    "node n4 is under two leaf switches: leaf1 and leaf2"),
	BAD("bad-cycle.topology.conf", NULL, "bad-cycle.topology.conf", 5,
	    "switch cycle: a -> b -> c -> a"),
	BAD("bad-dup-switch.topology.conf", NULL,
	    "bad-dup-switch.topology.conf", 4, "duplicate switch name leaf1"),
	BAD("bad-missing-child.topology.conf", NULL,
	    "bad-missing-child.topology.conf", 3,
	    "switch spine lists unknown switch leaf3"),
	BAD("bad-orphan.topology.conf", NULL, "bad-orphan.topology.conf", 3,
	    "switch leaf3 (level 0) has no parent switch"),

	/* topopack.conf */
	BAD(BASIC, "nosuch.topopack.conf", "nosuch.topopack.conf", 0,
	    "nosuch.topopack.conf: No such file or directory"),
	BAD(BASIC, "bad-unknown-node.topopack.conf",
	    "bad-unknown-node.topopack.conf", 3, "unknown node gpu009"),
	BAD(BASIC, "bad-unknown-switch.topopack.conf",
	    "bad-unknown-switch.topopack.conf", 2, "unknown switch leaf9"),
	BAD(BASIC, "bad-gpus.topopack.conf", "bad-gpus.topopack.conf", 2,
	    "bad Gpus value 'eight'"),
	BAD(BASIC, "bad-gpus-range.topopack.conf",
	    "bad-gpus-range.topopack.conf", 1,
	    "bad Gpus value '1025' (expected a whole number 0..1024)"),
	BAD(BASIC, "bad-nicspeed.topopack.conf", "bad-nicspeed.topopack.conf",
	    1, "bad NicSpeed value '-400'"),
	BAD(BASIC, "bad-nvlinkspeed.topopack.conf",
	    "bad-nvlinkspeed.topopack.conf", 2, "bad NvlinkSpeed value '0'"),
	BAD(BASIC, "bad-uplinks.topopack.conf", "bad-uplinks.topopack.conf", 1,
	    "bad Uplinks value '1.5'"),
	BAD(BASIC, "bad-spares-all.topopack.conf",
	    "bad-spares-all.topopack.conf", 2,
	    "Spares=4 on switch leaf1: expected 0..3 (fewer than its 4 nodes)"),
	BAD(BASIC, "bad-spares-negative.topopack.conf",
	    "bad-spares-negative.topopack.conf", 1,
	    "bad Spares value '-1' (expected a whole number 0.."),
	BAD(BASIC, "bad-spares-word.topopack.conf",
	    "bad-spares-word.topopack.conf", 1, "bad Spares value 'one'"),
	BAD(BASIC, "bad-spares-spine.topopack.conf",
	    "bad-spares-spine.topopack.conf", 2,
	    "Spares= on switch spine1, which is not a leaf"),
	BAD(BASIC, "bad-spares-domain.topopack.conf",
	    "bad-spares-domain.topopack.conf", 2,
	    "Spares=2 on domain nvl2: expected 0..1 (fewer than its 2 nodes)"),
	BAD(BASIC, "bad-nodename-empty.topopack.conf",
	    "bad-nodename-empty.topopack.conf", 2,
	    "NodeName=gpu001 sets nothing"),
	BAD(BASIC, "bad-switch-nothing.topopack.conf",
	    "bad-switch-nothing.topopack.conf", 1,
	    "SwitchName=leaf1 sets nothing"),
	BAD(BASIC, "bad-nics-mismatch.topopack.conf",
	    "bad-nics-mismatch.topopack.conf", 1,
	    "Nics=4 but NicNames names 8 NICs"),
	BAD(BASIC, "bad-nicnames.topopack.conf", "bad-nicnames.topopack.conf",
	    1, "bad NicNames hostlist: unbalanced brackets"),
	BAD(BASIC, "bad-gputype.topopack.conf", "bad-gputype.topopack.conf", 1,
	    "bad GpuType value 'h100 sxm'"),
	BAD(BASIC, "bad-two-domains.topopack.conf",
	    "bad-two-domains.topopack.conf", 2,
	    "node gpu004 is in two NVLink domains: nvl1 and nvl2"),
	BAD(BASIC, "bad-dup-domain.topopack.conf",
	    "bad-dup-domain.topopack.conf", 2,
	    "duplicate NVLink domain name nvl1"),
	BAD(BASIC, "bad-domain-nodes.topopack.conf",
	    "bad-domain-nodes.topopack.conf", 1, "domain nvl1 needs Nodes="),
	BAD(BASIC, "bad-topopack-key.topopack.conf",
	    "bad-topopack-key.topopack.conf", 1,
	    "unknown key 'Uplinks' on a NodeName line"),
	BAD(BASIC, "bad-topopack-line.topopack.conf",
	    "bad-topopack-line.topopack.conf", 1,
	    "unknown key 'FrontendName'"),
	BAD(BASIC, "bad-partition-recover.topopack.conf",
	    "bad-partition-recover.topopack.conf", 1,
	    "Recover=maybe: expected yes or no"),
	BAD(BASIC, "bad-partition-key.topopack.conf",
	    "bad-partition-key.topopack.conf", 1,
	    "unknown key 'Nodes' on a PartitionName line"),
	BAD(BASIC, "bad-partition-nothing.topopack.conf",
	    "bad-partition-nothing.topopack.conf", 1,
	    "PartitionName=gpu sets nothing"),
	BAD(BASIC, "bad-nvlink-extra.topopack.conf",
	    "bad-nvlink-extra.topopack.conf", 1,
	    "unknown key 'Gpus' on a NvlinkSpeed line"),
};

#define N_LOAD (int) (sizeof(load_cases) / sizeof(load_cases[0]))

START_TEST(test_load)
{
	const load_case_t *c = &load_cases[_i];
	const char *topopack = c->topopack ? _path(c->topopack) : NULL;
	tp_error_t err = { "" };
	tp_fabric_t *f;
	char where[256];

	errno = 0;
	f = tp_fabric_load(_path(c->topology), topopack, &err);
	if (!c->err_file) {
		ck_assert_msg(f, "%s: %s", c->topology, err.text);
		ck_assert_int_eq(tp_fabric_node_count(f), c->nodes);
		ck_assert_int_eq(tp_fabric_leaf_count(f), c->leaves);
		ck_assert_int_eq(tp_fabric_domain_count(f), c->domains);
		ck_assert_int_eq(tp_fabric_gpu_count(f), c->gpus);
		ck_assert_int_eq(tp_fabric_level_count(f), c->levels);
		tp_fabric_free(f);
		return;
	}
	ck_assert_msg(!f, "%s loaded; expected '%s'", c->topology,
		      c->err_text);
	ck_assert_int_ne(errno, 0);
	if (c->err_line)
		snprintf(where, sizeof(where), "/%s:%d: ", c->err_file,
			 c->err_line);
	else
		snprintf(where, sizeof(where), "/%s: ", c->err_file);
	ck_assert_msg(strstr(err.text, where), "'%s' does not name '%s'",
		      err.text, where);
	ck_assert_msg(strstr(err.text, c->err_text), "'%s' lacks '%s'",
		      err.text, c->err_text);
}
END_TEST

START_TEST(test_load_arguments)
{
	tp_error_t err;

	ck_assert_ptr_null(tp_fabric_load(NULL, NULL, &err));
	ck_assert_int_eq(errno, EINVAL);
	/* err may be NULL */
	ck_assert_ptr_null(tp_fabric_load(_path("bad-cycle.topology.conf"),
					  NULL, NULL));
	tp_fabric_free(tp_fabric_load(_path(BASIC), NULL, NULL));
}
END_TEST

/*****************************************************************************\
 *  File syntax
\*****************************************************************************/

typedef struct {
	char text[16][128];	/* "line: key=[value] ..." per logical line */
	int n;
	int fail_at;		/* line at which the callback fails, or 0 */
} record_t;

static int _record(void *arg, const char *file, int line,
		   const tp_conf_pair_t *pairs, int npairs, tp_error_t *err)
{
	record_t *r = arg;
	char *t = r->text[r->n++];
	size_t len;

	ck_assert_int_lt(r->n, 16);
	ck_assert_int_gt(npairs, 0);
	len = snprintf(t, 128, "%d:", line);
	for (int i = 0; i < npairs; i++)
		len += snprintf(t + len, 128 - len, " %s=[%s]", pairs[i].key,
				pairs[i].value);
	if (line == r->fail_at)
		return tp_conf_error(err, file, line, "stop at %s",
				     pairs[0].key);
	return 0;
}

static const char *syntax_lines[] = {
	"2: Key=[plain]",
	"3: A=[1] b=[two] C=[quoted value] D=[]",
	"4: Escaped=[a#b] Back=[c\\d]",
	"5: Cont=[one] two=[2] three=[3]",
	"8: Joined=[a,b]",
	"12: Last=[end]",
};

START_TEST(test_syntax)
{
	record_t r = { .n = 0 };
	tp_error_t err = { "" };
	int n = sizeof(syntax_lines) / sizeof(syntax_lines[0]);

	ck_assert_msg(!tp_conf_file_read(_path("syntax.conf"), _record, &r,
					 &err), "%s", err.text);
	ck_assert_int_eq(r.n, n);
	for (int i = 0; i < n; i++)
		ck_assert_str_eq(r.text[i], syntax_lines[i]);
}
END_TEST

/* A callback error stops the reading and is passed on as written. */
START_TEST(test_syntax_callback_error)
{
	record_t r = { .fail_at = 4 };
	tp_error_t err = { "" };

	ck_assert_int_eq(tp_conf_file_read(_path("syntax.conf"), _record, &r,
					   &err), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(r.n, 3);
	ck_assert_ptr_nonnull(strstr(err.text, "syntax.conf:4: stop at "
					       "Escaped"));
	ck_assert_int_eq(tp_conf_file_read(NULL, _record, &r, &err), -1);
	ck_assert_int_eq(tp_conf_file_read(_path("syntax.conf"), NULL, &r,
					   NULL), -1);
}
END_TEST

/* Numbers: a table of text, bounds and the expected result. */
START_TEST(test_numbers)
{
	static const struct {
		const char *text;
		long min, max;
		int rc;
		long value;
	} ints[] = {
		{ "0", 0, 1024, 0, 0 }, { "1024", 0, 1024, 0, 1024 },
		{ "1025", 0, 1024, -1, 0 }, { "0", 1, 8, -1, 0 },
		{ "9", 0, 5, -1, 0 }, { "-1", 0, 8, -1, 0 },
		{ "+1", 0, 8, -1, 0 }, { "1.0", 0, 8, -1, 0 },
		{ "", 0, 8, -1, 0 }, { " 1", 0, 8, -1, 0 },
		{ "99999999999999999999999", 0, 1024, -1, 0 },
	};
	static const struct {
		const char *text;
		int rc;
		double value;
	} reals[] = {
		{ "400", 0, 400 }, { "200.5", 0, 200.5 }, { "0.1", 0, 0.1 },
		{ "0", -1, 0 }, { "0.0", -1, 0 }, { "-5", -1, 0 },
		{ "1e3", -1, 0 }, { ".5", -1, 0 }, { "5.", -1, 0 },
		{ "", -1, 0 }, { "inf", -1, 0 }, { "nan", -1, 0 },
		{ "2000000000", -1, 0 },
	};

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		long v = -7;
		int rc = tp_conf_parse_int(ints[i].text, ints[i].min,
					   ints[i].max, &v);

		ck_assert_msg(rc == ints[i].rc, "int '%s': rc %d",
			      ints[i].text, rc);
		ck_assert(rc ? v == -7 : v == ints[i].value);
	}
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		double v = -7;
		int rc = tp_conf_parse_positive(reals[i].text, &v);

		ck_assert_msg(rc == reals[i].rc, "real '%s': rc %d",
			      reals[i].text, rc);
		ck_assert(rc ? v == -7 : v == reals[i].value);
	}
}
END_TEST

/*****************************************************************************\
 *  What topopack.conf sets, seen in the fabric
\*****************************************************************************/

static int _node(const tp_fabric_t *f, const char *name)
{
	int i = tp_fabric_node_index(f, name);

	ck_assert_msg(i >= 0, "no node %s", name);
	return i;
}

static const char *_type(const tp_fabric_t *f, int node)
{
	int t = f->nodes[node].gpu_type;

	return (t < 0) ? "" : f->gpu_types[t];
}

static const tp_switch_t *_switch(const tp_fabric_t *f, const char *name)
{
	for (int i = 0; i < f->nswitches; i++)
		if (!strcmp(f->switches[i].name, name))
			return &f->switches[i];
	ck_abort_msg("no switch %s", name);
	return NULL;
}

/* Spares= keeps the last nodes of a leaf (topology.conf's order) and of
 * a domain (its Nodes= order); a node kept by both is one spare; no
 * other node is a spare. */
START_TEST(test_spares)
{
	static const char *const spare[] = { "gpu004", "gpu007", "gpu008" };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_load(_path(BASIC),
					_path("good-spares.topopack.conf"),
					&err);
	int n = 0;

	ck_assert_msg(f, "%s", err.text);
	for (int i = 0; i < tp_fabric_node_count(f); i++) {
		bool want = false;

		for (int k = 0; k < 3; k++)
			want |= !strcmp(tp_fabric_node_name(f, i), spare[k]);
		ck_assert_msg(tp_fabric_node_spare(f, i) == want,
			      "%s: spare %d", tp_fabric_node_name(f, i),
			      tp_fabric_node_spare(f, i));
		n += want;
	}
	ck_assert_int_eq(tp_fabric_spare_count(f), 3);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(_switch(f, "leaf1")->spares, 1);
	ck_assert_int_eq(_switch(f, "leaf1")->uplinks, 16);
	ck_assert_int_eq(_switch(f, "leaf2")->spares, 1);
	ck_assert(!tp_fabric_node_spare(f, -1));
	ck_assert(!tp_fabric_node_spare(f, tp_fabric_node_count(f)));
	tp_fabric_free(f);

	/* Without Spares=, none. */
	f = tp_fabric_load(_path(BASIC), _path("good-basic.topopack.conf"),
			   &err);
	ck_assert_msg(f, "%s", err.text);
	ck_assert_int_eq(tp_fabric_spare_count(f), 0);
	tp_fabric_free(f);
}
END_TEST

/* PartitionName= Recover= names the partitions whose jobs recover by
 * default; the last line for a partition wins. */
START_TEST(test_partition_recover)
{
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_load(_path(BASIC),
					_path("good-recover.topopack.conf"),
					&err);

	ck_assert_msg(f, "%s", err.text);
	ck_assert(tp_fabric_partition_recovers(f, "pulse"));
	ck_assert(tp_fabric_partition_recovers(f, "long"));
	ck_assert(!tp_fabric_partition_recovers(f, "normal"));
	ck_assert(!tp_fabric_partition_recovers(f, "debug"));
	ck_assert(!tp_fabric_partition_recovers(f, "Pulse"));
	ck_assert(!tp_fabric_partition_recovers(f, "other"));
	ck_assert(!tp_fabric_partition_recovers(f, NULL));
	tp_fabric_free(f);

	f = tp_fabric_load(_path(BASIC), _path("good-basic.topopack.conf"),
			   &err);
	ck_assert_msg(f, "%s", err.text);
	ck_assert(!tp_fabric_partition_recovers(f, "pulse"));
	tp_fabric_free(f);
}
END_TEST

START_TEST(test_basic_attributes)
{
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_load(_path(BASIC),
					_path("good-basic.topopack.conf"),
					&err);
	int n1, n5, n8;

	ck_assert_msg(f, "%s", err.text);
	n1 = _node(f, "gpu001");
	n5 = _node(f, "gpu005");
	n8 = _node(f, "gpu008");
	/* Index order is the order of topology.conf. */
	ck_assert_int_eq(n1, 0);
	ck_assert_int_eq(n8, 7);
	ck_assert_str_eq(tp_fabric_node_leaf(f, n1), "leaf1");
	ck_assert_str_eq(tp_fabric_node_leaf(f, n8), "leaf2");

	ck_assert_int_eq(tp_fabric_node_gpus(f, n1), 8);
	ck_assert_str_eq(_type(f, n1), "h100");
	ck_assert_int_eq(f->nodes[n1].nics, 8);
	ck_assert_str_eq(f->nodes[n1].nic_names,
			 "mlx5_0,mlx5_1,mlx5_2,mlx5_3,mlx5_4,mlx5_5,mlx5_6,"
			 "mlx5_7");
	ck_assert(f->nodes[n1].nic_gbps == 400);
	ck_assert_int_eq(tp_fabric_node_gpus(f, n8), 4);
	ck_assert_str_eq(_type(f, n8), "a100");
	ck_assert_int_eq(f->nodes[n8].nics, 4);
	ck_assert_str_eq(f->nodes[n8].nic_names,
			 "mlx5_0,mlx5_1,mlx5_2,mlx5_3");

	ck_assert_str_eq(tp_fabric_node_domain(f, n1), "nvl1");
	ck_assert(f->domains[f->nodes[n1].domain].nvlink_gbps == 1800);
	ck_assert_str_eq(tp_fabric_node_domain(f, n5), "gpu005");
	ck_assert(f->domains[f->nodes[n5].domain].nvlink_gbps == 900);
	ck_assert(f->nvlink_gbps == 900);

	ck_assert_int_eq(_switch(f, "leaf1")->uplinks, 16);
	ck_assert(_switch(f, "leaf1")->uplink_gbps == 400);
	ck_assert_int_eq(_switch(f, "leaf2")->uplinks, 0);
	ck_assert(_switch(f, "leaf2")->uplink_gbps == 200.5);
	ck_assert_int_eq(_switch(f, "spine1")->level, 1);
	tp_fabric_free(f);
}
END_TEST

/* NodeName=DEFAULT: later lines, and at the end nodes never named. */
START_TEST(test_defaults)
{
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_load(_path(BASIC),
					_path("good-defaults.topopack.conf"),
					&err);
	static const struct {
		const char *node;
		int gpus;
		const char *type;
		int nics;
		double nic_gbps;
	} want[] = {
		/* named before any DEFAULT: GPU count of the builder's
		 * default, which the last DEFAULT set */
		{ "gpu001", 4, "", 0, 100 },
		{ "gpu002", 2, "h100", 0, 200 },
		{ "gpu003", 4, "a100", 2, 200 },
		{ "gpu004", 4, "a100", 0, 200 },
		{ "gpu008", 4, "a100", 0, 200 },
	};

	ck_assert_msg(f, "%s", err.text);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int n = _node(f, want[i].node);

		ck_assert_int_eq(tp_fabric_node_gpus(f, n), want[i].gpus);
		ck_assert_str_eq(_type(f, n), want[i].type);
		ck_assert_int_eq(f->nodes[n].nics, want[i].nics);
		ck_assert(f->nodes[n].nic_gbps == want[i].nic_gbps);
	}
	tp_fabric_free(f);
}
END_TEST

/* The real X5 file, fixed: where some of its hosts are. */
START_TEST(test_ens_lyon_x5)
{
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_load(
		_path("ens-lyon-x5-fixed.topology.conf"), NULL, &err);

	ck_assert_msg(f, "%s", err.text);
	ck_assert_str_eq(tp_fabric_node_leaf(f, _node(f, "sl390lin33")),
			 "S-0002c90200417670");
	ck_assert_str_eq(tp_fabric_node_leaf(f, _node(f, "r815lin110")),
			 "S-0002c902004827b0");
	ck_assert_str_eq(tp_fabric_node_leaf(f, _node(f,
						      "H-78e7d1030024535c")),
			 "S-0008f1050020369c");
	ck_assert_int_eq(tp_fabric_node_index(f, "sl390lin6"), -1);
	ck_assert_int_eq(_switch(f, "S-0008f10500108c5c")->level, 1);
	tp_fabric_free(f);
}
END_TEST

/* What a resource manager's switch table takes from the fabric: the
 * structure, and LinkSpeed= and Nodes= / Switches= as written, with the
 * line each switch is on (a continued line: where it starts). */
START_TEST(test_switch_info)
{
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_load(_path(BASIC), NULL, &err);
	tp_switch_info_t sw;

	ck_assert_msg(f, "%s", err.text);
	ck_assert_int_eq(tp_fabric_switch_count(f), 3);
	ck_assert_int_eq(tp_fabric_switch(f, 0, &sw), 0);
	ck_assert_str_eq(sw.name, "leaf1");
	ck_assert_int_eq(sw.level, 0);
	ck_assert_int_eq(sw.nnodes, 4);
	ck_assert_str_eq(tp_fabric_node_name(f, sw.nodes[3]), "gpu004");
	ck_assert_int_eq(sw.nswitches, 0);
	ck_assert_str_eq(sw.members, "gpu[001-004]");
	ck_assert_str_eq(sw.link_speed, "100");
	ck_assert_str_eq(sw.file, _path(BASIC));
	ck_assert_int_eq(sw.line, 4);
	ck_assert_int_eq(tp_fabric_switch(f, 1, &sw), 0);
	ck_assert_str_eq(sw.members, "gpu[005-008]");	/* unquoted */
	ck_assert_ptr_null(sw.link_speed);
	ck_assert_int_eq(tp_fabric_switch(f, 2, &sw), 0);
	ck_assert_str_eq(sw.name, "spine1");
	ck_assert_int_eq(sw.level, 1);
	ck_assert_int_eq(sw.nswitches, 2);
	ck_assert_int_eq(sw.switches[0], 0);
	ck_assert_int_eq(sw.switches[1], 1);
	ck_assert_int_eq(sw.nnodes, 0);
	ck_assert_str_eq(sw.members, "leaf[1-2]");
	ck_assert_int_eq(sw.line, 6);
	ck_assert_int_eq(tp_fabric_switch(f, 3, &sw), -1);
	ck_assert_int_eq(tp_fabric_switch(f, -1, &sw), -1);
	tp_fabric_free(f);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");

	tcase_add_loop_test(tc, test_load, 0, N_LOAD);
	tcase_add_test(tc, test_load_arguments);
	tcase_add_test(tc, test_syntax);
	tcase_add_test(tc, test_syntax_callback_error);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_basic_attributes);
	tcase_add_test(tc, test_spares);
	tcase_add_test(tc, test_partition_recover);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_ens_lyon_x5);
	tcase_add_test(tc, test_switch_info);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
