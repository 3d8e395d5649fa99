/*****************************************************************************\
 *  recover_hold.c - a job that lost a node restarts where it ran: its
 *  recovery hold, kept from slurmctld's records.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <time.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "recover_hold.h"
#include "slurm_gpus.h"
#include "slurmctld_weak.h"

extern char *recover_names(bitstr_t *nodes)
{
	if (!nodes || (bit_ffs(nodes) < 0))
		return xstrdup("");
	return bitmap2node_name(nodes);
}

extern bool recover_hold_make(job_record_t *job_ptr, bitstr_t *nodes)
{
	bitstr_t *held = bit_copy(nodes), *failed = bit_alloc(bit_size(nodes));
	char *h, *f;
	bool any;

	for (int i = 0; i < bit_size(nodes); i++) {
		if (!bit_test(nodes, i) ||
		    !topopack_node_unusable(node_record_table_ptr[i]))
			continue;
		bit_clear(held, i);
		bit_set(failed, i);
	}
	any = (bit_ffs(failed) >= 0);
	if (any) {
		topopack_hold_put_recover(job_ptr->job_id, held, failed,
					  time(NULL));
		h = recover_names(held);
		f = recover_names(failed);
		info("topopack: JobId=%u recovering: holding nodes=%s failed=%s for %d s",
		     job_ptr->job_id, h, f, TOPOPACK_RECOVER_HOLD_TIME);
		xfree(h);
		xfree(f);
	}
	FREE_NULL_BITMAP(held);
	FREE_NULL_BITMAP(failed);
	return any;
}

extern void recover_hold_started(job_record_t *job_ptr)
{
	topopack_hold_t hold;
	char *n, *h, *f;

	if (!topopack_hold_get_kind(job_ptr->job_id, TOPOPACK_HOLD_RECOVER,
				    &hold))
		return;
	topopack_hold_forget_kind(job_ptr->job_id, TOPOPACK_HOLD_RECOVER);
	n = recover_names(job_ptr->node_bitmap);
	h = recover_names(hold.nodes);
	f = recover_names(hold.failed);
	info("topopack: JobId=%u recovered: nodes=%s held=%s failed=%s after %.0f s",
	     job_ptr->job_id, n, h, f, difftime(time(NULL), hold.made));
	xfree(n);
	xfree(h);
	xfree(f);
	topopack_hold_free(&hold);
}

/* Keep the holds of jobs that still wait, for the hold time. */
static bool _keep(const topopack_hold_t *hold, void *arg)
{
	time_t *now = arg;
	job_record_t *job_ptr = find_job_record(hold->job_id);
	const char *why = NULL;
	char *names;

	if (!job_ptr || !IS_JOB_PENDING(job_ptr))
		why = "the job no longer waits";
	else if (!job_ptr->priority)
		why = "the job is held";
	else if (difftime(*now, hold->made) > TOPOPACK_RECOVER_HOLD_TIME)
		why = "hold time over";
	else if (bit_size(hold->nodes) != node_record_count)
		why = "the node table changed";
	if (!why)
		return true;
	names = recover_names(hold->nodes);
	info("topopack: JobId=%u recovery hold on nodes=%s released: %s",
	     hold->job_id, names, why);
	xfree(names);
	return false;
}

/* Held nodes that failed since: move them to the failed ones. */
static void _refresh(topopack_hold_t *hold)
{
	bool changed = false;

	for (int i = 0; i < bit_size(hold->nodes); i++) {
		if (!bit_test(hold->nodes, i) ||
		    !topopack_node_unusable(node_record_table_ptr[i]))
			continue;
		bit_clear(hold->nodes, i);
		if (hold->failed)
			bit_set(hold->failed, i);
		changed = true;
	}
	if (changed)
		topopack_hold_put_recover(hold->job_id, hold->nodes,
					  hold->failed, hold->made);
}

extern bool recover_hold_narrow(job_record_t *job_ptr, bitstr_t *node_bitmap,
				topopack_hold_t *own)
{
	time_t now = time(NULL);
	bitstr_t *blocked;

	topopack_hold_prune_kind(TOPOPACK_HOLD_RECOVER, _keep, &now);
	blocked = topopack_hold_recover_nodes(job_ptr->job_id,
					      bit_size(node_bitmap));
	if (blocked && bit_overlap_any(blocked, node_bitmap)) {
		if (slurm_conf.debug_flags & DEBUG_FLAG_SELECT_TYPE) {
			char *names = recover_names(blocked);
			log_flag(SELECT_TYPE, "%pJ: nodes %s held for recovering jobs, not offered",
				 job_ptr, names);
			xfree(names);
		}
		bit_and_not(node_bitmap, blocked);
	}
	FREE_NULL_BITMAP(blocked);
	if (!topopack_hold_get_kind(job_ptr->job_id, TOPOPACK_HOLD_RECOVER,
				    own))
		return false;
	_refresh(own);
	if (own->failed && (bit_size(own->failed) == bit_size(node_bitmap)))
		bit_and_not(node_bitmap, own->failed);
	return true;
}

extern bool recover_node_free(int i)
{
	node_record_t *node_ptr = node_record_table_ptr[i];

	return node_ptr && !topopack_node_unusable(node_ptr) &&
		!node_ptr->run_job_cnt && !node_ptr->sus_job_cnt &&
		!node_ptr->comp_job_cnt && !IS_NODE_COMPLETING(node_ptr);
}

/* 0: a free spare, 1: another free node, 2: a busy node. */
static int _kind(const slurm_fabric_t *sf, int i)
{
	if (!recover_node_free(i))
		return 2;
	return tp_fabric_node_spare(sf->fabric, sf->to_fabric[i]) ? 0 : 1;
}

/* Whether Slurm node s (-1: none) is the hold's, held or failed. */
static bool _had(const topopack_hold_t *hold, int s)
{
	return (s >= 0) && (s < bit_size(hold->nodes)) &&
		(bit_test(hold->nodes, s) ||
		 (hold->failed && bit_test(hold->failed, s)));
}

/* By fabric node: 1 in an NVLink domain the job used, 2 under a leaf it
 * used (and no such domain), 0 elsewhere. xfree it. */
static uint8_t *_tiers_used(const slurm_fabric_t *sf, const int *leaf_of,
			    const topopack_hold_t *hold)
{
	uint8_t *near = xcalloc(sf->nnodes + 1, sizeof(uint8_t));
	uint8_t *leaf_used = xcalloc(sf->nnodes + 1, sizeof(uint8_t));
	tp_domain_info_t d;

	for (int f = 0; f < sf->nnodes; f++)
		if (_had(hold, sf->to_slurm[f]))
			leaf_used[leaf_of[f]] = 1;
	for (int f = 0; f < sf->nnodes; f++)
		if (leaf_used[leaf_of[f]])
			near[f] = 2;
	/* A node's own domain holds only itself: declared ones matter. */
	for (int k = 0; !tp_fabric_domain(sf->fabric, k, &d); k++) {
		bool used = false;

		for (int j = 0; !d.implicit && !used && j < d.nnodes; j++)
			used = _had(hold, sf->to_slurm[d.nodes[j]]);
		for (int j = 0; used && j < d.nnodes; j++)
			near[d.nodes[j]] = 1;
	}
	xfree(leaf_used);
	return near;
}

extern int recover_candidates(const slurm_fabric_t *sf, const int *leaf_of,
			      const topopack_hold_t *hold, bitstr_t *offered,
			      int **cand, bool *first_spare,
			      bitstr_t **region)
{
	int size = MIN(bit_size(offered), sf->slurm_count), n = 0;
	int *tier = xcalloc(size + 1, sizeof(int));
	int *kind = xcalloc(size + 1, sizeof(int));
	uint8_t *near = _tiers_used(sf, leaf_of, hold);

	*cand = xcalloc(size + 1, sizeof(int));
	*region = bit_alloc(bit_size(offered));
	for (int i = 0; i < size; i++) {
		int f = sf->to_fabric[i];

		tier[i] = -1;
		if ((f < 0) || !near[f] || !bit_test(offered, i) ||
		    _had(hold, i))
			continue;
		tier[i] = near[f] - 1;
		bit_set(*region, i);
		kind[i] = _kind(sf, i);
	}
	/* Order: (tier, kind), then index; free spares are kept for
	 * this, busy nodes cost a preemption. */
	for (int pass = 0; pass < 6; pass++)
		for (int i = 0; i < size; i++)
			if ((tier[i] == pass / 3) && (kind[i] == pass % 3))
				(*cand)[n++] = i;
	*first_spare = n && !kind[(*cand)[0]];
	xfree(tier);
	xfree(kind);
	xfree(near);
	return n;
}

extern bitstr_t *recover_with_free(const topopack_hold_t *hold,
				   const int *cand, int n, int k)
{
	bitstr_t *try = bit_copy(hold->nodes);
	int got = 0;

	for (int j = 0; (j < n) && (got < k) && recover_node_free(cand[j]);
	     j++, got++)
		bit_set(try, cand[j]);
	if (got < k)
		FREE_NULL_BITMAP(try);
	return try;
}
