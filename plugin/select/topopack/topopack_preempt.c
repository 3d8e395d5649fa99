/*****************************************************************************\
 *  topopack_preempt.c - which jobs to preempt, chosen by libtopopack's
 *  preemption planner, carried into select/cons_tres.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/preempt.h"
#include "src/slurmctld/slurmctld.h"

#include "preempt_tally.h"
#include "preempt_victims.h"
#include "topopack_fabric.h"
#include "topopack_hold.h"
#include "topopack_nodes.h"
#include "topopack_preempt.h"
#include "topopack_request.h"

/*****************************************************************************\
 *  Slurm records
\*****************************************************************************/

static bool _removable(job_record_t *job_ptr)
{
	uint16_t mode = slurm_job_preempt_mode(job_ptr);

	return (mode == PREEMPT_MODE_REQUEUE) || (mode == PREEMPT_MODE_CANCEL);
}

/* A job holding resources: running, suspended, or still completing. */
static bool _holds(job_record_t *job_ptr)
{
	return IS_JOB_RUNNING(job_ptr) || IS_JOB_SUSPENDED(job_ptr) ||
		IS_JOB_COMPLETING(job_ptr);
}

/*****************************************************************************\
 *  Offering a plan to cons_tres
\*****************************************************************************/

static bool _in(const uint32_t *id, int count, uint32_t job_id)
{
	for (int k = 0; k < count; k++)
		if (id[k] == job_id)
			return true;
	return false;
}

/* The candidates whose id is listed, in the candidates' order; NULL when
 * none is. */
static List _only(List candidates, const uint32_t *id, int count)
{
	List out = NULL;
	job_record_t *job_ptr;
	ListIterator iter;

	if (!candidates)
		return NULL;
	iter = list_iterator_create(candidates);
	while ((job_ptr = list_next(iter))) {
		if (!_in(id, count, job_ptr->job_id))
			continue;
		if (!out)
			out = list_create(NULL);
		list_append(out, job_ptr);
	}
	list_iterator_destroy(iter);
	return out;
}

/* "A,B,C" of a list of jobs. */
static char *_ids_of_list(List jobs)
{
	char *out = NULL, *sep = "";
	job_record_t *job_ptr;
	ListIterator iter;

	if (!jobs)
		return xstrdup("");
	iter = list_iterator_create(jobs);
	while ((job_ptr = list_next(iter))) {
		xstrfmtcat(out, "%s%u", sep, job_ptr->job_id);
		sep = ",";
	}
	list_iterator_destroy(iter);
	return out ? out : xstrdup("");
}

static char *_ids(const uint32_t *id, int count)
{
	char *out = NULL;

	for (int k = 0; k < count; k++)
		xstrfmtcat(out, "%s%u", k ? "," : "", id[k]);
	return out ? out : xstrdup("");
}

/*****************************************************************************\
 *  Held plans
\*****************************************************************************/

typedef struct {
	time_t now;
} _prune_arg_t;

/* Keep holds of jobs that still wait, for at most the maximum age. */
static bool _keep(const topopack_hold_t *hold, void *arg)
{
	_prune_arg_t *pa = arg;
	job_record_t *job_ptr = find_job_record(hold->job_id);

	if (!job_ptr || !IS_JOB_PENDING(job_ptr))
		return false;
	if (difftime(pa->now, hold->made) > TOPOPACK_HOLD_MAX_AGE) {
		info("topopack: preemption plan for JobId=%u dropped: older than %d s",
		     hold->job_id, TOPOPACK_HOLD_MAX_AGE);
		return false;
	}
	return true;
}

typedef struct {
	const topopack_hold_t *hold;
	uint32_t self;
	job_record_t *intruder;
} _intruder_arg_t;

/* A job that took resources on the plan's nodes after the plan. */
static int _find_intruder(void *x, void *arg)
{
	job_record_t *job_ptr = x;
	_intruder_arg_t *ia = arg;

	if ((job_ptr->job_id == ia->self) || !job_ptr->node_bitmap ||
	    !(IS_JOB_RUNNING(job_ptr) || IS_JOB_SUSPENDED(job_ptr)) ||
	    (job_ptr->start_time <= ia->hold->made) ||
	    (bit_size(job_ptr->node_bitmap) != bit_size(ia->hold->nodes)) ||
	    !bit_overlap_any(job_ptr->node_bitmap, ia->hold->nodes))
		return 0;
	ia->intruder = job_ptr;
	return 1;
}

/*
 * Does the held plan still apply? OUT draining - victims still holding
 * resources from before the plan. OUT why - when not.
 */
static bool _hold_valid(const topopack_hold_t *hold, job_record_t *job_ptr,
			time_t now, int *draining, char **why)
{
	_intruder_arg_t ia = { .hold = hold, .self = job_ptr->job_id };
	int i;

	*draining = 0;
	if (difftime(now, hold->made) > TOPOPACK_HOLD_MAX_AGE) {
		*why = xstrdup_printf("older than %d s", TOPOPACK_HOLD_MAX_AGE);
		return false;
	}
	if (bit_size(hold->nodes) != node_record_count) {
		*why = xstrdup("the node table changed");
		return false;
	}
	for (i = 0; i < node_record_count; i++) {
		if (!bit_test(hold->nodes, i))
			continue;
		if (topopack_node_unusable(node_record_table_ptr[i])) {
			*why = xstrdup_printf("node %s is not usable",
					      node_record_table_ptr[i] ?
					      node_record_table_ptr[i]->name :
					      "?");
			return false;
		}
	}
	(void) list_find_first(job_list, _find_intruder, &ia);
	if (ia.intruder) {
		*why = xstrdup_printf("JobId=%u started on its nodes",
				      ia.intruder->job_id);
		return false;
	}
	for (int k = 0; k < hold->nvictims; k++) {
		job_record_t *v = find_job_record(hold->victim[k]);

		if (v && _holds(v) && (v->start_time <= hold->made))
			(*draining)++;
	}
	return true;
}

extern bool topopack_preempt_held(const cons_tres_call_t *call,
				  const topopack_hold_t *hold, int *rc)
{
	job_record_t *job_ptr = call->job_ptr;
	List victims = NULL;
	char *why = NULL;
	int draining;
	bool answered = false;

	if (!_hold_valid(hold, job_ptr, time(NULL), &draining, &why)) {
		info("topopack: preemption plan for %pJ dropped: %s",
		     job_ptr, why);
		topopack_hold_forget(job_ptr->job_id);
		goto fini;
	}
	if (!bit_super_set(hold->nodes, call->node_bitmap)) {
		/* Not every node of the plan is offered in this call (a
		 * subset of the partition's nodes is being tried): wait for
		 * the call that offers them rather than preempt elsewhere. */
		if (call->preemptee_candidates) {
			*rc = SLURM_ERROR;
			answered = true;
		}
		goto fini;
	}
	victims = _only(call->preemptee_candidates, hold->victim,
			hold->nvictims);
	*rc = cons_tres_test_on(call, hold->nodes, true, victims);
	if ((*rc == SLURM_SUCCESS) || draining) {
		log_flag(SELECT_TYPE, "%pJ: held preemption plan: %s (%d victims draining)",
			 job_ptr, (*rc == SLURM_SUCCESS) ? "fits" : "waits",
			 draining);
		answered = true;
	} else {
		info("topopack: preemption plan for %pJ dropped: its victims are gone and the job does not fit its nodes",
		     job_ptr);
		topopack_hold_forget(job_ptr->job_id);
	}
fini:
	FREE_NULL_LIST(victims);
	xfree(why);
	return answered;
}

/*****************************************************************************\
 *  A new plan
\*****************************************************************************/

extern bool topopack_preempt_wanted(const cons_tres_call_t *call)
{
	List candidates = call->preemptee_candidates;
	job_record_t *job_ptr;
	ListIterator iter;
	bool all = true;

	if ((call->mode == SELECT_MODE_TEST_ONLY) || !candidates ||
	    !list_count(candidates))
		return false;
	iter = list_iterator_create(candidates);
	while (all && (job_ptr = list_next(iter)))
		all = _removable(job_ptr);
	list_iterator_destroy(iter);
	if (!all)
		log_flag(SELECT_TYPE, "%pJ: candidates to suspend, preemption left to select/cons_tres",
			 call->job_ptr);
	return all;
}

extern bitstr_t *topopack_preempt_plan(topopack_fabric_t *tf,
				       const cons_tres_call_t *call,
				       const tp_request_t *request,
				       tp_preempt_plan_t *plan)
{
	job_record_t *job_ptr = call->job_ptr;
	bitstr_t *node_bitmap = call->node_bitmap, *nodes = NULL;
	slurm_fabric_t sf = topopack_fabric_slurm(tf);
	preempt_victims_t vs = { 0 };
	tp_state_t *state = NULL;
	uint8_t *usable = NULL;
	tp_request_t req = *request;
	tp_error_t err = { { 0 } };

	memset(plan, 0, sizeof(*plan));
	preempt_victims(&sf, call->preemptee_candidates, time(NULL), &vs);
	if (!(state = preempt_victims_state(&sf, &vs))) {
		info("topopack: %pJ: running jobs do not match the nodes' GPU counts; preemption left to select/cons_tres",
		     job_ptr);
		goto fini;
	}
	usable = xcalloc(tf->nnodes + 1, sizeof(uint8_t));
	for (int f = 0; f < tf->nnodes; f++) {
		int i = tf->to_slurm[f];

		usable[f] = ((i >= 0) && (i < bit_size(node_bitmap)) &&
			     bit_test(node_bitmap, i)) ? 1 : 0;
	}
	req.usable = usable;
	if (tp_preempt_plan(state, &req, vs.v, vs.nv, plan, &err)) {
		if (errno == ENOMEM)
			error("topopack: %pJ: %s; preemption left to select/cons_tres",
			      job_ptr, err.text);
		else
			log_flag(SELECT_TYPE, "%pJ: no preemption plan, left to select/cons_tres: %s",
				 job_ptr, err.text);
		memset(plan, 0, sizeof(*plan));
		goto fini;
	}
	if (plan->cut)
		log_flag(SELECT_TYPE, "%pJ: preemption search cut after %.0f ms; the cheapest plan found by then is used",
			 job_ptr, TP_PREEMPT_BUDGET * 1e3);
	if (!plan->count) {
		log_flag(SELECT_TYPE, "%pJ: preempting cannot place it better than now",
			 job_ptr);
		tp_preempt_plan_clear(plan);
		goto fini;
	}
	nodes = topopack_nodes_bitmap(tf, &plan->placement,
				      bit_size(node_bitmap));
fini:
	tp_state_free(state);
	xfree(usable);
	preempt_victims_free(&vs);
	return nodes;
}

static bool _same_ids(List jobs, const uint32_t *id, int count)
{
	job_record_t *job_ptr;
	ListIterator iter;
	int n = 0;
	bool same = true;

	if (!jobs)
		return count == 0;
	iter = list_iterator_create(jobs);
	while (same && (job_ptr = list_next(iter))) {
		same = _in(id, count, job_ptr->job_id);
		n++;
	}
	list_iterator_destroy(iter);
	return same && (n == count);
}

extern bool topopack_preempt_offer(const cons_tres_call_t *call,
				   bitstr_t *nodes,
				   const tp_preempt_plan_t *plan, int *rc)
{
	job_record_t *job_ptr = call->job_ptr;
	List *preempted = call->preemptee_job_list;
	_prune_arg_t pa = { .now = time(NULL) };
	List victims = _only(call->preemptee_candidates, plan->id,
			     plan->count);
	char *ids = _ids(plan->id, plan->count);
	char *names = bitmap2node_name(nodes), *chosen;
	bool handled = false;

	*rc = cons_tres_test_on(call, nodes, true, victims);
	if (*rc != SLURM_SUCCESS) {
		info("topopack: %pJ: select/cons_tres refused the preemption plan (JobId=%s on %s); Slurm's own choice follows",
		     job_ptr, ids, names);
		goto fini;
	}
	handled = true;
	if ((call->mode != SELECT_MODE_RUN_NOW) || !preempted ||
	    !*preempted || !list_count(*preempted)) {
		log_flag(SELECT_TYPE, "%pJ: preemption plan JobId=%s on %s (%s)",
			 job_ptr, ids, names,
			 (call->mode == SELECT_MODE_RUN_NOW) ?
			 "fits without preempting" : "tested");
		goto fini;
	}
	info("topopack: preempt JobId=%s for JobId=%u nodes=%s lost_gpu_seconds=%.0f",
	     ids, job_ptr->job_id, names, plan->lost_gpu_seconds);
	preempt_tally_add(plan->count, plan->lost_gpu_seconds);
	if (!_same_ids(*preempted, plan->id, plan->count)) {
		chosen = _ids_of_list(*preempted);
		info("topopack: JobId=%u: Slurm preempts JobId=%s of the plan",
		     job_ptr->job_id, chosen);
		xfree(chosen);
	}
	/* Plans of jobs that started, ended or waited too long go first:
	 * holds are only ever added here. */
	topopack_hold_prune(_keep, &pa);
	topopack_hold_put(job_ptr->job_id, nodes, plan->id, plan->count,
			  pa.now);
fini:
	xfree(ids);
	xfree(names);
	FREE_NULL_LIST(victims);
	return handled;
}

extern void topopack_preempt_job_started(job_record_t *job_ptr)
{
	topopack_hold_forget(job_ptr->job_id);
}

extern void topopack_preempt_fini(void)
{
	topopack_hold_clear();
}
