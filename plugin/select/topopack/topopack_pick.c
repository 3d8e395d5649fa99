/*****************************************************************************\
 *  topopack_pick.c - steer select/cons_tres's choice of nodes with
 *  libtopopack's placement.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "topopack_fabric.h"
#include "topopack_hold.h"
#include "topopack_nodes.h"
#include "topopack_pick.h"
#include "topopack_preempt.h"
#include "topopack_recover.h"
#include "topopack_spares.h"
#include "topopack_request.h"

#define MAX_NARROW 2	/* placement's nodes, then its leaf block */

static const char *_step_name[MAX_NARROW] = {
	"placement", "placement's leaves"
};

static void _log_nodes(job_record_t *job_ptr, const char *what,
		       bitstr_t *nodes, const char *outcome)
{
	char *names;

	if (!(slurm_conf.debug_flags & DEBUG_FLAG_SELECT_TYPE))
		return;
	names = bitmap2node_name(nodes);
	log_flag(SELECT_TYPE, "%pJ: %s %s: %s", job_ptr, what, names, outcome);
	xfree(names);
}

/* Why the library gave no placement: the job goes to cons_tres as is.
 * Running out of memory is worth saying whatever the debug flags. */
static void _no_placement(job_record_t *job_ptr, tp_error_t *err)
{
	if (errno == ENOMEM)
		error("topopack: %pJ: out of memory while placing, left to select/cons_tres",
		      job_ptr);
	else
		log_flag(SELECT_TYPE, "%pJ: no placement on these nodes now, left to select/cons_tres: %s",
			 job_ptr, err->text);
}

/* What the engine says of the job: a preemption plan, and the narrowed
 * node sets to offer cons_tres without preempting, best first. */
typedef struct {
	bitstr_t *plan_nodes;	/* NULL: no plan with victims */
	tp_preempt_plan_t plan;
	bitstr_t *narrow[MAX_NARROW];
	int count;
} _answer_t;

/* Ask the engine, with the job's request built once. */
static void _ask_engine(const cons_tres_call_t *call, _answer_t *a)
{
	job_record_t *job_ptr = call->job_ptr;
	topopack_fabric_t *tf = topopack_fabric_lock();
	tp_placement_t p = { 0 };
	tp_request_t req;
	tp_error_t err = { { 0 } };
	const char *why = NULL;
	bitstr_t *block;

	if (!tf)
		goto fini;
	if (topopack_request_from_job(job_ptr, call->min_nodes,
				      call->max_nodes, call->req_nodes,
				      tf->nnodes, &req, &why)) {
		log_flag(SELECT_TYPE, "%pJ: left to select/cons_tres: %s",
			 job_ptr, why);
		goto fini;
	}
	if (topopack_preempt_wanted(call))
		a->plan_nodes = topopack_preempt_plan(tf, call, &req, &a->plan);
	if (tp_place(topopack_fabric_state(tf, call->node_bitmap),
		     TP_POLICY_TOPOPACK, &req, &p, &err)) {
		_no_placement(job_ptr, &err);
		goto fini;
	}
	a->narrow[a->count++] = topopack_nodes_bitmap(
		tf, &p, bit_size(call->node_bitmap));
	block = topopack_nodes_leaf_block(tf, &p, call->node_bitmap);
	if (bit_equal(block, a->narrow[0]))
		FREE_NULL_BITMAP(block);
	else
		a->narrow[a->count++] = block;
fini:
	tp_placement_clear(&p);
	topopack_fabric_unlock();
}

/* topopack_spares.h: jobs that may not use spares are not offered them. */
static void _narrow_spares(const cons_tres_call_t *call)
{
	topopack_fabric_t *tf = topopack_fabric_lock();

	if (tf)
		topopack_spares_narrow(call->job_ptr, tf->fabric,
				       tf->to_fabric, tf->slurm_count,
				       call->node_bitmap);
	topopack_fabric_unlock();
}

extern int topopack_pick_job(const cons_tres_call_t *call)
{
	job_record_t *job_ptr = call->job_ptr;
	_answer_t a = { 0 };
	topopack_hold_t hold;
	int rc = SLURM_ERROR;
	bool final, recovering;

	/* 0. Nodes held for recovering jobs are not offered to others;
	 * nodes that failed under a recovering job not to it. */
	recovering = topopack_recover_narrow(call);

	/* 0b. Spare nodes only for preemptable and recovering jobs. */
	_narrow_spares(call);

	/* 1. A plan held for the job while its victims drain. */
	if ((call->mode != SELECT_MODE_TEST_ONLY) &&
	    topopack_hold_get(job_ptr->job_id, &hold)) {
		final = topopack_preempt_held(call, &hold, &rc);
		topopack_hold_free(&hold);
		if (final)
			return rc;
	}

	/* 1b. A recovering job back on its nodes, domains and leaves. */
	if (recovering && topopack_recover_place(call, &rc))
		return rc;

	/* 2. The engine's answer. */
	_ask_engine(call, &a);

	/* 3. cons_tres on it, best first, then on every node it came with. */
	if (a.plan_nodes &&
	    topopack_preempt_offer(call, a.plan_nodes, &a.plan, &rc))
		goto fini;
	for (int k = 0; k < a.count; k++) {
		rc = cons_tres_test_on(call, a.narrow[k], false, NULL);
		_log_nodes(job_ptr, _step_name[k], a.narrow[k],
			   (rc == SLURM_SUCCESS) ? "taken" :
			   "select/cons_tres cannot fit the job there");
		if (rc == SLURM_SUCCESS)
			goto fini;
	}
	if (a.count)
		log_flag(SELECT_TYPE, "%pJ: every usable node offered to select/cons_tres",
			 job_ptr);
	rc = (*call->cons->job_test)(job_ptr, call->node_bitmap,
				     call->min_nodes, call->max_nodes,
				     call->req_nodes, call->mode,
				     call->preemptee_candidates,
				     call->preemptee_job_list,
				     call->exc_core_bitmap);
fini:
	FREE_NULL_BITMAP(a.plan_nodes);
	tp_preempt_plan_clear(&a.plan);
	for (int k = 0; k < a.count; k++)
		FREE_NULL_BITMAP(a.narrow[k]);
	return rc;
}

/* The placement of node_cnt whole nodes in avail_bitmap, or NULL. */
static bitstr_t *_plan_resv(resv_desc_msg_t *resv_desc_ptr,
			    uint32_t node_cnt, bitstr_t *avail_bitmap)
{
	topopack_fabric_t *tf = topopack_fabric_lock();
	tp_placement_t p = { 0 };
	tp_request_t req;
	tp_error_t err = { { 0 } };
	bitstr_t *narrow = NULL;

	if (!tf)
		goto fini;
	topopack_request_from_resv(node_cnt, &req);
	if (tp_place(topopack_fabric_state(tf, avail_bitmap),
		     TP_POLICY_TOPOPACK, &req, &p, &err)) {
		log_flag(RESERVATION, "reservation %s: no placement of %u whole nodes, left to select/cons_tres: %s",
			 resv_desc_ptr->name, node_cnt, err.text);
		goto fini;
	}
	narrow = topopack_nodes_bitmap(tf, &p, bit_size(avail_bitmap));
fini:
	tp_placement_clear(&p);
	topopack_fabric_unlock();
	return narrow;
}

extern bitstr_t *topopack_pick_resv(slurm_select_ops_t *cons,
				    resv_desc_msg_t *resv_desc_ptr,
				    uint32_t node_cnt, bitstr_t *avail_bitmap,
				    bitstr_t **core_bitmap)
{
	bitstr_t *narrow = NULL, *picked = NULL;

	/* Core counts and first-cores reservations are about cores. */
	if (node_cnt && !resv_desc_ptr->core_cnt &&
	    !(resv_desc_ptr->flags & RESERVE_FLAG_FIRST_CORES))
		narrow = _plan_resv(resv_desc_ptr, node_cnt, avail_bitmap);
	if (narrow) {
		/* cons_tres changes the bitmap it gets; avail_bitmap is
		 * kept for the last try. */
		picked = (*cons->resv_test)(resv_desc_ptr, node_cnt, narrow,
					    core_bitmap);
		FREE_NULL_BITMAP(narrow);
		if (picked)
			return picked;
		log_flag(RESERVATION, "reservation %s: select/cons_tres refused the placement, every available node offered",
			 resv_desc_ptr->name);
	}
	return (*cons->resv_test)(resv_desc_ptr, node_cnt, avail_bitmap,
				  core_bitmap);
}
