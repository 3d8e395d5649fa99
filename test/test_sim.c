/*****************************************************************************\
 *  test_sim.c - topopack-sim: reading traces, the replay's schedule
 *  (FCFS, EASY backfill, preemption, run-time stretch, node failures and
 *  their recovery), the fewest-leaves
 *  bound it judges placements by, and its plots.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"
#include "tp_check.h"

/* Where the tests write their files: a directory main() makes and
 * removes. */
static char _tmpdir[1024];


static const char *_path(const char *name)
{
	return tp_test_data("traces", name);
}

static const char *_write(const char *name, const char *text)
{
	static char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", _tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* leaves x nodes_per_leaf nodes of 8 GPUs under one spine, each leaf
 * with that many uplinks (0: non-blocking). */
static tp_fabric_t *_fabric_up(int leaves, int nodes_per_leaf, int uplinks)
{
	tp_gen_t gen = { .levels = 1, .leaves = leaves,
			 .nodes_per_leaf = nodes_per_leaf, .gpus_per_node = 8,
			 .nvl_nodes = 1, .uplinks_per_leaf = uplinks };
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);

	ck_assert_msg(f != NULL, "%s", err.text);
	return f;
}

static tp_fabric_t *_fabric(int leaves, int nodes_per_leaf)
{
	return _fabric_up(leaves, nodes_per_leaf, 0);
}

/* A trace of n jobs: {submit, duration, gpus, nodes, priority} each. */
static sim_trace_t _trace(const double (*row)[5], int n)
{
	sim_trace_t t = { 0 };

	t.job = calloc(n, sizeof(sim_job_t));
	ck_assert_ptr_nonnull(t.job);
	for (int i = 0; i < n; i++)
		t.job[i] = (sim_job_t) { .id = i, .submit = row[i][0],
					 .duration = row[i][1],
					 .gpus = (int) row[i][2],
					 .nodes = (int) row[i][3],
					 .priority = (int) row[i][4],
					 .line = i + 1 };
	t.count = t.cap = n;
	t.records = n;
	return t;
}

static sim_result_t _run(const tp_fabric_t *f, const sim_trace_t *t,
			 tp_policy_t policy, double bf_interval, bool preempt,
			 double stretch)
{
	sim_opts_t o = { .policy = policy, .bf_interval = bf_interval,
			 .bf_depth = 100, .preempt = preempt,
			 .stretch = stretch, .timeline = true };
	sim_result_t r;
	tp_error_t err;

	ck_assert_msg(!sim_run(f, t, &o, &r, &err), "%s", err.text);
	ck_assert_int_eq(r.stuck, 0);
	return r;
}

/*****************************************************************************\
 *  Traces
\*****************************************************************************/

START_TEST(test_csv_header)
{
	sim_trace_t t;
	tp_error_t err;
	const char *p = _write("h.csv",
		"num_gpus,submit_s,job_id,duration_s,num_nodes,priority,extra\n"
		"16,5.0,7,100,2,3,x\n"
		"8,1.5,8,50,,0,y\n"
		"0,2,9,10,1,0,z\n"
		"4,3,10,-1,1,0,z\n");

	ck_assert_msg(!sim_trace_read(p, 0, &t, &err), "%s", err.text);
	ck_assert_int_eq(t.records, 4);
	ck_assert_int_eq(t.invalid, 2);
	ck_assert_int_eq(t.count, 2);
	/* sorted by submission */
	ck_assert_int_eq(t.job[0].id, 8);
	ck_assert_int_eq(t.job[0].nodes, 0);
	ck_assert_int_eq(t.job[0].line, 3);
	ck_assert_int_eq(t.job[1].id, 7);
	ck_assert_int_eq(t.job[1].gpus, 16);
	ck_assert_int_eq(t.job[1].nodes, 2);
	ck_assert_int_eq(t.job[1].priority, 3);
	ck_assert(t.job[1].submit == 5.0 && t.job[1].duration == 100);
	sim_trace_free(&t);
}
END_TEST

START_TEST(test_csv_plain)
{
	sim_trace_t t;
	tp_error_t err;
	const char *p = _write("p.csv", "# comment\n1,0,60,8,1\n2,10,60,32,4,5\n");

	ck_assert_msg(!sim_trace_read(p, 0, &t, &err), "%s", err.text);
	ck_assert_int_eq(t.count, 2);
	ck_assert_int_eq(t.job[1].gpus, 32);
	ck_assert_int_eq(t.job[1].nodes, 4);
	ck_assert_int_eq(t.job[1].priority, 5);
	sim_trace_free(&t);
}
END_TEST

START_TEST(test_trace_errors)
{
	sim_trace_t t;
	tp_error_t err;
	char want[4200];
	const char *p;

	p = _write("bad.csv", "job_id,submit_s,duration_s,num_gpus\n1,0,5,8\n2,1,x,8\n");
	ck_assert_int_eq(sim_trace_read(p, 0, &t, &err), -1);
	snprintf(want, sizeof(want),
		 "%s:3: duration_s is not a number: \"x\"", p);
	ck_assert_str_eq(err.text, want);

	p = _write("nocol.csv", "job_id,submit_s,num_gpus\n1,0,8\n");
	ck_assert_int_eq(sim_trace_read(p, 0, &t, &err), -1);
	snprintf(want, sizeof(want), "%s:1: header has no column duration_s",
		 p);
	ck_assert_str_eq(err.text, want);

	p = _write("bad.swf", "; header\n1 0 0 10 8 -1 -1 8\n2 5 0 ten 8 -1 -1 8\n");
	ck_assert_int_eq(sim_trace_read(p, 0, &t, &err), -1);
	snprintf(want, sizeof(want),
		 "%s:3: field 4 is not a number: \"ten\"", p);
	ck_assert_str_eq(err.text, want);

	p = _write("empty.csv", "job_id,submit_s,duration_s,num_gpus\n");
	ck_assert_int_eq(sim_trace_read(p, 0, &t, &err), -1);
	snprintf(want, sizeof(want), "%s: no job records", p);
	ck_assert_str_eq(err.text, want);

	ck_assert_int_eq(sim_trace_read("/nonexistent/t.csv", 0, &t, &err), -1);
	ck_assert_str_eq(err.text, "/nonexistent/t.csv: No such file or directory");

	/* Found by fuzzing: strtod's "nan" and "inf" were times, and a job
	 * number past a long was converted all the same. */
	p = _write("nan.csv", "1,nan,60,8\n");
	ck_assert_int_eq(sim_trace_read(p, 0, &t, &err), -1);
	snprintf(want, sizeof(want), "%s:1: submit_s is not a number: \"nan\"",
		 p);
	ck_assert_str_eq(err.text, want);
	p = _write("inf.swf", "1 0 0 inf 8 -1 -1 8\n");
	ck_assert_int_eq(sim_trace_read(p, 0, &t, &err), -1);
	snprintf(want, sizeof(want), "%s:1: field 4 is not a number: \"inf\"",
		 p);
	ck_assert_str_eq(err.text, want);
	p = _write("big.swf", "1e300 0 0 10 8 -1 -1 8\n");
	ck_assert_int_eq(sim_trace_read(p, 0, &t, &err), -1);
	snprintf(want, sizeof(want), "%s:1: job number out of range", p);
	ck_assert_str_eq(err.text, want);
	p = _write("big.csv", "9.3e18,0,60,8\n");
	ck_assert_int_eq(sim_trace_read(p, 0, &t, &err), -1);
	snprintf(want, sizeof(want), "%s:1: job_id must be a whole number", p);
	ck_assert_str_eq(err.text, want);
	/* Records, but none that can run: an empty trace, not a crash. */
	p = _write("invalid.csv", "1,0,60,0\n");
	ck_assert_int_eq(sim_trace_read(p, 0, &t, &err), 0);
	ck_assert_int_eq(t.records, 1);
	ck_assert_int_eq(t.count, 0);
	sim_trace_free(&t);
}
END_TEST

/* The archive's own files: gzip, ';' headers, requested processors when
 * the allocated count is missing. */
START_TEST(test_swf_archive)
{
	sim_trace_t t;
	tp_error_t err;

	ck_assert_msg(!sim_trace_read(_path("KTH-SP2-1996-2.1-cln.swf.gz"), 0,
				      &t, &err), "%s", err.text);
	ck_assert_int_eq(t.records, 28476);
	/* the one record with no processor count */
	ck_assert_int_eq(t.invalid, 1);
	ck_assert_int_eq(t.job[0].id, 15);
	ck_assert(t.job[0].submit == 599850 && t.job[0].duration == 3477);
	ck_assert_int_eq(t.job[0].gpus, 4);
	sim_trace_free(&t);

	ck_assert_msg(!sim_trace_read(_path("RICC-2010-2.swf.gz"), 1000,
				      &t, &err), "%s", err.text);
	ck_assert_int_eq(t.records, 1000);
	ck_assert_int_eq(t.job[0].id, 1);
	ck_assert_int_eq(t.job[0].gpus, 80);
	ck_assert(t.job[0].duration == 222);
	sim_trace_free(&t);
}
END_TEST

START_TEST(test_csv_shipped)
{
	sim_trace_t t;
	tp_error_t err;

	ck_assert_msg(!sim_trace_read(_path("philly.csv.gz"), 0, &t,
				      &err), "%s", err.text);
	ck_assert_int_eq(t.records, 111549);
	ck_assert_int_eq(t.count + t.invalid, 111549);
	sim_trace_free(&t);
	ck_assert_msg(!sim_trace_read(_path("crux.csv"), 0, &t, &err),
		      "%s", err.text);
	ck_assert_int_eq(t.records, 2498);
	ck_assert_int_eq(t.job[0].gpus, 48);
	ck_assert_int_eq(t.job[0].nodes, 0);
	sim_trace_free(&t);
}
END_TEST

/*****************************************************************************\
 *  Schedule
\*****************************************************************************/

/*
 * 4 nodes of 8 GPUs. J0 takes 3 nodes for 100 s; J1 wants all 4, so it
 * waits until 100 and its reservation blocks J3 (200 s on one node);
 * J2 (50 s on one node) ends before 100 and is backfilled at the first
 * pass, t = 30.
 */
static const double _easy[][5] = {
	{ 0, 100, 24, 3, 0 },
	{ 1, 10, 32, 4, 0 },
	{ 2, 50, 8, 1, 0 },
	{ 3, 200, 8, 1, 0 },
};

START_TEST(test_easy_backfill)
{
	tp_fabric_t *f = _fabric(2, 2);
	sim_trace_t t = _trace(_easy, 4);
	sim_result_t r = _run(f, &t, TP_POLICY_TOPOPACK, 30, false, 0);
	sim_stats_t st;

	ck_assert(r.job[0].start == 0 && r.job[0].end == 100);
	ck_assert(r.job[1].start == 100 && r.job[1].end == 110);
	ck_assert(r.job[2].start == 30 && r.job[2].end == 80);
	ck_assert(r.job[3].start == 110 && r.job[3].end == 310);
	sim_stats(f, &r, &t, &st);
	/* waits 0, 99, 28, 107 */
	ck_assert_double_eq_tol(st.mean_wait_s, 234 / 4.0, 1e-9);
	ck_assert_double_eq_tol(st.p95_wait_s, 107, 1e-9);
	/* busy: 24x100 + 32x10 + 8x50 + 8x200 over 32 GPUs x 310 s */
	ck_assert_double_eq_tol(st.utilization, 4720.0 / (32 * 310), 1e-9);
	ck_assert_int_eq(st.multi_node_jobs, 2);
	sim_result_free(&r);

	/* Without backfill J2 waits for J1 too. */
	r = _run(f, &t, TP_POLICY_TOPOPACK, 0, false, 0);
	ck_assert(r.job[2].start == 110);
	ck_assert(r.job[3].start == 110);
	sim_result_free(&r);
	sim_trace_free(&t);
	tp_fabric_free(f);
}
END_TEST

/* A 2-node job after a 1-node one: topopack keeps it on one leaf (the
 * fewest possible), first fit takes the next nodes in order. */
static const double _span[][5] = {
	{ 0, 100, 8, 1, 0 },
	{ 1, 100, 16, 2, 0 },
	{ 2, 100, 200, 0, 0 },	/* larger than the fabric */
};

START_TEST(test_span_and_skip)
{
	tp_fabric_t *f = _fabric(2, 2);
	sim_trace_t t = _trace(_span, 3);
	sim_result_t r = _run(f, &t, TP_POLICY_TOPOPACK, 30, false, 0);
	sim_stats_t st;

	ck_assert_int_eq(r.too_large, 1);
	ck_assert(r.job[2].too_large && !r.job[2].ran);
	ck_assert_int_eq(r.job[1].leaves, 1);
	ck_assert_int_eq(r.job[1].min_leaves, 1);
	sim_stats(f, &r, &t, &st);
	ck_assert_double_eq(st.min_span_fraction, 1.0);
	sim_result_free(&r);

	r = _run(f, &t, TP_POLICY_FIRST_FIT, 30, false, 0);
	ck_assert_int_eq(r.job[1].leaves, 2);
	ck_assert_int_eq(r.job[1].min_leaves, 1);
	sim_stats(f, &r, &t, &st);
	ck_assert_double_eq(st.min_span_fraction, 0.0);
	ck_assert_double_eq(st.mean_leaves, 2.0);
	sim_result_free(&r);
	sim_trace_free(&t);
	tp_fabric_free(f);
}
END_TEST

/* One node each for an old job (J0) and a young one (J1); J2 has a
 * higher priority and needs a node at t = 100. topopack's planner
 * preempts the young job (8 GPUs x 10 s lost); the cons_tres way takes
 * candidates in order and preempts the old one (8 x 100). */
static const double _pre[][5] = {
	{ 0, 1000, 8, 1, 0 },
	{ 90, 1000, 8, 1, 0 },
	{ 100, 50, 8, 1, 1 },
};

START_TEST(test_preempt)
{
	tp_fabric_t *f = _fabric(1, 2);
	sim_trace_t t = _trace(_pre, 3);
	sim_result_t r = _run(f, &t, TP_POLICY_TOPOPACK, 30, true, 0);

	ck_assert_int_eq(r.preemptions, 1);
	ck_assert_double_eq(r.lost_gpu_s, 80);
	ck_assert_int_eq(r.job[1].restarts, 1);
	ck_assert(r.job[2].start == 100);
	/* requeued, it runs again, whole, when J2 ends */
	ck_assert(r.job[1].start == 150 && r.job[1].end == 1150);
	sim_result_free(&r);

	r = _run(f, &t, TP_POLICY_SLURM_TREE, 30, true, 0);
	ck_assert_int_eq(r.preemptions, 1);
	ck_assert_double_eq(r.lost_gpu_s, 800);
	ck_assert_int_eq(r.job[0].restarts, 1);
	ck_assert(r.job[0].start == 150);
	sim_result_free(&r);

	/* Without --preempt, J2 waits for a job to end. */
	r = _run(f, &t, TP_POLICY_TOPOPACK, 30, false, 0);
	ck_assert_int_eq(r.preemptions, 0);
	ck_assert(r.job[2].start == 1000);
	sim_result_free(&r);
	sim_trace_free(&t);
	tp_fabric_free(f);
}
END_TEST

/* A job over two leaves is slowed by its bus bandwidth against its NICs:
 * the leaf holding one node of 8 GPUs gives 2 x 400 x 8/16 Gb/s to 8
 * rings, 50 Gb/s (6.25 GB/s) of the NICs' 400. Every 3 nodes of this
 * fabric span two leaves that way, so the placement is the best of its
 * shape. */
static const double _stretch[][5] = {
	{ 0, 100, 24, 3, 0 },
};

START_TEST(test_stretch)
{
	tp_fabric_t *f = _fabric_up(2, 2, 2);
	sim_trace_t t = _trace(_stretch, 1);
	sim_result_t r = _run(f, &t, TP_POLICY_TOPOPACK, 30, false, 0.5);
	double ratio = r.job[0].stretch_ratio;

	ck_assert_int_eq(r.job[0].leaves, 2);
	ck_assert_double_eq_tol(ratio, 50.0 / 400, 1e-12);
	ck_assert_double_eq_tol(r.job[0].end, 100 * (0.5 + 0.5 / ratio),
				1e-9);
	ck_assert_double_eq_tol(r.job[0].end, 450, 1e-9);
	ck_assert(r.job[0].efficiency == 1.0);
	ck_assert_double_eq_tol(r.job[0].busbw_gbs, 6.25, 1e-12);
	sim_result_free(&r);
	sim_trace_free(&t);
	tp_fabric_free(f);
}
END_TEST

/*****************************************************************************\
 *  Failures and recovery
\*****************************************************************************/

static sim_result_t _run_opts(const tp_fabric_t *f, const sim_trace_t *t,
			      const sim_opts_t *o)
{
	sim_result_t r;
	tp_error_t err;

	ck_assert_msg(!sim_run(f, t, o, &r, &err), "%s", err.text);
	ck_assert_int_eq(r.stuck, 0);
	return r;
}

/*
 * Two leaves of 5 nodes. J0 (priority 1) takes 4 nodes of leaf 1, the
 * scavenger J1 the fifth, J2 two nodes of leaf 2; node 0 (under J0)
 * fails at t = 1000, and J3 (2 nodes) comes at 1010.
 */
static const double _failjobs[][5] = {
	{ 0, 10000, 32, 4, 1 },
	{ 0, 1000000, 8, 1, 0 },
	{ 0, 1000000, 16, 2, 0 },
	{ 1010, 1000000, 16, 2, 0 },
};

static const sim_fail_t _fail0 = { 1000, 0 };

static sim_opts_t _fail_opts(sim_recovery_t recovery, int spares)
{
	return (sim_opts_t) { .policy = TP_POLICY_TOPOPACK,
			      .bf_interval = 30, .bf_depth = 100,
			      .recovery = recovery, .repair_s = 14400,
			      .checkpoint_s = 1800, .cred_expire_s = 120,
			      .spares = spares, .seed = 1,
			      .fail = &_fail0, .nfail = 1 };
}

START_TEST(test_recovery_policies)
{
	tp_fabric_t *f = _fabric(2, 5);
	sim_trace_t t = _trace(_failjobs, 4);
	sim_opts_t o = _fail_opts(SIM_RECOVERY_NONE, 0);
	sim_result_t r = _run_opts(f, &t, &o);
	sim_stats_t st;

	/* Stock: back after cred_expire, on its old nodes' leaf minus the
	 * ones J3 took at 1010: over both leaves. Its 1000 s since the
	 * start (no checkpoint yet) are lost. */
	ck_assert_int_eq(r.node_failures, 1);
	ck_assert_int_eq(r.job[0].failures, 1);
	ck_assert_int_eq(r.job[0].leaves_before, 1);
	ck_assert(r.job[0].start == 1120 && r.job[0].end == 11120);
	ck_assert_int_eq(r.job[0].leaves, 2);
	ck_assert_int_eq(r.nrestarts, 1);
	ck_assert(r.restart[0].fail == 1000 && r.restart[0].restart == 1120);
	ck_assert_double_eq(r.job[0].ckpt_lost_gpu_s, 32 * 1000);
	ck_assert_double_eq(r.job[0].recovery_wait_gpu_s, 32 * 120);
	ck_assert_int_eq(r.preemptions, 0);
	sim_stats_large(f, &r, &t, 32, &st);
	ck_assert_int_eq(st.large_jobs, 1);
	ck_assert_int_eq(st.large_jobs_hit, 1);
	ck_assert_double_eq_tol(st.ett_large, 10000.0 / 11120, 1e-9);
	ck_assert_double_eq_tol(st.recovery_loss_gpu_h, 32 * 120 / 3600.0,
				1e-9);
	ck_assert_double_eq_tol(st.recovery_delay_p95_s, 120, 1e-9);
	ck_assert_double_eq(st.leaves_after_recovery, 2);
	sim_result_free(&r);

	/* Expedite: at once, its three nodes held, the replacement where
	 * the policy finds a free node: the other leaf. */
	o = _fail_opts(SIM_RECOVERY_EXPEDITE, 0);
	r = _run_opts(f, &t, &o);
	ck_assert(r.job[0].start == 1000 && r.job[0].end == 11000);
	ck_assert_int_eq(r.job[0].leaves, 2);
	ck_assert_int_eq(r.preemptions, 0);
	ck_assert(r.restart[0].restart == 1000);
	sim_result_free(&r);

	/* topopack: at once on its own leaf, preempting the scavenger J1
	 * (8 GPUs x 1000 s, no checkpoint yet). */
	o = _fail_opts(SIM_RECOVERY_TOPOPACK, 0);
	r = _run_opts(f, &t, &o);
	ck_assert(r.job[0].start == 1000 && r.job[0].end == 11000);
	ck_assert_int_eq(r.job[0].leaves, 1);
	ck_assert_int_eq(r.preemptions, 1);
	ck_assert_int_eq(r.job[1].restarts, 1);
	ck_assert_double_eq(r.job[0].recovery_victims_gpu_s, 8 * 1000);
	ck_assert(r.restart[0].room);
	sim_stats_large(f, &r, &t, 32, &st);
	ck_assert_double_eq(st.recovery_delay_p95_room_s, 0);
	ck_assert_double_eq(st.leaves_after_recovery, 1);
	ck_assert_double_eq_tol(st.recovery_preempt_gpu_h, 8000 / 3600.0,
				1e-9);
	ck_assert_double_eq(st.recovery_wait_gpu_h, 0);
	sim_result_free(&r);

	/* With a spare per leaf: at once on its own leaf again, from the
	 * spare or by preempting the scavenger there. */
	o = _fail_opts(SIM_RECOVERY_TOPOPACK, 1);
	r = _run_opts(f, &t, &o);
	ck_assert(r.job[0].start == 1000);
	ck_assert_int_eq(r.job[0].leaves, 1);
	ck_assert_int_eq(r.spare_gpus, 16);
	sim_result_free(&r);
	sim_trace_free(&t);
	tp_fabric_free(f);
}
END_TEST

/*
 * Three leaves of 4 nodes behind 8 uplinks each (4:1). J0 fills one leaf,
 * J1 (its priority: not preemptable for it) another; node 0 under J0
 * fails at 1000. No node of J0's leaf is left: its survivors plus a node
 * of the free leaf would span two oversubscribed leaves, so topopack
 * restarts it whole on the free leaf, which costs no work (a requeued
 * job restarts from its checkpoint wherever it runs). Expedite keeps the
 * survivors and spans two leaves.
 */
static const double _wholeleaf[][5] = {
	{ 0, 10000, 32, 4, 1 },
	{ 0, 1000000, 32, 4, 1 },
};

START_TEST(test_recovery_moves_whole)
{
	tp_fabric_t *f = _fabric_up(3, 4, 8);
	sim_trace_t t = _trace(_wholeleaf, 2);
	sim_opts_t o = _fail_opts(SIM_RECOVERY_TOPOPACK, 0);
	sim_result_t r = _run_opts(f, &t, &o);

	ck_assert_int_eq(r.job[0].failures, 1);
	ck_assert_int_eq(r.job[0].leaves_before, 1);
	ck_assert_int_eq(r.job[0].leaves, 1);
	ck_assert(r.job[0].start == 1000 && r.restart[0].restart == 1000);
	ck_assert_int_eq(r.preemptions, 0);
	ck_assert_int_eq(r.job[1].restarts, 0);
	sim_result_free(&r);

	o = _fail_opts(SIM_RECOVERY_EXPEDITE, 0);
	r = _run_opts(f, &t, &o);
	ck_assert(r.job[0].start == 1000);
	ck_assert_int_eq(r.job[0].leaves, 2);
	sim_result_free(&r);
	sim_trace_free(&t);
	tp_fabric_free(f);
}
END_TEST

/* A one-node job, checkpointing every 1800 s, fails at 4000: it keeps
 * 3600 s of work and loses 400. */
static const double _ckpt[][5] = {
	{ 0, 10000, 8, 1, 0 },
};

START_TEST(test_recovery_checkpoint)
{
	tp_fabric_t *f = _fabric(1, 2);
	sim_trace_t t = _trace(_ckpt, 1);
	sim_fail_t fail = { 4000, 0 };
	sim_opts_t o = _fail_opts(SIM_RECOVERY_TOPOPACK, 0);
	sim_result_t r;

	o.fail = &fail;
	r = _run_opts(f, &t, &o);
	ck_assert(r.job[0].start == 4000);
	ck_assert_double_eq_tol(r.job[0].end, 4000 + 6400, 1e-6);
	ck_assert_double_eq_tol(r.job[0].ckpt_lost_gpu_s, 8 * 400, 1e-6);
	ck_assert(r.job[0].first_start == 0);
	sim_result_free(&r);

	/* Without checkpoints the whole run is lost. */
	o.checkpoint_s = 0;
	r = _run_opts(f, &t, &o);
	ck_assert_double_eq_tol(r.job[0].end, 4000 + 10000, 1e-6);
	sim_result_free(&r);
	sim_trace_free(&t);
	tp_fabric_free(f);
}
END_TEST

/* Random failures: the same with the same seed, under every policy
 * (they do not depend on the schedule), others with another seed. */
START_TEST(test_failures_seeded)
{
	tp_fabric_t *f = _fabric(16, 8);
	sim_trace_t t;
	tp_error_t err;
	sim_opts_t o = _fail_opts(SIM_RECOVERY_TOPOPACK, 0);
	sim_result_t a, b, c;

	ck_assert_msg(!sim_trace_read(_path("crux.csv"), 300, &t, &err),
		      "%s", err.text);
	o.fail = NULL;
	o.nfail = 0;
	o.node_mtbf_s = 24 * 3600;
	a = _run_opts(f, &t, &o);
	b = _run_opts(f, &t, &o);
	ck_assert_int_gt(a.node_failures, 10);
	ck_assert_int_eq(a.node_failures, b.node_failures);
	ck_assert_int_eq(a.nrestarts, b.nrestarts);
	for (long k = 0; k < a.nrestarts; k++)
		ck_assert(a.restart[k].fail == b.restart[k].fail &&
			  a.restart[k].job == b.restart[k].job);
	for (int i = 0; i < a.count; i++)
		ck_assert(a.job[i].end == b.job[i].end);
	o.seed = 2;
	c = _run_opts(f, &t, &o);
	ck_assert(c.nrestarts != a.nrestarts ||
		  (a.nrestarts && c.restart[0].fail != a.restart[0].fail));
	sim_result_free(&a);
	sim_result_free(&b);
	sim_result_free(&c);
	/* The first failure is the same under another recovery. */
	o.seed = 1;
	o.recovery = SIM_RECOVERY_NONE;
	a = _run_opts(f, &t, &o);
	o.recovery = SIM_RECOVERY_EXPEDITE;
	b = _run_opts(f, &t, &o);
	ck_assert(a.nrestarts && b.nrestarts &&
		  a.restart[0].fail == b.restart[0].fail);
	sim_result_free(&a);
	sim_result_free(&b);
	sim_trace_free(&t);
	tp_fabric_free(f);
}
END_TEST

/*****************************************************************************\
 *  The fewest-leaves bound
\*****************************************************************************/

/* On two-level trees topopack uses the fewest leaves possible, so on
 * random states the bound must equal topopack's leaf count, and a
 * brute-force count over leaf subsets. */
START_TEST(test_min_leaves_exact)
{
	tp_fabric_t *f = _fabric(4, 4);
	sim_leaves_t lv;
	int checked = 0;

	tp_test_seed = 11;
	ck_assert_int_eq(sim_leaves_init(&lv, f), 0);
	ck_assert_int_eq(lv.nleaves, 4);
	for (int round = 0; round < 2000; round++) {
		tp_state_t *s = tp_state_new(f);
		tp_request_t req = { .nodes = 1 + tp_test_rand(8),
				     .gpus_per_node = 1 + tp_test_rand(8) };
		tp_placement_t p = { 0 };
		tp_metrics_t m;
		int bound, brute = -1;

		for (int n = 0; n < 16; n++)
			tp_state_alloc(s, n, tp_test_rand(9), false);
		bound = sim_min_leaves(&lv, s, &req);
		for (int mask = 1; mask < 16; mask++) {
			int nodes = 0, k = __builtin_popcount(mask);

			for (int n = 0; n < 16; n++)
				nodes += (mask >> (n / 4) & 1) &&
					tp_state_node_free_gpus(s, n) >=
					req.gpus_per_node;
			if (nodes >= req.nodes && (brute < 0 || k < brute))
				brute = k;
		}
		ck_assert_int_eq(bound, brute);
		if (!tp_place(s, TP_POLICY_TOPOPACK, &req, &p, NULL)) {
			tp_metrics(s, &p, &m);
			ck_assert_int_eq(m.leaves, bound);
			checked++;
		} else {
			ck_assert_int_eq(bound, -1);
		}
		tp_placement_clear(&p);
		tp_state_free(s);
	}
	ck_assert_int_gt(checked, 500);
	sim_leaves_fini(&lv);
	tp_fabric_free(f);
}
END_TEST

/*****************************************************************************\
 *  Shipped traces
\*****************************************************************************/

/*
 * topopack against the stock model on real traces: every multi-node job
 * on the fewest leaves its start allowed, no more leaves on average than
 * stock, and utilisation no lower than stock's by more than 0.02.
 */
static void _targets(const char *trace, long max_jobs, tp_gen_t gen)
{
	tp_error_t err;
	tp_fabric_t *f = tp_fabric_generate(&gen, &err);
	sim_trace_t t;
	sim_result_t r[2];
	sim_stats_t st[2];
	tp_policy_t pol[2] = { TP_POLICY_TOPOPACK, TP_POLICY_SLURM_TREE };

	ck_assert_msg(f != NULL, "%s", err.text);
	ck_assert_msg(!sim_trace_read(_path(trace), max_jobs,
				      &t, &err), "%s", err.text);
	for (int p = 0; p < 2; p++) {
		r[p] = _run(f, &t, pol[p], 30, false, 0);
		sim_stats(f, &r[p], &t, &st[p]);
		ck_assert_int_eq(r[p].too_large, 0);
	}
	ck_assert_int_gt(st[0].multi_node_jobs, 100);
	ck_assert_msg(st[0].min_span_fraction >= 0.99, "%s: %.4f", trace,
		      st[0].min_span_fraction);
	ck_assert_msg(st[0].mean_leaves <= st[1].mean_leaves,
		      "%s: mean leaves %.3f vs stock %.3f", trace,
		      st[0].mean_leaves, st[1].mean_leaves);
	ck_assert_msg(st[0].utilization >= st[1].utilization - 0.02,
		      "%s: utilization %.4f vs stock %.4f", trace,
		      st[0].utilization, st[1].utilization);
	for (int p = 0; p < 2; p++)
		sim_result_free(&r[p]);
	sim_trace_free(&t);
	tp_fabric_free(f);
}

START_TEST(test_shipped_targets)
{
	/* Lingjun jobs on 128 nodes in 16 leaves */
	_targets("crux.csv", 0, (tp_gen_t) { .levels = 1, .leaves = 16,
		 .nodes_per_leaf = 8, .gpus_per_node = 8, .nvl_nodes = 1 });
	/* the KTH SP2's 100 processors as 25 nodes of 4 GPUs */
	_targets("KTH-SP2-1996-2.1-cln.swf.gz", 0, (tp_gen_t) {
		 .levels = 1, .leaves = 5, .nodes_per_leaf = 5,
		 .gpus_per_node = 4, .nvl_nodes = 1 });
	/* Philly's first 20,000 jobs on 64 nodes in 8 leaves */
	_targets("philly.csv.gz", 20000, (tp_gen_t) { .levels = 1,
		 .leaves = 8, .nodes_per_leaf = 8, .gpus_per_node = 8,
		 .nvl_nodes = 1 });
}
END_TEST

/*****************************************************************************\
 *  Plots
\*****************************************************************************/

static bool _file_has(const char *path, const char *what)
{
	FILE *f = fopen(path, "r");
	static char buf[1 << 20];
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, what) != NULL;
}

START_TEST(test_svg)
{
	tp_fabric_t *f = _fabric(2, 2);
	sim_trace_t t = _trace(_easy, 4);
	sim_result_t r[2];
	const char *names[2] = { "topopack", "first-fit" };
	sim_leaves_t lv;
	tp_error_t err;
	char dir[4200], path[4300];

	r[0] = _run(f, &t, TP_POLICY_TOPOPACK, 30, false, 0);
	r[1] = _run(f, &t, TP_POLICY_FIRST_FIT, 30, false, 0);
	/* every start and end: the fabric, and the leaves touched */
	ck_assert_int_ge(r[0].nsteps, 8 + 8);
	ck_assert_int_eq(sim_leaves_init(&lv, f), 0);
	snprintf(dir, sizeof(dir), "%s/svg", _tmpdir);
	ck_assert_msg(!sim_svg_write(dir, f, &lv, names, r, 2, &err), "%s",
		      err.text);
	snprintf(path, sizeof(path), "%s/utilization.svg", dir);
	ck_assert(_file_has(path, "<polyline"));
	ck_assert(_file_has(path, ">first-fit</text>"));
	snprintf(path, sizeof(path), "%s/leaves-cdf.svg", dir);
	ck_assert(_file_has(path, "</svg>"));
	snprintf(path, sizeof(path), "%s/occupancy-topopack.svg", dir);
	/* both leaves full (all 32 GPUs) while J1 runs */
	ck_assert(_file_has(path, "fill=\"#08306b\""));
	snprintf(path, sizeof(path), "%s/occupancy-first-fit.svg", dir);
	ck_assert(_file_has(path, "</svg>"));
	sim_leaves_fini(&lv);
	sim_result_free(&r[0]);
	sim_result_free(&r[1]);
	sim_trace_free(&t);
	tp_fabric_free(f);
}
END_TEST

static Suite *_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = tcase_create("sim");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_csv_header);
	tcase_add_test(tc, test_csv_plain);
	tcase_add_test(tc, test_trace_errors);
	tcase_add_test(tc, test_swf_archive);
	tcase_add_test(tc, test_csv_shipped);
	tcase_add_test(tc, test_easy_backfill);
	tcase_add_test(tc, test_span_and_skip);
	tcase_add_test(tc, test_preempt);
	tcase_add_test(tc, test_stretch);
	tcase_add_test(tc, test_recovery_policies);
	tcase_add_test(tc, test_recovery_moves_whole);
	tcase_add_test(tc, test_recovery_checkpoint);
	tcase_add_test(tc, test_failures_seeded);
	tcase_add_test(tc, test_min_leaves_exact);
	tcase_add_test(tc, test_shipped_targets);
	tcase_add_test(tc, test_svg);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[1100];
	int rc;

	snprintf(_tmpdir, sizeof(_tmpdir), "%s/test_sim.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(_tmpdir))
		return 99;
	rc = tp_check_run(_suite());
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", _tmpdir);
	if (system(cmd))
		return 99;
	return rc;
}
