/*****************************************************************************\
 *  sim_stats.c - the summary of one replay.
 *
 *  Utilisation is the trace's work (GPUs x run time as the trace gives
 *  it) over the GPUs x the time from the first submission to the last
 *  end: work lost to preemption and time lost to slow placements
 *  (--stretch) do not count as use. Waits and slowdowns are over the
 *  jobs that ran (from submission to the start of their last run); locality figures are over the multi-node
 *  jobs, the only ones a placement policy can scatter. Percentiles are
 *  nearest-rank.
 *
 *  With failures, the large jobs' figures: effective training time (work
 *  at full speed over GPUs x the time from first start to end), and what
 *  recovery cost them (waits from failure to restart, slower placements
 *  after, work of the jobs preempted for them) apart from the work since
 *  the last checkpoint, which no scheduler can save.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* Bounded slowdown counts run times under this as this long. */
#define SLOWDOWN_BOUND_S 10.0

static int _cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return (x > y) - (x < y);
}

/* RET the nearest-rank percentile q (0..1) of v[0..n), sorting v. */
static double _percentile(double *v, long n, double q)
{
	long k;

	if (n <= 0)
		return NAN;
	qsort(v, n, sizeof(double), _cmp_double);
	k = (long) ceil(q * n) - 1;
	if (k < 0)
		k = 0;
	return v[k];
}

/* The failure figures of st, over the jobs of large_gpus GPUs or more. */
static void _failures(const sim_result_t *res, const sim_trace_t *trace,
		      int large_gpus, sim_stats_t *st)
{
	double *delay = malloc(sizeof(double) * (res->nrestarts + 1));
	double *room = malloc(sizeof(double) * (res->nrestarts + 1));
	double work = 0, held = 0, before = 0, after = 0, span;
	long nd = 0, nr = 0;

	st->node_failures = res->node_failures;
	for (int i = 0; i < res->count; i++) {
		const sim_outcome_t *o = &res->job[i];
		const sim_job_t *j = &trace->job[i];

		if (j->gpus < large_gpus || !o->ran)
			continue;
		st->recovery_wait_gpu_h += o->recovery_wait_gpu_s / 3600;
		st->recovery_slow_gpu_h += o->recovery_slow_gpu_s / 3600;
		st->recovery_preempt_gpu_h +=
			o->recovery_victims_gpu_s / 3600;
		st->ckpt_lost_gpu_h += o->ckpt_lost_gpu_s / 3600;
		st->large_job_failures += o->failures;
		st->large_jobs++;
		work += j->gpus * j->duration;
		held += j->gpus * (o->end - o->first_start);
		if (!o->failures)
			continue;
		st->large_jobs_hit++;
		before += o->leaves_before;
		after += o->leaves;
	}
	st->recovery_loss_gpu_h = st->recovery_wait_gpu_h +
		st->recovery_slow_gpu_h + st->recovery_preempt_gpu_h;
	st->ett_large = held > 0 ? work / held : NAN;
	st->leaves_before_failure = st->large_jobs_hit ?
		before / st->large_jobs_hit : NAN;
	st->leaves_after_recovery = st->large_jobs_hit ?
		after / st->large_jobs_hit : NAN;
	for (long k = 0; delay && room && k < res->nrestarts; k++) {
		const sim_restart_t *r = &res->restart[k];

		if (trace->job[r->job].gpus < large_gpus || isnan(r->restart))
			continue;
		delay[nd++] = r->restart - r->fail;
		if (r->room)
			room[nr++] = r->restart - r->fail;
	}
	st->recovery_delay_p50_s = _percentile(delay, nd, 0.5);
	st->recovery_delay_p95_s = _percentile(delay, nd, 0.95);
	st->recovery_delay_p95_room_s = _percentile(room, nr, 0.95);
	span = res->last_end - res->first_submit;
	st->spare_cost_gpu_h = (res->spare_gpus * span -
				res->spare_used_gpu_s) / 3600;
	free(delay);
	free(room);
}

extern void sim_stats(const tp_fabric_t *fabric, const sim_result_t *res,
		      const sim_trace_t *trace, sim_stats_t *st)
{
	sim_stats_large(fabric, res, trace, SIM_LARGE_GPUS, st);
}

extern void sim_stats_large(const tp_fabric_t *fabric,
			    const sim_result_t *res, const sim_trace_t *trace,
			    int large_gpus, sim_stats_t *st)
{
	double *wait = malloc(sizeof(double) * (res->count + 1));
	double *eff = malloc(sizeof(double) * (res->count + 1));
	double *bw = malloc(sizeof(double) * (res->count + 1));
	double span = res->last_end - res->first_submit, slow = 0;
	double wsum = 0, leaves = 0, domains = 0, hops = 0, work = 0;
	long ran = 0, multi = 0, min_span = 0;

	memset(st, 0, sizeof(*st));
	for (int i = 0; wait && eff && bw && i < res->count; i++) {
		const sim_outcome_t *o = &res->job[i];
		double w, run;

		if (!o->ran)
			continue;
		w = o->start - trace->job[i].submit;
		run = o->end - o->start;
		work += trace->job[i].duration * trace->job[i].gpus;
		wait[ran++] = w;
		wsum += w;
		slow += fmax(1.0, (w + run) / fmax(run, SLOWDOWN_BOUND_S));
		if (o->nodes < 2)
			continue;
		leaves += o->leaves;
		domains += o->domains;
		hops += o->max_hops;
		min_span += o->leaves <= o->min_leaves;
		bw[multi] = o->busbw_gbs;
		eff[multi++] = o->efficiency;
	}
	st->utilization = span > 0 ?
		work / (tp_fabric_gpu_count(fabric) * span) : 0;
	st->mean_wait_s = ran ? wsum / ran : NAN;
	st->p95_wait_s = _percentile(wait, ran, 0.95);
	st->bounded_slowdown = ran ? slow / ran : NAN;
	st->multi_node_jobs = multi;
	st->min_span_fraction = multi ? (double) min_span / multi : NAN;
	st->mean_leaves = multi ? leaves / multi : NAN;
	st->mean_domains = multi ? domains / multi : NAN;
	st->mean_max_hops = multi ? hops / multi : NAN;
	st->efficiency_p5 = _percentile(eff, multi, 0.05);
	st->efficiency_median = _percentile(eff, multi, 0.5);
	st->busbw_p5_gbs = _percentile(bw, multi, 0.05);
	st->busbw_median_gbs = _percentile(bw, multi, 0.5);
	st->preemptions = res->preemptions;
	st->lost_gpu_s = res->lost_gpu_s;
	st->wall_s = res->wall_s;
	_failures(res, trace, large_gpus, st);
	free(wait);
	free(eff);
	free(bw);
}
