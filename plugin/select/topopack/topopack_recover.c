/*****************************************************************************\
 *  topopack_recover.c - a job that lost a node restarts where it ran.
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
#include "src/slurmctld/slurmctld.h"

#include "recover_hold.h"
#include "slurm_gpus.h"
#include "topopack_fabric.h"
#include "topopack_hold.h"
#include "topopack_preempt.h"
#include "topopack_recover.h"
#include "topopack_request.h"

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
	if (!topopack_request_recover(job_ptr))
		return;
	if (!_requeued_for_node_failure(job_ptr) ||
	    !recover_hold_make(job_ptr, job_ptr->node_bitmap))
		log_flag(SELECT_TYPE, "%pJ: ends (state %s), not requeued for a node failure: nothing held",
			 job_ptr, job_state_string(job_ptr->job_state));
}

extern bool topopack_recover_narrow(const cons_tres_call_t *call)
{
	topopack_hold_t own;

	if (call->mode == SELECT_MODE_TEST_ONLY)
		return false;
	if (!recover_hold_narrow(call->job_ptr, call->node_bitmap, &own))
		return false;
	topopack_hold_free(&own);
	return true;
}

/*****************************************************************************\
 *  Placing the job back
\*****************************************************************************/

/* recover_candidates() on the current fabric (none without one). */
static int _candidates(const cons_tres_call_t *call,
		       const topopack_hold_t *hold, int **cand,
		       bool *first_spare, bitstr_t **region)
{
	topopack_fabric_t *tf = topopack_fabric_lock();
	slurm_fabric_t sf;
	int n = 0;

	if (tf) {
		sf = topopack_fabric_slurm(tf);
		n = recover_candidates(&sf, tf->leaf, hold, call->node_bitmap,
				       cand, first_spare, region);
	} else {
		*cand = NULL;
		*first_spare = false;
		*region = bit_alloc(bit_size(call->node_bitmap));
	}
	topopack_fabric_unlock();
	return n;
}

/* cons_tres on the held nodes and the k first free candidates. */
static bool _try_free(const cons_tres_call_t *call,
		      const topopack_hold_t *hold, const int *cand, int n,
		      int k, int *rc)
{
	bitstr_t *try = recover_with_free(hold, cand, n, k);

	if (!try)
		return false;
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
		if (recover_node_free(cand[j]))
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
	bool final = false, first_spare;
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
	n = _candidates(call, &hold, &cand, &first_spare, &region);
	if (k <= 0) {
		*rc = cons_tres_test_on(call, hold.nodes, false, NULL);
		if (*rc == SLURM_SUCCESS)
			how = "its held nodes";
	} else if (_try_free(call, &hold, cand, n, k, rc)) {
		how = first_spare ? "a free spare of its domains or leaves" :
			"a free node of its domains or leaves";
	} else if ((k == 1) && _try_shared(call, &hold, cand, n, rc)) {
		how = "a shared node of its domains or leaves";
	} else if (_try_preempt(call, &hold, region, rc)) {
		how = "preempting on its domains or leaves";
	}
	if (how) {
		final = true;
		names = recover_names(call->node_bitmap);
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
