/*****************************************************************************\
 *  test_slurm_tree.c - the model of stock Slurm 22.05 placement and the
 *  first-fit policy, on small fabrics where the expected nodes can be
 *  worked out by hand from cons_tres's job_test.c.
 *
 *  One table: fabric, state, request, expected errno, nodes in the order
 *  picked and GPUs given. Many rows pin where stock Slurm is not optimal:
 *  those are the places topopack is measured against it.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "tp_check.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fabric/fabric_builder_private.h"
#include "place/place_private.h"

/*****************************************************************************\
 *  Fabrics
\*****************************************************************************/

enum {
	/* leaf01..leaf04 (switches 0-3) of 4 nodes (0-3, 4-7, 8-11,
	 * 12-15), spine1 and spine2 (4, 5) over all four; 8 GPUs a node */
	F_1L_4X4,
	/* the same leaves in two pods: pod1-spine1/2 (4, 5) over leaf01-02,
	 * pod2-spine1/2 (6, 7) over leaf03-04, core1/2 (8, 9) over the pod
	 * spines */
	F_2L_4X4,
	/* as F_2L_4X4 with 2 nodes a leaf: 0-1, 2-3, 4-5, 6-7 */
	F_2L_4X2,
	/* two trees without a common switch: xl1 (x0 x1), xl2 (x2 x3) under
	 * X, yl1 (y0-y3 = nodes 4-7) under Y, listed in that order */
	F_TWO_ROOTS,
	/* la (a0 a1: a100), lb (b0: h100, b1: untyped) under sp */
	F_TYPED,
	F_COUNT
};

static tp_fabric_t *_fabric[F_COUNT];

static tp_fabric_t *_generate(int levels, int leaves, int per_leaf, int pod)
{
	tp_gen_t g = {
		.levels = levels, .leaves = leaves, .nodes_per_leaf = per_leaf,
		.gpus_per_node = 8, .leaves_per_pod = pod, .nvl_nodes = 1,
		.nic_gbps = 400, .uplink_gbps = 400, .nvlink_gbps = 3600,
	};
	tp_error_t err = { "" };
	tp_fabric_t *f = tp_fabric_generate(&g, &err);

	ck_assert_msg(f, "generate: %s", err.text);
	return f;
}

static void _leaf(tp_builder_t *b, const char *name, const char *nodes)
{
	char buf[64], *save = NULL;
	tp_error_t err = { "" };
	int sw = tp_builder_add_switch(b, name, &err);

	ck_assert_msg(sw >= 0, "%s", err.text);
	snprintf(buf, sizeof(buf), "%s", nodes);
	for (char *n = strtok_r(buf, " ", &save); n;
	     n = strtok_r(NULL, " ", &save))
		ck_assert_msg(!tp_builder_add_node(b, sw, n, &err), "%s",
			      err.text);
}

static void _spine(tp_builder_t *b, const char *name, const char *children)
{
	char buf[64], *save = NULL;
	tp_error_t err = { "" };
	int sw = tp_builder_add_switch(b, name, &err);

	ck_assert_msg(sw >= 0, "%s", err.text);
	snprintf(buf, sizeof(buf), "%s", children);
	for (char *c = strtok_r(buf, " ", &save); c;
	     c = strtok_r(NULL, " ", &save))
		ck_assert_msg(!tp_builder_add_child(b, sw, c, &err), "%s",
			      err.text);
}

static tp_fabric_t *_finish(tp_builder_t *b)
{
	tp_error_t err = { "" };
	tp_fabric_t *f = tp_builder_finish(b, &err);

	ck_assert_msg(f, "finish: %s", err.text);
	return f;
}

static tp_fabric_t *_two_roots(void)
{
	tp_builder_t *b = tp_builder_new();

	tp_builder_defaults(b, 8, 400, 3600);
	_leaf(b, "xl1", "x0 x1");
	_leaf(b, "xl2", "x2 x3");
	_leaf(b, "yl1", "y0 y1 y2 y3");
	_spine(b, "X", "xl1 xl2");
	_spine(b, "Y", "yl1");
	return _finish(b);
}

static tp_fabric_t *_typed(void)
{
	tp_builder_t *b = tp_builder_new();
	tp_error_t err = { "" };

	tp_builder_defaults(b, 8, 400, 3600);
	_leaf(b, "la", "a0 a1");
	_leaf(b, "lb", "b0 b1");
	_spine(b, "sp", "la lb");
	ck_assert(!tp_builder_node_gpus(b, "a0", 8, "a100", &err));
	ck_assert(!tp_builder_node_gpus(b, "a1", 8, "a100", &err));
	ck_assert(!tp_builder_node_gpus(b, "b0", 8, "h100", &err));
	return _finish(b);
}

static void _setup(void)
{
	_fabric[F_1L_4X4] = _generate(1, 4, 4, 0);
	_fabric[F_2L_4X4] = _generate(2, 4, 4, 2);
	_fabric[F_2L_4X2] = _generate(2, 4, 2, 2);
	_fabric[F_TWO_ROOTS] = _two_roots();
	_fabric[F_TYPED] = _typed();
}

static void _teardown(void)
{
	for (int i = 0; i < F_COUNT; i++) {
		tp_fabric_free(_fabric[i]);
		_fabric[i] = NULL;
	}
}

/*****************************************************************************\
 *  States and lists written as strings
\*****************************************************************************/

/*
 * Words of a state: "n:g" another job holds g GPUs of node n, "xn" an
 * exclusive job holds node n, "dn" node n is down, "rn" reserved, "-n"
 * node n is left out of the request's usable mask.
 * OUT mask - set to a mask when some node is left out, else NULL.
 */
static tp_state_t *_state(const tp_fabric_t *f, const char *words,
			  uint8_t **mask)
{
	tp_state_t *s = tp_state_new(f);
	const char *p = words ? words : "";
	char *end;

	ck_assert(s);
	*mask = NULL;
	while (*p) {
		char kind = 0;
		long n;

		if (*p == ' ') {
			p++;
			continue;
		}
		if (strchr("xdr-", *p))
			kind = *p++;
		n = strtol(p, &end, 10);
		ck_assert_msg(end != p && n >= 0 && n < f->nnodes,
			      "bad state word in \"%s\"", words);
		p = end;
		switch (kind) {
		case 'x':
			ck_assert(!tp_state_alloc(s, n, f->nodes[n].gpus,
						  true));
			break;
		case 'd':
			ck_assert(!tp_state_set_avail(s, n, TP_NODE_DOWN));
			break;
		case 'r':
			ck_assert(!tp_state_set_avail(s, n, TP_NODE_RESERVED));
			break;
		case '-':
			if (!*mask) {
				*mask = malloc(f->nnodes);
				ck_assert(*mask);
				memset(*mask, 1, f->nnodes);
			}
			(*mask)[n] = 0;
			break;
		default:
			ck_assert_msg(*p == ':', "bad state word in \"%s\"",
				      words);
			ck_assert(!tp_state_alloc(s, n, strtol(p + 1, &end, 10),
						  false));
			p = end;
		}
	}
	return s;
}

/* Parse "a b c" into list (up to max). RET the count. */
static int _list(const char *text, int *list, int max)
{
	const char *p = text;
	char *end;
	int n = 0;

	while (p && *p) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		ck_assert(n < max);
		list[n++] = v;
		p = end;
	}
	return n;
}

static void _show(char *buf, size_t size, const int *list, int n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && used < size; i++)
		used += snprintf(buf + used, size - used, "%s%d",
				 i ? " " : "", list[i]);
}

/*****************************************************************************\
 *  The table
\*****************************************************************************/

typedef struct {
	const char *name;
	tp_policy_t policy;	/* TP_POLICY_SLURM_TREE or _FIRST_FIT */
	int fabric;
	const char *state;	/* see _state() */
	tp_request_t req;
	int err;		/* errno expected, 0 for a placement */
	const char *nodes;	/* in the order picked */
	const char *gpus;	/* per node in that order; NULL: not checked */
} _case_t;

#define SLURM TP_POLICY_SLURM_TREE
#define FIRST TP_POLICY_FIRST_FIT

static const _case_t _cases[] = {
	/* Per-node form: node counts, leaves, distances. */
	{ "idle cluster: first leaf, nodes in index order", SLURM, F_1L_4X4,
	  "", { .nodes = 2, .gpus_per_node = 8 }, 0, "0 1", "8 8" },
	{ "tightest leaf that holds the job wins over index order", SLURM,
	  F_1L_4X4, "0:8 4:8 5:8", { .nodes = 2, .gpus_per_node = 8 }, 0,
	  "6 7", "8 8" },
	{ "inside a leaf index order: idle node 0 is cut although node 1 "
	  "has exactly 4 free",
	  SLURM, F_1L_4X4, "1:4", { .nodes = 1, .gpus_per_node = 4 }, 0,
	  "0", "4" },
	{ "a node with 1 free GPU counts like an idle one: leaf01's idle "
	  "nodes go, leaf02's 1-GPU remnants stay",
	  SLURM, F_1L_4X4, "0:7 4:7 5:7 6:7 7:7",
	  { .nodes = 4, .gpus_per_node = 1 }, 0, "0 1 2 3", "1 1 1 1" },
	{ "no leaf holds 5: first leaf, then the nearest with most nodes",
	  SLURM, F_1L_4X4, "", { .nodes = 5, .gpus_per_node = 8 }, 0,
	  "0 1 2 3 4", NULL },
	{ "--switches=1 met by the tightest fitting leaf", SLURM, F_1L_4X4,
	  "0:8", { .nodes = 4, .gpus_per_node = 8, .max_leaves = 1 }, 0,
	  "4 5 6 7", NULL },
	{ "--switches=2 met by 5 nodes on 2 leaves", SLURM, F_1L_4X4, "",
	  { .nodes = 5, .gpus_per_node = 8, .max_leaves = 2 }, 0,
	  "0 1 2 3 4", NULL },
	{ "--switches=1 exceeded after the fact: the job waits", SLURM,
	  F_1L_4X4, "", { .nodes = 5, .gpus_per_node = 8, .max_leaves = 1 },
	  EAGAIN, NULL, NULL },
	{ "no leaf fits: parents compared, the tighter pod wins", SLURM,
	  F_2L_4X2, "7:8", { .nodes = 3, .gpus_per_node = 8 }, 0, "4 5 6",
	  NULL },
	{ "a closer leaf loses to a tighter one in the other pod", SLURM,
	  F_2L_4X4, "0:8 4:8 5:8 6:8 12:8 13:8",
	  { .nodes = 5, .gpus_per_node = 8 }, 0, "8 9 10 11 7", NULL },
	{ "two roots: the last root listed is the top switch", SLURM,
	  F_TWO_ROOTS, "", { .nodes = 2, .gpus_per_node = 8 }, 0, "4 5",
	  NULL },
	{ "down and masked nodes do not count, reserved ones need the flag",
	  SLURM, F_1L_4X4, "d0 r1 -2", { .nodes = 2, .gpus_per_node = 8 }, 0,
	  "4 5", NULL },
	{ "reserved nodes usable with use_reserved", SLURM, F_1L_4X4,
	  "d0 r1 -2", { .nodes = 2, .gpus_per_node = 8,
			.use_reserved = true }, 0, "1 3", NULL },
	{ "exclusive: nodes with jobs are out, whole nodes taken", SLURM,
	  F_1L_4X4, "0:1", { .nodes = 2, .gpus_per_node = 1,
			     .exclusive = true }, 0, "1 2", "8 8" },
	{ "nodes held exclusively are out; the leaf left with 2 fits 2",
	  SLURM, F_1L_4X4, "x1 x2", { .nodes = 2, .gpus_per_node = 1 }, 0,
	  "0 3", NULL },
	{ "GPU type: only matching nodes, untyped ones never", SLURM,
	  F_TYPED, "", { .nodes = 1, .gpus_per_node = 8,
			 .gpu_type = "h100" }, 0, "2", "8" },
	{ "GPU type: one h100 node cannot hold two", SLURM, F_TYPED, "",
	  { .nodes = 2, .gpus_per_node = 8, .gpu_type = "h100" }, EAGAIN,
	  NULL, NULL },
	{ "not enough usable nodes", SLURM, F_1L_4X4, "d0 d1 d2 d3 d4 d5",
	  { .nodes = 11, .gpus_per_node = 8 }, EAGAIN, NULL, NULL },

	/* Total form (--gpus): weight byte, forced nodes, GPU split. */
	{ "--gpus=8: nodes with the most free GPUs first (weight byte)",
	  SLURM, F_1L_4X4, "0:4 1:4 2:4 3:4", { .nodes = 1, .total_gpus = 8 },
	  0, "4", "8" },
	{ "--gres=gpu:4 on the same state: node counts only, leaf01 first",
	  SLURM, F_1L_4X4, "0:4 1:4 2:4 3:4",
	  { .nodes = 2, .gpus_per_node = 4 }, 0, "0 1", "4 4" },
	{ "--gpus=16: the lone idle node is forced in, then its leaf",
	  SLURM, F_1L_4X4,
	  "0:4 1:4 2:4 3:4 4:4 6:4 7:4 8:4 9:4 10:4 11:4 12:4 13:4 14:4 15:4",
	  { .nodes = 1, .total_gpus = 16 }, 0, "5 4 6", "8 4 4" },
	{ "--gpus=4 -N 2: split 3 + 1 in index order", SLURM, F_1L_4X4, "",
	  { .nodes = 2, .max_nodes = 2, .total_gpus = 4 }, 0, "0 1", "3 1" },
	{ "--gpus=16: the last root wins although the other tree has it",
	  SLURM, F_TWO_ROOTS, "d2 d3 5:7 6:7 7:7",
	  { .nodes = 1, .total_gpus = 16 }, EAGAIN, NULL, NULL },
	{ "--gpus=12 within one node: more nodes needed than allowed",
	  SLURM, F_1L_4X4, "", { .nodes = 1, .max_nodes = 1,
				 .total_gpus = 12 }, EAGAIN, NULL, NULL },

	/* Malformed requests. */
	{ "per-node form without nodes", SLURM, F_1L_4X4, "",
	  { .nodes = 0, .gpus_per_node = 8 }, EINVAL, NULL, NULL },
	{ "--gpus below -N", SLURM, F_1L_4X4, "",
	  { .nodes = 4, .total_gpus = 2 }, EINVAL, NULL, NULL },
	{ "negative count", SLURM, F_1L_4X4, "",
	  { .nodes = 1, .gpus_per_node = -1 }, EINVAL, NULL, NULL },
	{ "unknown GPU type", SLURM, F_TYPED, "",
	  { .nodes = 1, .gpus_per_node = 1, .gpu_type = "v100" }, EINVAL,
	  NULL, NULL },
	{ "more GPUs per node than any node has", SLURM, F_1L_4X4, "",
	  { .nodes = 1, .gpus_per_node = 9 }, EINVAL, NULL, NULL },

	/* First fit. */
	{ "first fit: first eligible nodes", FIRST, F_1L_4X4, "d0 1:6",
	  { .nodes = 2, .gpus_per_node = 4 }, 0, "2 3", "4 4" },
	{ "first fit: blind to the tighter leaf", FIRST, F_1L_4X4,
	  "0:8 4:8 5:8", { .nodes = 2, .gpus_per_node = 8 }, 0, "1 2",
	  "8 8" },
	{ "first fit: a total split in index order", FIRST, F_1L_4X4, "1:6",
	  { .nodes = 1, .total_gpus = 12 }, 0, "0 1 2", "8 2 2" },
	{ "first fit: a total needing more nodes than allowed", FIRST,
	  F_1L_4X4, "", { .nodes = 1, .max_nodes = 1, .total_gpus = 12 },
	  EAGAIN, NULL, NULL },
	{ "first fit: --switches=1 exceeded", FIRST, F_1L_4X4, "",
	  { .nodes = 5, .gpus_per_node = 8, .max_leaves = 1 }, EAGAIN, NULL,
	  NULL },
	{ "first fit: --switches=2 met", FIRST, F_1L_4X4, "",
	  { .nodes = 5, .gpus_per_node = 8, .max_leaves = 2 }, 0,
	  "0 1 2 3 4", NULL },
	{ "first fit: exclusive takes idle nodes whole", FIRST, F_1L_4X4,
	  "0:1", { .nodes = 2, .gpus_per_node = 1, .exclusive = true }, 0,
	  "1 2", "8 8" },
	{ "first fit: the tree a root-blind pick would use", FIRST,
	  F_TWO_ROOTS, "d2 d3 5:7 6:7 7:7", { .nodes = 1, .total_gpus = 16 },
	  0, "0 1", "8 8" },
	{ "first fit: GPU type", FIRST, F_TYPED, "",
	  { .nodes = 1, .gpus_per_node = 1, .gpu_type = "h100" }, 0, "2",
	  "1" },
	{ "first fit: not enough eligible nodes", FIRST, F_TYPED, "",
	  { .nodes = 3, .gpus_per_node = 1, .gpu_type = "a100" }, EAGAIN,
	  NULL, NULL },
};

#define NCASES ((int) (sizeof(_cases) / sizeof(_cases[0])))

START_TEST(test_table)
{
	const _case_t *c = &_cases[_i];
	const tp_fabric_t *f = _fabric[c->fabric];
	tp_placement_t p, none;
	tp_error_t err = { "" };
	tp_request_t req = c->req;
	uint8_t *mask;
	tp_state_t *s = _state(f, c->state, &mask);
	tp_state_t *before = tp_state_copy(s);
	int want[64], want_gpus[64], nwant = 0, ngpus, rc;
	char got[256], exp[256];

	req.usable = mask;
	memset(&p, 0x5a, sizeof(p));
	none = p;
	errno = 0;
	rc = tp_place(s, c->policy == SLURM ? TP_POLICY_SLURM_TREE :
		      TP_POLICY_FIRST_FIT, &req, &p, &err);

	/* The state is never changed. */
	ck_assert(!memcmp(s->free_gpus, before->free_gpus,
			  sizeof(int) * f->nnodes));
	ck_assert(!memcmp(s->avail, before->avail, f->nnodes));

	if (c->err) {
		ck_assert_msg(rc == -1 && errno == c->err,
			      "%s: rc %d errno %d (%s), want errno %d", c->name,
			      rc, errno, err.text, c->err);
		ck_assert_msg(err.text[0], "%s: no error text", c->name);
		ck_assert_msg(!memcmp(&p, &none, sizeof(p)),
			      "%s: output touched on failure", c->name);
		goto fini;
	}
	ck_assert_msg(rc == 0, "%s: failed: %s", c->name, err.text);
	nwant = _list(c->nodes, want, 64);
	_show(got, sizeof(got), p.node, p.count);
	_show(exp, sizeof(exp), want, nwant);
	ck_assert_msg(p.count == nwant && !memcmp(p.node, want,
						   sizeof(int) * nwant),
		      "%s: nodes [%s], want [%s]", c->name, got, exp);
	if (c->gpus) {
		ngpus = _list(c->gpus, want_gpus, 64);
		_show(got, sizeof(got), p.gpus, p.count);
		_show(exp, sizeof(exp), want_gpus, ngpus);
		ck_assert_msg(ngpus == p.count &&
			      !memcmp(p.gpus, want_gpus, sizeof(int) * ngpus),
			      "%s: GPUs [%s], want [%s]", c->name, got, exp);
	}
	ck_assert_msg(p.score.blocks[TP_LVL_NODE] == p.count,
		      "%s: score counts %d nodes of %d", c->name,
		      p.score.blocks[TP_LVL_NODE], p.count);
	/* What was given can be taken. */
	ck_assert_msg(!tp_state_apply(s, &p, req.exclusive),
		      "%s: placement does not apply", c->name);
	tp_placement_clear(&p);
fini:
	free(mask);
	tp_state_free(before);
	tp_state_free(s);
}
END_TEST

/*****************************************************************************\
 *  tp_node_eligible()
\*****************************************************************************/

typedef struct {
	const char *name;
	const char *state;
	tp_request_t req;
	int node;
	bool eligible;
	int take;
} _elig_t;

static const _elig_t _elig[] = {
	{ "per node", "", { .nodes = 1, .gpus_per_node = 4 }, 0, true, 4 },
	{ "per node, too few free", "0:5", { .nodes = 1, .gpus_per_node = 4 },
	  0, false, 0 },
	{ "per node, no GPU", "0:8", { .nodes = 1 }, 0, true, 0 },
	{ "exclusive takes the node", "", { .nodes = 1, .gpus_per_node = 2,
					    .exclusive = true }, 0, true, 8 },
	{ "exclusive needs no users", "0:1", { .nodes = 1, .gpus_per_node = 1,
					       .exclusive = true }, 0, false,
	  0 },
	{ "total below free", "", { .total_gpus = 3 }, 0, true, 3 },
	{ "total above free", "0:2", { .total_gpus = 20 }, 0, true, 6 },
	{ "total, exclusive", "", { .total_gpus = 3, .exclusive = true }, 0,
	  true, 8 },
	{ "total needs a free GPU", "0:8", { .total_gpus = 3 }, 0, false, 0 },
	{ "down", "d0", { .nodes = 1 }, 0, false, 0 },
	{ "reserved", "r0", { .nodes = 1 }, 0, false, 0 },
	{ "reserved, allowed", "r0", { .nodes = 1, .use_reserved = true }, 0,
	  true, 0 },
	{ "masked out", "-0", { .nodes = 1 }, 0, false, 0 },
	{ "held exclusively", "x0", { .nodes = 1 }, 0, false, 0 },
	{ "type matches", "", { .nodes = 1, .gpu_type = "a100" }, 1, true, 0 },
	{ "type differs", "", { .nodes = 1, .gpu_type = "a100" }, 2, false,
	  0 },
	{ "untyped node, typed request", "", { .nodes = 1,
					       .gpu_type = "h100" }, 3, false,
	  0 },
	{ "untyped request", "", { .nodes = 1, .gpus_per_node = 8 }, 3, true,
	  8 },
};

#define NELIG ((int) (sizeof(_elig) / sizeof(_elig[0])))

START_TEST(test_eligible)
{
	const _elig_t *c = &_elig[_i];
	const tp_fabric_t *f = _fabric[F_TYPED];
	tp_request_t req = c->req;
	uint8_t *mask;
	tp_state_t *s = _state(f, c->state, &mask);
	int take = -7;
	bool ok;

	req.usable = mask;
	ok = tp_node_eligible(s, &req, c->node, &take);
	ck_assert_msg(ok == c->eligible, "%s: eligible %d", c->name, ok);
	if (ok)
		ck_assert_msg(take == c->take, "%s: take %d, want %d", c->name,
			      take, c->take);
	else
		ck_assert_msg(take == -7, "%s: take touched", c->name);
	free(mask);
	tp_state_free(s);
}
END_TEST

/*****************************************************************************\
 *  Through tp_place(), and a sequence of jobs
\*****************************************************************************/

START_TEST(test_dispatch)
{
	const tp_fabric_t *f = _fabric[F_1L_4X4];
	tp_request_t req = { .nodes = 2, .gpus_per_node = 8 };
	tp_placement_t p;
	tp_error_t err = { "" };
	uint8_t *mask;
	tp_state_t *s = _state(f, "0:8 4:8 5:8", &mask);

	ck_assert_msg(!tp_place(s, TP_POLICY_SLURM_TREE, &req, &p, &err),
		      "%s", err.text);
	ck_assert_int_eq(p.count, 2);
	ck_assert_int_eq(p.node[0], 6);
	ck_assert_int_eq(p.node[1], 7);
	ck_assert_int_eq(p.score.blocks[TP_LVL_LEAF], 1);
	tp_placement_clear(&p);
	ck_assert_msg(!tp_place(s, TP_POLICY_FIRST_FIT, &req, &p, &err),
		      "%s", err.text);
	ck_assert_int_eq(p.node[0], 1);
	ck_assert_int_eq(p.node[1], 2);
	ck_assert_int_eq(p.score.blocks[TP_LVL_LEAF], 1);
	tp_placement_clear(&p);
	tp_state_free(s);
}
END_TEST

/*
 * Whole-node jobs arriving on an idle 16-node cluster: each goes to the
 * tightest leaf that holds it, so small jobs pack leaf01 and a 4-node job
 * gets a whole leaf; a 5-node job straddles two leaves.
 */
START_TEST(test_sequence)
{
	static const struct {
		int nodes;
		const char *want;
	} jobs[] = {
		{ 1, "0" }, { 2, "1 2" }, { 4, "4 5 6 7" }, { 1, "3" },
		{ 5, "8 9 10 11 12" }, { 3, "13 14 15" }, { 1, "" },
	};
	const tp_fabric_t *f = _fabric[F_1L_4X4];
	tp_state_t *s = tp_state_new(f);
	tp_error_t err = { "" };

	for (size_t j = 0; j < sizeof(jobs) / sizeof(jobs[0]); j++) {
		tp_request_t req = { .nodes = jobs[j].nodes,
				     .gpus_per_node = 8 };
		tp_placement_t p;
		int want[16], n = _list(jobs[j].want, want, 16);
		int rc = tp_place_slurm_tree(s, &req, &p, &err);

		if (!n) {
			ck_assert_msg(rc == -1 && errno == EAGAIN,
				      "job %zu placed on a full cluster", j);
			continue;
		}
		ck_assert_msg(!rc, "job %zu: %s", j, err.text);
		ck_assert_int_eq(p.count, n);
		for (int i = 0; i < n; i++)
			ck_assert_msg(p.node[i] == want[i],
				      "job %zu: node %d is %d, want %d", j, i,
				      p.node[i], want[i]);
		ck_assert(!tp_state_apply(s, &p, false));
		tp_placement_clear(&p);
	}
	tp_state_free(s);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("slurm_tree");
	TCase *tc = tcase_create("table");

	tcase_add_unchecked_fixture(tc, _setup, _teardown);
	tcase_add_loop_test(tc, test_table, 0, NCASES);
	tcase_add_loop_test(tc, test_eligible, 0, NELIG);
	tcase_add_test(tc, test_dispatch);
	tcase_add_test(tc, test_sequence);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tp_check_run(_suite());
}
