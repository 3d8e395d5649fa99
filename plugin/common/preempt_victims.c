/*****************************************************************************\
 *  preempt_victims.c - slurmctld's preemptable jobs and node usage as the
 *  input of libtopopack's preemption planner.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <string.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"

#include "preempt_victims.h"
#include "slurm_gpus.h"
#include "topopack_request.h"

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

extern void preempt_victims_free(preempt_victims_t *vs)
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

typedef struct {
	const slurm_fabric_t *sf;
	time_t now;
	int cap;
	preempt_victims_t *vs;
} victims_arg_t;

/* One candidate as a victim, when it holds nodes of the fabric. */
static int _victim(void *x, void *arg)
{
	job_record_t *job_ptr = x;
	victims_arg_t *a = arg;
	const slurm_fabric_t *sf = a->sf;
	preempt_victims_t *vs = a->vs;
	tp_victim_t *v = &vs->v[vs->nv];
	int *node, *gpus, n = 0, k = 0, first, last;

	if (!job_ptr->node_bitmap || (vs->nv >= a->cap))
		return 0;
	first = bit_ffs(job_ptr->node_bitmap);
	last = bit_fls(job_ptr->node_bitmap);
	if (first < 0)
		return 0;
	node = xcalloc(last - first + 2, sizeof(int));
	gpus = xcalloc(last - first + 2, sizeof(int));
	for (int i = first; i <= last; i++) {
		int f;

		if (!bit_test(job_ptr->node_bitmap, i))
			continue;
		f = (i < sf->slurm_count) ? sf->to_fabric[i] : -1;
		if (f >= 0) {
			node[n] = f;
			gpus[n++] = topopack_job_node_gpus(
				job_ptr, i, k, tp_fabric_node_gpus(sf->fabric, f));
		}
		k++;
	}
	if (!n) {
		xfree(node);
		xfree(gpus);
		return 0;
	}
	v->id = job_ptr->job_id;
	v->nnodes = n;
	v->node = node;
	v->gpus = gpus;
	vs->gpus[vs->nv] = gpus;
	v->exclusive = topopack_request_exclusive(job_ptr);
	v->priority = job_ptr->priority;
	v->run_seconds = tp_lost_seconds(
		(job_ptr->start_time && (a->now > job_ptr->start_time)) ?
		difftime(a->now, job_ptr->start_time) : 0,
		_checkpoint_interval(job_ptr));
	v->preemptable = true;
	vs->job[vs->nv++] = job_ptr;
	return 0;
}

extern void preempt_victims(const slurm_fabric_t *sf, list_t *candidates,
			    time_t now, preempt_victims_t *vs)
{
	victims_arg_t arg = {
		.sf = sf, .now = now, .cap = list_count(candidates), .vs = vs
	};

	vs->nv = 0;
	vs->v = xcalloc(arg.cap + 1, sizeof(tp_victim_t));
	vs->job = xcalloc(arg.cap + 1, sizeof(job_record_t *));
	vs->gpus = xcalloc(arg.cap + 1, sizeof(int *));
	(void) list_for_each(candidates, _victim, &arg);
}

extern tp_state_t *preempt_victims_state(const slurm_fabric_t *sf,
					 preempt_victims_t *vs)
{
	int n = sf->nnodes;
	int *vcount = xcalloc(n + 1, sizeof(int));
	int *vexcl = xcalloc(n + 1, sizeof(int));
	int *vgpus = xcalloc(n + 1, sizeof(int));	/* victims' GPUs */
	int *left = xcalloc(n + 1, sizeof(int));
	int *others = xcalloc(n + 1, sizeof(int));	/* GPUs */
	bool *other_jobs = xcalloc(n + 1, sizeof(bool));
	tp_state_t *state = tp_state_new(sf->fabric);

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
		int s = sf->to_slurm[f], cap = tp_fabric_node_gpus(sf->fabric, f);
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
		int s = sf->to_slurm[f];
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
		int s = sf->to_slurm[f];

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

