/*****************************************************************************\
 *  place_first_fit.c - the first eligible nodes in index order.
 *
 *  The floor of every comparison: blind to switches and NVLink domains,
 *  it shows what topology awareness is worth. Only --switches
 *  (max_leaves) is honoured, after the fact, by failing.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place_private.h"



/* Leaf switches spanned by the first count nodes of node[]; RET -1
 * (ENOMEM) when it cannot count them. */
static int _leaves(const tp_fabric_t *f, const int *node, int count)
{
	uint8_t *seen = calloc(f->nswitches + 1, 1);
	int n = 0;

	if (!seen)
		return -1;
	for (int i = 0; i < count; i++) {
		int l = f->nodes[node[i]].leaf;

		n += !seen[l];
		seen[l] = 1;
	}
	free(seen);
	return n;
}

extern int tp_place_first_fit(const tp_state_t *s, const tp_request_t *req,
			      tp_placement_t *out, tp_error_t *err)
{
	const tp_fabric_t *f;
	bool total_form;
	int *node = NULL, *gpus = NULL;
	int count = 0, want, leaves, rc = -1;
	long have = 0, left;

	if (!s || !req || !out)
		return tp_place_fail(err, "first-fit", EINVAL, "missing state, request or output");
	f = s->fabric;
	total_form = req->total_gpus > 0;
	want = req->nodes > 0 ? req->nodes : 1;
	node = malloc(sizeof(int) * (f->nnodes + 1));
	gpus = malloc(sizeof(int) * (f->nnodes + 1));
	if (!node || !gpus) {
		rc = tp_place_fail(err, "first-fit", ENOMEM, "out of memory");
		goto fini;
	}

	for (int n = 0; n < f->nnodes; n++) {
		int take;

		if (!total_form && count == want)
			break;
		if (total_form && count >= want && have >= req->total_gpus)
			break;
		if (!tp_node_eligible(s, req, n, &take))
			continue;
		node[count] = n;
		gpus[count++] = take;
		have += s->free_gpus[n];
	}
	if (count < want || (total_form && have < req->total_gpus)) {
		rc = tp_place_fail(err, "first-fit", EAGAIN, "eligible nodes fall short of the request");
		goto fini;
	}
	if (total_form && req->max_nodes && count > req->max_nodes) {
		rc = tp_place_fail(err, "first-fit", EAGAIN, "needs %d nodes, the request allows %d",
			   count, req->max_nodes);
		goto fini;
	}
	if ((leaves = _leaves(f, node, count)) < 0) {
		rc = tp_place_fail(err, "first-fit", ENOMEM, "out of memory");
		goto fini;
	}
	if (req->max_leaves && leaves > req->max_leaves) {
		rc = tp_place_fail(err, "first-fit", EAGAIN, "nodes span %d leaf switches, the request allows %d",
			   leaves, req->max_leaves);
		goto fini;
	}

	/* Total form: each node min(free, what is left less one GPU for
	 * each node after it); exclusive requests keep whole nodes. */
	left = req->total_gpus;
	for (int i = 0; total_form && !req->exclusive && i < count; i++) {
		long give = left - (count - 1 - i);
		int free_gpus = s->free_gpus[node[i]];

		if (give > free_gpus)
			give = free_gpus;
		gpus[i] = give;
		left -= give;
	}

	memset(out, 0, sizeof(*out));
	out->count = count;
	out->node = node;
	out->gpus = gpus;
	node = gpus = NULL;
	rc = 0;
fini:
	free(node);
	free(gpus);
	return rc;
}
