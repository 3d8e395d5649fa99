/*****************************************************************************\
 *  sim.h - the parts of topopack-sim: job traces, the scheduler replay and
 *  what is measured on it.
 *
 *  A trace is read once and replayed once per placement policy, each time
 *  on a fresh state of the same fabric, so that the policies see exactly
 *  the same jobs at the same times.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SIM_H
#define _TOPOPACK_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topopack.h"

/*****************************************************************************\
 *  Traces (sim_trace.c)
\*****************************************************************************/

typedef struct {
	long id;		/* the trace's job id */
	double submit;		/* seconds from the trace's origin */
	double duration;	/* seconds the job runs when it is not slowed */
	int gpus;		/* GPUs in all */
	int nodes;		/* nodes it asks for; 0: as few as fit */
	int priority;		/* higher may preempt lower (--preempt) */
	int line;		/* where it is in the trace file */
} sim_job_t;

typedef struct {
	sim_job_t *job;		/* valid records, in submit order */
	int count;
	int cap;
	long invalid;		/* records with no GPU or no run time */
	long records;		/* job records read, valid or not */
} sim_trace_t;

/*
 * Read a Standard Workload Format file (.swf, plain or gzip) or a CSV file
 * (job_id,submit_s,duration_s,num_gpus,num_nodes[,priority], with or
 * without a header naming those columns, plain or gzip). SWF processors
 * are taken as GPUs, the node count is left open. Only the first max_jobs
 * records are read when max_jobs > 0.
 * RET 0, or -1 with err naming file:line and the problem.
 */
extern int sim_trace_read(const char *path, long max_jobs, sim_trace_t *trace,
			  tp_error_t *err);
extern void sim_trace_free(sim_trace_t *trace);

/*****************************************************************************\
 *  Replay (sim_run.c)
\*****************************************************************************/

/* What becomes of a job when a node under it fails. */
typedef enum {
	SIM_RECOVERY_OFF = 0,	/* no node ever fails */
	SIM_RECOVERY_NONE,	/* stock requeue: all nodes freed, the job
				 * may start again after cred_expire */
	SIM_RECOVERY_EXPEDITE,	/* Slurm 25.11 --requeue=expedite: first in
				 * the queue at once, survivors held, the
				 * placement policy picks the replacement */
	SIM_RECOVERY_TOPOPACK,	/* survivors held, replacement from the
				 * failed node's domain, leaf, the job's
				 * leaves, then anywhere: free node, spare,
				 * then preempting the least work */
} sim_recovery_t;

/* A node failure at a given time (--fail-at). */
typedef struct {
	double t;		/* seconds, on the trace's clock */
	int node;		/* fabric node index */
} sim_fail_t;

typedef struct {
	tp_policy_t policy;
	double bf_interval;	/* seconds between backfill passes; 0: never */
	int bf_depth;		/* queued jobs a backfill pass looks at */
	bool preempt;		/* higher priorities preempt lower ones */
	double stretch;		/* share of run time in all-reduce (0..1) */
	bool timeline;		/* record busy GPUs over time, per leaf */
	/* Failures: all off with SIM_RECOVERY_OFF. */
	sim_recovery_t recovery;
	double node_mtbf_s;	/* mean seconds between failures of a node;
				 * 0: only the failures in fail[] */
	double repair_s;	/* a failed node is down that long */
	double checkpoint_s;	/* a stopped job (failure or preemption)
				 * loses the work since its last checkpoint;
				 * 0: all of its run */
	double cred_expire_s;	/* SIM_RECOVERY_NONE: requeue delay */
	int spares;		/* SIM_RECOVERY_TOPOPACK: nodes per leaf only
				 * preemptable jobs (priority <= 0) and
				 * recoveries may use */
	uint64_t seed;		/* of the failure times */
	const sim_fail_t *fail;	/* failures injected, any order */
	int nfail;
} sim_opts_t;

/* Default failure rate: Llama 3 405B pre-training saw 419 unexpected
 * interruptions in 54 days on 16,384 H100s (2,048 nodes of 8), one per
 * node every 264 days (Dubey et al., "The Llama 3 Herd of Models", 2024). */
#define SIM_NODE_MTBF_H (54.0 * 24 * 2048 / 419)

/* A job counts as preemptable (scavenger work, allowed on spares) at
 * this priority or below. */
#define SIM_PREEMPTABLE_PRIORITY 0

/* What became of one job (its last run when it was preempted). */
typedef struct {
	bool ran;		/* false: skipped, or never started */
	bool too_large;		/* skipped: no empty fabric holds it */
	double start;
	double end;
	int nodes;
	int leaves;
	int domains;
	int max_hops;
	double busbw_gbs;	/* predicted all-reduce bus bandwidth per
				 * GPU, GB/s */
	double efficiency;	/* busbw over the best of its shape */
	double stretch_ratio;	/* busbw over its slowest NIC share: what
				 * the run-time model slows it by */
	int min_leaves;		/* fewest leaves the free state allowed */
	int restarts;		/* times it was preempted */
	double first_start;	/* start of its first run */
	int failures;		/* runs a node failure cut */
	int leaves_before;	/* leaves of the run the first failure cut */
	double ckpt_lost_gpu_s;	/* work since the last checkpoint, lost to
				 * failures (GPUs x wall seconds) */
	double recovery_wait_gpu_s;	/* GPUs x (restart - failure) */
	double recovery_slow_gpu_s;	/* GPUs x time the runs after a
					 * failure lost by running slower
					 * than the run it cut */
	double recovery_victims_gpu_s;	/* work lost by the jobs preempted
					 * to recover it */
} sim_outcome_t;

/* One job's recovery from one node failure. */
typedef struct {
	int job;
	double fail;		/* when the node failed */
	double restart;		/* when the job ran again; NAN: never */
	bool room;		/* at the failure, the failed node's leaf had
				 * a free node, a spare or a job the recovery
				 * could preempt */
} sim_restart_t;

/* One change of the busy GPUs of a leaf (leaf -1: the whole fabric). */
typedef struct {
	double t;
	int leaf;
	int busy;
} sim_step_t;

typedef struct {
	sim_outcome_t *job;	/* per trace job */
	int count;
	long too_large;		/* jobs no empty fabric could hold */
	long stuck;		/* jobs still queued at the end: a bug */
	long preemptions;	/* jobs preempted, counting each time */
	double lost_gpu_s;	/* work preempted jobs lost */
	double first_submit;
	double last_end;
	double wall_s;		/* time the replay took */
	sim_step_t *step;	/* with opts.timeline */
	long nsteps;
	long cap_steps;
	long node_failures;	/* nodes that failed during the replay */
	sim_restart_t *restart;	/* per job hit, per failure */
	long nrestarts;
	long cap_restarts;
	int spare_gpus;		/* GPUs of the spare nodes */
	double spare_used_gpu_s;	/* of them, held by jobs that are not
					 * preemptable (recoveries) */
} sim_result_t;

/*
 * Replay the trace on a fresh state of the fabric: jobs in priority then
 * submit order (FCFS), EASY backfill every bf_interval seconds, with the
 * run times as estimates; with preempt, a job that cannot start preempts
 * lower priorities: topopack through tp_preempt_plan(), the other policies
 * the way cons_tres does (lowest priority first, until the job fits, then
 * only those under the chosen nodes). With a recovery other than
 * SIM_RECOVERY_OFF, nodes fail (every node_mtbf_s on average, drawn from
 * seed, and at the times in fail[]), stay down repair_s, and the jobs on
 * them are recovered as the recovery says (see sim_recovery_t).
 * RET 0, or -1 with err: out of memory (ENOMEM), or a placement the
 *	state refuses (EINVAL: a bug of the policy)
 */
extern int sim_run(const tp_fabric_t *fabric, const sim_trace_t *trace,
		   const sim_opts_t *opts, sim_result_t *out, tp_error_t *err);
extern void sim_result_free(sim_result_t *res);

/* The request a trace job makes: nodes x GPUs when its node count divides
 * its GPUs, its GPUs on exactly that many nodes otherwise, and its GPUs
 * on any number of nodes when the trace has no node count. */
extern void sim_job_request(const sim_job_t *job, tp_request_t *req);

/*****************************************************************************\
 *  Leaves (sim_leaves.c)
\*****************************************************************************/

/* Leaf index of every node, and the leaves' names. */
typedef struct {
	int nnodes;
	int nleaves;
	int *leaf_of;		/* per node */
	const char **name;	/* per leaf */
	int *count;		/* scratch, per leaf */
} sim_leaves_t;

extern int sim_leaves_init(sim_leaves_t *lv, const tp_fabric_t *fabric);
extern void sim_leaves_fini(sim_leaves_t *lv);

/*
 * Fewest leaves whose free GPUs could hold the request in this state: for
 * nodes x GPUs, leaves by number of nodes with that many GPUs free; for a
 * GPU total, leaves by free GPUs. A lower bound any placement meets.
 */
extern int sim_min_leaves(sim_leaves_t *lv, const tp_state_t *state,
			  const tp_request_t *req);

/*****************************************************************************\
 *  Summary (sim_stats.c)
\*****************************************************************************/

typedef struct {
	double utilization;
	double mean_wait_s;
	double p95_wait_s;
	double bounded_slowdown;
	long multi_node_jobs;
	double min_span_fraction;	/* NAN without multi-node jobs */
	double mean_leaves;		/* over multi-node jobs */
	double mean_domains;
	double mean_max_hops;
	double efficiency_p5;		/* placement efficiency */
	double efficiency_median;
	double busbw_p5_gbs;		/* all-reduce bus bandwidth, GB/s */
	double busbw_median_gbs;
	long preemptions;
	double lost_gpu_s;
	double wall_s;
	/* Failures, over the large jobs (>= large_gpus GPUs) but for
	 * node_failures and the spares */
	long node_failures;
	long large_jobs;		/* that ran to their end */
	long large_jobs_hit;		/* of them, cut by a failure */
	long large_job_failures;	/* runs of large jobs cut */
	double ett_large;	/* effective training time: work at full
				 * speed / (GPUs x (end - first start)) */
	double ckpt_lost_gpu_h;	/* since the last checkpoint: no
				 * scheduler saves it */
	double recovery_loss_gpu_h;	/* the three below */
	double recovery_wait_gpu_h;	/* failure to restart */
	double recovery_slow_gpu_h;	/* slower placements after */
	double recovery_preempt_gpu_h;	/* work of jobs preempted for them */
	double recovery_delay_p50_s;
	double recovery_delay_p95_s;
	double recovery_delay_p95_room_s;	/* when the leaf had room */
	double leaves_before_failure;	/* mean over the large jobs hit */
	double leaves_after_recovery;
	double spare_cost_gpu_h;	/* spare GPUs x span, less what
					 * recoveries held of them */
} sim_stats_t;

/* Large jobs, by default: 256 GPUs or more. */
#define SIM_LARGE_GPUS 256

extern void sim_stats(const tp_fabric_t *fabric, const sim_result_t *res,
		      const sim_trace_t *trace, sim_stats_t *st);

/* sim_stats() with another threshold for the large jobs. */
extern void sim_stats_large(const tp_fabric_t *fabric,
			    const sim_result_t *res, const sim_trace_t *trace,
			    int large_gpus, sim_stats_t *st);

/*****************************************************************************\
 *  Plots (sim_svg.c)
\*****************************************************************************/

/*
 * Write into dir: utilization.svg (busy GPUs over time, one line per
 * policy), leaves-cdf.svg (leaves per multi-node job), and for every
 * policy occupancy-NAME.svg (busy share of every leaf over time).
 * RET 0, or -1 with err.
 */
extern int sim_svg_write(const char *dir, const tp_fabric_t *fabric,
			 const sim_leaves_t *lv, const char *const *names,
			 const sim_result_t *res, int npolicies,
			 tp_error_t *err);

#endif /* _TOPOPACK_SIM_H */
