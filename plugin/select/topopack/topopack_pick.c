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
#include "topopack_nodes.h"
#include "topopack_pick.h"
#include "topopack_preempt.h"
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

/*
 * The narrowed node sets to offer cons_tres, best first.
 * OUT narrow - up to MAX_NARROW new bitmaps
 * RET how many
 */
static int _plan_job(job_record_t *job_ptr, bitstr_t *node_bitmap,
		     uint32_t min_nodes, uint32_t max_nodes,
		     uint32_t req_nodes, bitstr_t **narrow)
{
	topopack_fabric_t *tf = topopack_fabric_lock();
	tp_placement_t p = { 0 };
	tp_request_t req;
	tp_error_t err = { { 0 } };
	const char *why = NULL;
	bitstr_t *block;
	int count = 0;

	if (!tf)
		goto fini;
	if (topopack_request_from_job(job_ptr, min_nodes, max_nodes,
				      req_nodes, tf->nnodes, &req, &why)) {
		log_flag(SELECT_TYPE, "%pJ: left to select/cons_tres: %s",
			 job_ptr, why);
		goto fini;
	}
	if (tp_place(topopack_fabric_state(tf, node_bitmap),
		     TP_POLICY_TOPOPACK, &req, &p, &err)) {
		_no_placement(job_ptr, &err);
		goto fini;
	}
	narrow[count++] = topopack_nodes_bitmap(tf, &p,
						bit_size(node_bitmap));
	block = topopack_nodes_leaf_block(tf, &p, node_bitmap);
	if (bit_equal(block, narrow[0]))
		FREE_NULL_BITMAP(block);
	else
		narrow[count++] = block;
fini:
	tp_placement_clear(&p);
	topopack_fabric_unlock();
	return count;
}

/*
 * cons_tres on a narrowed node set: no preemption, and in WILL_RUN mode
 * only an answer of "now". On success node_bitmap gets the chosen nodes.
 */
static int _try(slurm_select_ops_t *cons, job_record_t *job_ptr,
		bitstr_t *narrow, bitstr_t *node_bitmap, uint32_t min_nodes,
		uint32_t max_nodes, uint32_t req_nodes, uint16_t mode,
		bitstr_t *exc_core_bitmap)
{
	bitstr_t *nodes = bit_copy(narrow);
	uint64_t now_only = job_ptr->bit_flags & TEST_NOW_ONLY;
	int rc;

	if (mode == SELECT_MODE_WILL_RUN)
		job_ptr->bit_flags |= TEST_NOW_ONLY;
	rc = (*cons->job_test)(job_ptr, nodes, min_nodes, max_nodes,
			       req_nodes, mode, NULL, NULL, exc_core_bitmap);
	job_ptr->bit_flags = (job_ptr->bit_flags & ~TEST_NOW_ONLY) | now_only;
	if (rc == SLURM_SUCCESS)
		bit_copybits(node_bitmap, nodes);
	FREE_NULL_BITMAP(nodes);
	return rc;
}

extern int topopack_pick_job(slurm_select_ops_t *cons, job_record_t *job_ptr,
			     bitstr_t *node_bitmap, uint32_t min_nodes,
			     uint32_t max_nodes, uint32_t req_nodes,
			     uint16_t mode, List preemptee_candidates,
			     List *preemptee_job_list,
			     bitstr_t *exc_core_bitmap)
{
	bitstr_t *narrow[MAX_NARROW] = { NULL };
	int count, rc = SLURM_ERROR;

	if (topopack_preempt_job(cons, job_ptr, node_bitmap, min_nodes,
				 max_nodes, req_nodes, mode,
				 preemptee_candidates, preemptee_job_list,
				 exc_core_bitmap, &rc))
		return rc;
	count = _plan_job(job_ptr, node_bitmap, min_nodes, max_nodes,
			  req_nodes, narrow);
	for (int k = 0; k < count; k++) {
		rc = _try(cons, job_ptr, narrow[k], node_bitmap, min_nodes,
			  max_nodes, req_nodes, mode, exc_core_bitmap);
		_log_nodes(job_ptr, _step_name[k], narrow[k],
			   (rc == SLURM_SUCCESS) ? "taken" :
			   "select/cons_tres cannot fit the job there");
		if (rc == SLURM_SUCCESS)
			goto fini;
	}
	if (count)
		log_flag(SELECT_TYPE, "%pJ: every usable node offered to select/cons_tres",
			 job_ptr);
	rc = (*cons->job_test)(job_ptr, node_bitmap, min_nodes, max_nodes,
			       req_nodes, mode, preemptee_candidates,
			       preemptee_job_list, exc_core_bitmap);
fini:
	for (int k = 0; k < count; k++)
		FREE_NULL_BITMAP(narrow[k]);
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
