/*****************************************************************************\
 *  topopack_recover.c - a job that lost a node restarts where it ran.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <string.h>
#include <time.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "slurm_gpus.h"
#include "topopack_fabric.h"
#include "topopack_hold.h"
#include "topopack_preempt.h"
#include "topopack_recover.h"
#include "topopack_request.h"

/* Hostlist of a bitmap ("" for none or NULL). */
static char *_names(bitstr_t *nodes)
{
	if (!nodes || (bit_ffs(nodes) < 0))
		return xstrdup("");
	return bitmap2node_name(nodes);
}

/*****************************************************************************\
 *  The hold
\*****************************************************************************/

/* Requeued for a node failure: kill_running_job_by_node_name sets the
 * state to exactly JOB_NODE_FAIL before deallocate_nodes when it
 * requeues (NODE_FAIL|COMPLETING when it kills the job instead). */
static bool _requeued_for_node_failure(job_record_t *job_ptr)
{
	return (job_ptr->job_state == JOB_NODE_FAIL) && job_ptr->batch_flag &&
		job_ptr->details && job_ptr->details->requeue &&
		job_ptr->node_bitmap;
}

extern void topopack_recover_job_fini(job_record_t *job_ptr)
{
	bitstr_t *held, *failed;
	char *h, *f;
	int i;

	if (!topopack_request_recover(job_ptr))
		return;
	if (!_requeued_for_node_failure(job_ptr)) {
		log_flag(SELECT_TYPE, "%pJ: ends (state %s), not requeued for a node failure: nothing held",
			 job_ptr, job_state_string(job_ptr->job_state));
		return;
	}
	held = bit_copy(job_ptr->node_bitmap);
	failed = bit_alloc(bit_size(held));
	for (i = 0; i < bit_size(held); i++) {
		if (!bit_test(held, i))
			continue;
		if ((i < node_record_count) &&
		    !topopack_node_unusable(node_record_table_ptr[i]))
			continue;
		bit_clear(held, i);
		bit_set(failed, i);
	}
	topopack_hold_put_recover(job_ptr->job_id, held, failed, time(NULL));
	h = _names(held);
	f = _names(failed);
	info("topopack: JobId=%u recovering: holding nodes=%s failed=%s for %d s",
	     job_ptr->job_id, h, f, TOPOPACK_RECOVER_HOLD_TIME);
	xfree(h);
	xfree(f);
	FREE_NULL_BITMAP(held);
	FREE_NULL_BITMAP(failed);
}

extern void topopack_recover_job_started(job_record_t *job_ptr)
{
	topopack_hold_t hold;
	char *n, *h, *f;

	if (!topopack_hold_get_kind(job_ptr->job_id, TOPOPACK_HOLD_RECOVER,
				    &hold))
		return;
	topopack_hold_forget_kind(job_ptr->job_id, TOPOPACK_HOLD_RECOVER);
	n = _names(job_ptr->node_bitmap);
	h = _names(hold.nodes);
	f = _names(hold.failed);
	info("topopack: JobId=%u recovered: nodes=%s held=%s failed=%s after %.0f s",
	     job_ptr->job_id, n, h, f, difftime(time(NULL), hold.made));
	xfree(n);
	xfree(h);
	xfree(f);
	topopack_hold_free(&hold);
}

typedef struct {
	time_t now;
} _prune_arg_t;

/* Keep the holds of jobs that still wait, for the hold time. */
static bool _keep(const topopack_hold_t *hold, void *arg)
{
	_prune_arg_t *pa = arg;
	job_record_t *job_ptr = find_job_record(hold->job_id);
	const char *why = NULL;
	char *names;

	if (!job_ptr || !IS_JOB_PENDING(job_ptr))
		why = "the job no longer waits";
	else if (!job_ptr->priority)
		why = "the job is held";
	else if (difftime(pa->now, hold->made) > TOPOPACK_RECOVER_HOLD_TIME)
		why = "hold time over";
	else if (bit_size(hold->nodes) != node_record_count)
		why = "the node table changed";
	if (!why)
		return true;
	names = _names(hold->nodes);
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

extern bool topopack_recover_narrow(const cons_tres_call_t *call)
{
	job_record_t *job_ptr = call->job_ptr;
	bitstr_t *node_bitmap = call->node_bitmap, *blocked;
	_prune_arg_t pa = { .now = time(NULL) };
	topopack_hold_t hold;
	bool own;

	if (call->mode == SELECT_MODE_TEST_ONLY)
		return false;
	topopack_hold_prune_kind(TOPOPACK_HOLD_RECOVER, _keep, &pa);
	blocked = topopack_hold_recover_nodes(job_ptr->job_id,
					      bit_size(node_bitmap));
	if (blocked && bit_overlap_any(blocked, node_bitmap)) {
		if (slurm_conf.debug_flags & DEBUG_FLAG_SELECT_TYPE) {
			char *names = _names(blocked);
			log_flag(SELECT_TYPE, "%pJ: nodes %s held for recovering jobs, not offered",
				 job_ptr, names);
			xfree(names);
		}
		bit_and_not(node_bitmap, blocked);
	}
	FREE_NULL_BITMAP(blocked);
	own = topopack_hold_get_kind(job_ptr->job_id, TOPOPACK_HOLD_RECOVER,
				     &hold);
	if (!own)
		return false;
	_refresh(&hold);
	if (hold.failed && (bit_size(hold.failed) == bit_size(node_bitmap)))
		bit_and_not(node_bitmap, hold.failed);
	topopack_hold_free(&hold);
	return true;
}

/*****************************************************************************\
 *  Placing the job back
\*****************************************************************************/

/* Nothing runs, is suspended or completes on the node. */
static bool _free(int i)
{
	node_record_t *node_ptr = node_record_table_ptr[i];

	return node_ptr && !topopack_node_unusable(node_ptr) &&
		!node_ptr->run_job_cnt && !node_ptr->sus_job_cnt &&
		!node_ptr->comp_job_cnt && !IS_NODE_COMPLETING(node_ptr);
}

/* 0: a free spare, 1: another free node, 2: a busy node. */
static int _kind(const topopack_fabric_t *tf, int i)
{
	if (!_free(i))
		return 2;
	return tp_fabric_node_spare(tf->fabric, tf->to_fabric[i]) ? 0 : 1;
}

/*
 * The nodes that may replace the failed ones, best first: of call's
 * node_bitmap, neither held nor failed, in an NVLink domain the job used
 * (tier 0), then under a leaf switch it used (tier 1); within a tier
 * free spares (topopack_spares.h) first, then other free nodes, then busy
 * ones.
 * OUT cand - Slurm node indices (xfree it); RET their count
 * OUT region - every such node (FREE_NULL_BITMAP it)
 */
static int _candidates(const cons_tres_call_t *call,
		       const topopack_hold_t *hold, int **cand,
		       bitstr_t **region)
{
	topopack_fabric_t *tf = topopack_fabric_lock();
	int size = bit_size(call->node_bitmap), n = 0;
	int *tier = NULL;
	uint8_t *leaf_used = NULL;
	const char **domain = NULL;
	int ndomains = 0;

	*cand = xcalloc(size + 1, sizeof(int));
	*region = bit_alloc(size);
	if (!tf)
		goto fini;
	tier = xcalloc(size + 1, sizeof(int));
	leaf_used = xcalloc(tf->nnodes + 1, sizeof(uint8_t));
	domain = xcalloc(size + 1, sizeof(char *));
	for (int i = 0; i < size && i < tf->slurm_count; i++) {
		int f = tf->to_fabric[i];

		if ((f < 0) || !(bit_test(hold->nodes, i) ||
				 (hold->failed && bit_test(hold->failed, i))))
			continue;
		leaf_used[tf->leaf[f]] = 1;
		domain[ndomains++] = tp_fabric_node_domain(tf->fabric, f);
	}
	for (int i = 0; i < size && i < tf->slurm_count; i++) {
		int f = tf->to_fabric[i];
		const char *d;

		tier[i] = -1;
		if ((f < 0) || !bit_test(call->node_bitmap, i) ||
		    bit_test(hold->nodes, i) ||
		    (hold->failed && bit_test(hold->failed, i)))
			continue;
		d = tp_fabric_node_domain(tf->fabric, f);
		for (int k = 0; d && (tier[i] < 0) && k < ndomains; k++)
			if (domain[k] && !strcmp(d, domain[k]))
				tier[i] = 0;
		if ((tier[i] < 0) && leaf_used[tf->leaf[f]])
			tier[i] = 1;
		if (tier[i] >= 0)
			bit_set(*region, i);
	}
	/* Order: (tier, kind), then index; kinds are free spares, which
	 * are kept for this, other free nodes, then busy nodes. */
	for (int pass = 0; pass < 6; pass++)
		for (int i = 0; i < size && i < tf->slurm_count; i++)
			if ((tier[i] == pass / 3) &&
			    (_kind(tf, i) == pass % 3))
				(*cand)[n++] = i;
fini:
	topopack_fabric_unlock();
	xfree(tier);
	xfree(leaf_used);
	xfree(domain);
	return n;
}

/* 0 when the best candidate is a free spare. */
static int _kind_of_first(const int *cand, int n)
{
	topopack_fabric_t *tf = topopack_fabric_lock();
	int kind = 1;

	if (tf && n)
		kind = _kind(tf, cand[0]);
	topopack_fabric_unlock();
	return kind;
}

/* cons_tres on the held nodes and the k first free candidates. */
static bool _try_free(const cons_tres_call_t *call,
		      const topopack_hold_t *hold, const int *cand, int n,
		      int k, int *rc)
{
	bitstr_t *try = bit_copy(hold->nodes);
	int got = 0;

	for (int j = 0; (j < n) && (got < k) && _free(cand[j]); j++, got++)
		bit_set(try, cand[j]);
	if (got < k) {
		FREE_NULL_BITMAP(try);
		return false;
	}
	*rc = cons_tres_test_on(call, try, false, NULL);
	FREE_NULL_BITMAP(try);
	return *rc == SLURM_SUCCESS;
}

/* cons_tres on the held nodes and one busy candidate with room. */
static bool _try_shared(const cons_tres_call_t *call,
			const topopack_hold_t *hold, const int *cand, int n,
			int *rc)
{
	bitstr_t *try = bit_copy(hold->nodes);
	bool ok = false;

	for (int j = 0; !ok && (j < n); j++) {
		if (_free(cand[j]))
			continue;
		bit_set(try, cand[j]);
		*rc = cons_tres_test_on(call, try, false, NULL);
		ok = (*rc == SLURM_SUCCESS);
		bit_clear(try, cand[j]);
	}
	FREE_NULL_BITMAP(try);
	return ok;
}

/* A preemption plan on the held nodes and the region, offered to
 * cons_tres; the hold then covers the plan's nodes too. */
static bool _try_preempt(const cons_tres_call_t *call,
			 const topopack_hold_t *hold, bitstr_t *region,
			 int *rc)
{
	job_record_t *job_ptr = call->job_ptr;
	cons_tres_call_t rcall = *call;
	topopack_fabric_t *tf;
	tp_preempt_plan_t plan = { 0 };
	tp_request_t req;
	bitstr_t *nodes = NULL, *held;
	const char *why = NULL;
	bool done = false;

	if (!topopack_preempt_wanted(call))
		return false;
	rcall.node_bitmap = bit_copy(region);
	bit_or(rcall.node_bitmap, hold->nodes);
	if (!(tf = topopack_fabric_lock()))
		goto unlock;
	if (topopack_request_from_job(job_ptr, call->min_nodes,
				      call->max_nodes, call->req_nodes,
				      tf->nnodes, &req, &why)) {
		log_flag(SELECT_TYPE, "%pJ: recovery: no preemption plan: %s",
			 job_ptr, why);
		goto unlock;
	}
	nodes = topopack_preempt_plan(tf, &rcall, &req, &plan);
unlock:
	topopack_fabric_unlock();
	if (!nodes)
		goto fini;
	if (!bit_super_set(hold->nodes, nodes))
		log_flag(SELECT_TYPE, "%pJ: recovery: the preemption plan leaves some of its held nodes",
			 job_ptr);
	done = topopack_preempt_offer(&rcall, nodes, &plan, rc);
	if (!done)
		goto fini;
	bit_copybits(call->node_bitmap, rcall.node_bitmap);
	if (call->mode == SELECT_MODE_RUN_NOW) {
		held = bit_copy(hold->nodes);
		bit_or(held, nodes);
		topopack_hold_put_recover(job_ptr->job_id, held, hold->failed,
					  hold->made);
		FREE_NULL_BITMAP(held);
	}
fini:
	FREE_NULL_BITMAP(nodes);
	FREE_NULL_BITMAP(rcall.node_bitmap);
	tp_preempt_plan_clear(&plan);
	return done;
}

extern bool topopack_recover_place(const cons_tres_call_t *call, int *rc)
{
	job_record_t *job_ptr = call->job_ptr;
	topopack_hold_t hold;
	bitstr_t *region = NULL;
	int *cand = NULL, n, need, k;
	bool final = false;
	const char *how = NULL;
	char *names;

	if (!topopack_hold_get_kind(job_ptr->job_id, TOPOPACK_HOLD_RECOVER,
				    &hold))
		return false;
	if (!bit_super_set(hold.nodes, call->node_bitmap)) {
		/* Its nodes are not offered in this call (still completing,
		 * or another partition): wait for them while the hold
		 * lasts. */
		log_flag(SELECT_TYPE, "%pJ: recovery: its held nodes are not all offered, waits",
			 job_ptr);
		*rc = SLURM_ERROR;
		final = true;
		goto fini;
	}
	need = MAX(call->min_nodes, call->req_nodes);
	k = need - bit_set_count(hold.nodes);
	n = _candidates(call, &hold, &cand, &region);
	if (k <= 0) {
		*rc = cons_tres_test_on(call, hold.nodes, false, NULL);
		if (*rc == SLURM_SUCCESS)
			how = "its held nodes";
	} else if (_try_free(call, &hold, cand, n, k, rc)) {
		how = _kind_of_first(cand, n) ?
			"a free node of its domains or leaves" :
			"a free spare of its domains or leaves";
	} else if ((k == 1) && _try_shared(call, &hold, cand, n, rc)) {
		how = "a shared node of its domains or leaves";
	} else if (_try_preempt(call, &hold, region, rc)) {
		how = "preempting on its domains or leaves";
	}
	if (how) {
		final = true;
		names = _names(call->node_bitmap);
		log_flag(SELECT_TYPE, "%pJ: recovery: nodes %s (%s)", job_ptr,
			 names, how);
		xfree(names);
	} else {
		log_flag(SELECT_TYPE, "%pJ: recovery: no room on its domains or leaves now, placed as any job",
			 job_ptr);
	}
fini:
	xfree(cand);
	FREE_NULL_BITMAP(region);
	topopack_hold_free(&hold);
	return final;
}
