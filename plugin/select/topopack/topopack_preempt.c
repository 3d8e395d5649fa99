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

#include "topopack_fabric.h"
#include "topopack_hold.h"
#include "topopack_nodes.h"
#include "topopack_preempt.h"
#include "topopack_request.h"

/*
 * slurmctld's own symbols. Client commands and slurmd load this plugin
 * too (and never call into this file there), so the references are weak:
 * dlopen() must not fail on them where slurmctld is not the program.
 */
#pragma weak job_list
#pragma weak find_job_record
#pragma weak slurm_job_preempt_mode

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

/* The checkpoint interval the job declared (--topopack-checkpoint, kept
 * in its job control environment), or 0. The variable can be set by hand
 * (sbatch --export does not filter it), so it is read as strictly as the
 * option: anything else counts as no checkpoint, and is said once. */
static double _checkpoint_interval(job_record_t *job_ptr)
{
	size_t len = strlen(TP_CHECKPOINT_ENV);

	for (uint32_t i = 0; i < job_ptr->spank_job_env_size; i++) {
		const char *e = job_ptr->spank_job_env[i];
		long v;

		if (!e || strncmp(e, TP_CHECKPOINT_ENV, len) || e[len] != '=')
			continue;
		if ((v = tp_checkpoint_parse(e + len + 1)) > 0)
			return v;
		log_flag(SELECT_TYPE, "%pJ: %s=%.40s is not 1 to %ld whole seconds; no checkpoint counted",
			 job_ptr, TP_CHECKPOINT_ENV, e + len + 1,
			 TP_CHECKPOINT_MAX);
		return 0;
	}
	return 0;
}

/*****************************************************************************\
 *  The planner's input
\*****************************************************************************/

typedef struct {
	int nv;
	tp_victim_t *v;
	job_record_t **job;	/* Slurm's record of each victim */
	int **gpus;		/* v[j].gpus, writable */
} _victims_t;

static void _victims_free(_victims_t *vs)
{
	for (int j = 0; j < vs->nv; j++) {
		xfree(vs->v[j].node);
		xfree(vs->gpus[j]);
	}
	xfree(vs->v);
	xfree(vs->gpus);
	xfree(vs->job);
	vs->nv = 0;
}

/* Every candidate with nodes in the fabric as a tp_victim_t. */
static void _victims(topopack_fabric_t *tf, List candidates, time_t now,
		     _victims_t *vs)
{
	int cap = list_count(candidates);
	job_record_t *job_ptr;
	ListIterator iter;

	vs->nv = 0;
	vs->v = xcalloc(cap + 1, sizeof(tp_victim_t));
	vs->job = xcalloc(cap + 1, sizeof(job_record_t *));
	vs->gpus = xcalloc(cap + 1, sizeof(int *));
	iter = list_iterator_create(candidates);
	while ((job_ptr = list_next(iter))) {
		tp_victim_t *v = &vs->v[vs->nv];
		int *node, *gpus, n = 0, k = 0, first, last;

		if (!job_ptr->node_bitmap || (vs->nv >= cap))
			continue;
		first = bit_ffs(job_ptr->node_bitmap);
		last = bit_fls(job_ptr->node_bitmap);
		if (first < 0)
			continue;
		node = xcalloc(last - first + 2, sizeof(int));
		gpus = xcalloc(last - first + 2, sizeof(int));
		for (int i = first; i <= last; i++) {
			int f;

			if (!bit_test(job_ptr->node_bitmap, i))
				continue;
			f = (i < tf->slurm_count) ? tf->to_fabric[i] : -1;
			if (f >= 0) {
				node[n] = f;
				gpus[n++] = topopack_job_node_gpus(
					job_ptr, i, k,
					tp_fabric_node_gpus(tf->fabric, f));
			}
			k++;
		}
		if (!n) {
			xfree(node);
			xfree(gpus);
			continue;
		}
		v->id = job_ptr->job_id;
		v->nnodes = n;
		v->node = node;
		v->gpus = gpus;
		vs->gpus[vs->nv] = gpus;
		v->exclusive = topopack_request_exclusive(job_ptr);
		v->priority = job_ptr->priority;
		v->run_seconds = tp_lost_seconds(
			(job_ptr->start_time && (now > job_ptr->start_time)) ?
			difftime(now, job_ptr->start_time) : 0,
			_checkpoint_interval(job_ptr));
		v->preemptable = true;
		vs->job[vs->nv++] = job_ptr;
	}
	list_iterator_destroy(iter);
}

/*
 * The allocation state with each victim as an allocation of its own and
 * everything else Slurm has given out on a node as one more. Victims'
 * GPU counts are cut to what Slurm still counts on the node; a victim is
 * exclusive only where it is alone on its nodes.
 */
static tp_state_t *_state(topopack_fabric_t *tf, _victims_t *vs)
{
	int n = tf->nnodes;
	int *vcount = xcalloc(n + 1, sizeof(int));
	int *vexcl = xcalloc(n + 1, sizeof(int));
	int *vgpus = xcalloc(n + 1, sizeof(int));	/* victims' GPUs */
	int *left = xcalloc(n + 1, sizeof(int));
	int *others = xcalloc(n + 1, sizeof(int));	/* GPUs */
	bool *other_jobs = xcalloc(n + 1, sizeof(bool));
	tp_state_t *state = tp_state_new(tf->fabric);

	if (!state)
		goto fini;
	for (int j = 0; j < vs->nv; j++)
		for (int i = 0; i < vs->v[j].nnodes; i++) {
			vcount[vs->v[j].node[i]]++;
			vgpus[vs->v[j].node[i]] += vs->v[j].gpus[i];
			if (vs->v[j].exclusive)
				vexcl[vs->v[j].node[i]]++;
		}
	for (int f = 0; f < n; f++) {
		int s = tf->to_slurm[f], cap = tp_fabric_node_gpus(tf->fabric, f);
		node_record_t *node_ptr = (s >= 0) ? node_record_table_ptr[s] : NULL;
		uint64_t used;
		int jobs;

		if (!node_ptr)
			continue;
		{
			uint64_t avail;

			topopack_node_gpus(node_ptr, &avail, &used);
		}
		left[f] = (used > (uint64_t) cap) ? cap : (int) used;
		others[f] = (left[f] > vgpus[f]) ? left[f] - vgpus[f] : 0;
		left[f] -= others[f];	/* what the victims may hold */
		jobs = node_ptr->run_job_cnt + node_ptr->sus_job_cnt;
		other_jobs[f] = (others[f] > 0) || (jobs > vcount[f]) ||
			(node_ptr->no_share_job_cnt > vexcl[f]);
	}
	/* Exclusive only where alone. */
	for (int j = 0; j < vs->nv; j++) {
		tp_victim_t *v = &vs->v[j];

		for (int i = 0; v->exclusive && i < v->nnodes; i++)
			if ((vcount[v->node[i]] > 1) || other_jobs[v->node[i]])
				v->exclusive = false;
	}
	for (int f = 0; f < n; f++) {
		int s = tf->to_slurm[f];
		node_record_t *node_ptr = (s >= 0) ? node_record_table_ptr[s] : NULL;

		if (other_jobs[f] &&
		    tp_state_alloc(state, f, others[f],
				   !vcount[f] && node_ptr &&
				   (node_ptr->no_share_job_cnt > 0)))
			goto fail;
	}
	for (int j = 0; j < vs->nv; j++) {
		tp_victim_t *v = &vs->v[j];

		for (int i = 0; i < v->nnodes; i++) {
			int f = v->node[i];

			if (v->gpus[i] > left[f])
				vs->gpus[j][i] = left[f];
			left[f] -= v->gpus[i];
			if (tp_state_alloc(state, f, v->gpus[i], v->exclusive))
				goto fail;
		}
	}
	for (int f = 0; f < n; f++) {
		int s = tf->to_slurm[f];

		if (topopack_node_unusable((s >= 0) ? node_record_table_ptr[s] : NULL))
			(void) tp_state_set_avail(state, f, TP_NODE_DOWN);
	}
	goto fini;
fail:
	tp_state_free(state);
	state = NULL;
fini:
	xfree(vcount);
	xfree(vexcl);
	xfree(vgpus);
	xfree(left);
	xfree(others);
	xfree(other_jobs);
	return state;
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
	_victims_t vs = { 0 };
	tp_state_t *state = NULL;
	uint8_t *usable = NULL;
	tp_request_t req = *request;
	tp_error_t err = { { 0 } };

	memset(plan, 0, sizeof(*plan));
	_victims(tf, call->preemptee_candidates, time(NULL), &vs);
	if (!(state = _state(tf, &vs))) {
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
	_victims_free(&vs);
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
