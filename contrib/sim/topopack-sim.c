/*****************************************************************************\
 *  topopack-sim.c - replay a job trace on a fabric under topopack and the
 *  stock Slurm placement, and compare utilisation, waits, locality and
 *  predicted training speed.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tool_args.h"
#include "sim.h"

#define MAX_POLICIES 3

static const char _usage_text[] =
"Usage: topopack-sim [OPTION]... TRACE\n"
"Replay a job trace (SWF or CSV, plain or gzip) on a fabric, scheduled as\n"
"Slurm does (FCFS and EASY backfill), with each placement policy, and\n"
"compare the outcomes.\n"
"\n"
"Fabric (one of):\n"
"  -t, --topology FILE      Slurm topology.conf\n"
"  -c, --topopack-conf FILE topopack.conf with GPUs, NVLink domains, NICs\n"
"  -g, --gen SPEC           generated fat tree, SPEC is comma-separated\n"
"                           leaves=N,nodes-per-leaf=N[,gpus-per-node=N]\n"
"                           [,nvl=N][,pods=N][,uplinks=N] (gpus-per-node\n"
"                           8, nvl 1: one node per NVLink domain, pods 1,\n"
"                           uplinks per leaf: as many as GPUs under it)\n"
"Replay:\n"
"  -p, --policy NAME        topopack (default), slurm-tree or first-fit\n"
"  -C, --compare LIST       comma-separated policies, run one after the\n"
"                           other on the same trace\n"
"  -b, --bf-interval S      seconds between backfill passes (default 30,\n"
"                           0: no backfill)\n"
"  -d, --bf-depth N         queued jobs one backfill pass looks at\n"
"                           (default 500)\n"
"  -P, --preempt            a job that cannot start preempts (requeues)\n"
"                           jobs of lower priority\n"
"  -H, --high-gpus N        jobs of N GPUs or more get priority 1 on top\n"
"                           of the trace's (a QOS for large jobs)\n"
"  -s, --stretch F          F (0..1) of each job's run time is all-reduce,\n"
"                           slowed where its placement's all-reduce\n"
"                           is slower than its NICs\n"
"  -n, --jobs N             replay only the first N records\n"
"Failures (on with any of these):\n"
"      --recovery NAME      what becomes of a job whose node fails: none\n"
"                           (stock requeue, default), expedite (Slurm\n"
"                           25.11 --requeue=expedite) or topopack\n"
"      --node-mtbf H        mean hours between failures of one node\n"
"                           (default 6335: Llama 3's 419 in 54 days on\n"
"                           2,048 nodes; 0: only --fail-at)\n"
"      --repair-time S      seconds a failed node stays down (default\n"
"                           14400)\n"
"      --checkpoint-interval S  seconds between a job's checkpoints; a\n"
"                           stopped job loses the work since the last\n"
"                           (default 1800; 0: all of its run)\n"
"      --cred-expire S      none: a requeued job may start S seconds\n"
"                           later (default 120, at least 5)\n"
"      --spares N           topopack: N nodes per leaf only preemptable\n"
"                           jobs (priority 0) and recoveries may use\n"
"      --seed N             of the failure times (default 1)\n"
"      --fail-at T:NODE     NODE (name or index) fails at T seconds;\n"
"                           may be repeated\n"
"      --large-gpus N       jobs of N GPUs or more are the large jobs of\n"
"                           the failure figures (default 256)\n"
"Output:\n"
"  -j, --json               one JSON object instead of a table\n"
"  -S, --svg DIR            write plots (utilization.svg, leaves-cdf.svg,\n"
"                           occupancy-POLICY.svg) into DIR\n"
"  -v, --verbose            list skipped jobs on stderr\n"
"  -h, --help               show this help and exit\n"
"\n"
"CSV columns: job_id,submit_s,duration_s,num_gpus,num_nodes[,priority]\n"
"(num_nodes may be empty). SWF processors count as GPUs. Jobs no empty\n"
"fabric can hold are reported and skipped.\n";

static const tool_t _tool = {
	.name = "topopack-sim",
	.usage = _usage_text,
	.bad_usage = 2,
};

typedef struct {
	const char *trace;
	const char *topology;
	const char *topopack_conf;
	const char *gen;
	const char *svg;
	tp_policy_t policy[MAX_POLICIES];
	int npolicies;
	sim_opts_t sim;
	long max_jobs;
	int high_gpus;
	int large_gpus;
	bool json;
	bool verbose;
	const char **fail_at;	/* --fail-at arguments */
	int nfail_at;
} _opts_t;

static void _die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						     noreturn));

static void _die(const char *fmt, ...)
{
	va_list ap;

	fputs("topopack-sim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void _parse_policies(_opts_t *o, const char *list)
{
	char *copy = strdup(list), *save = NULL;

	if (!copy)
		_die("out of memory");
	o->npolicies = 0;
	for (char *w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		int p = tp_policy_parse(w);

		if (p < 0)
			_die("unknown policy \"%s\" (topopack, slurm-tree, first-fit)",
			     w);
		for (int i = 0; i < o->npolicies; i++)
			if (o->policy[i] == (tp_policy_t) p)
				_die("policy %s given twice", w);
		if (o->npolicies == MAX_POLICIES)
			_die("at most %d policies", MAX_POLICIES);
		o->policy[o->npolicies++] = p;
	}
	free(copy);
	if (!o->npolicies)
		_die("--compare needs at least one policy");
}

enum {
	OPT_RECOVERY = 256,
	OPT_NODE_MTBF,
	OPT_REPAIR,
	OPT_CHECKPOINT,
	OPT_CRED,
	OPT_SPARES,
	OPT_SEED,
	OPT_FAIL_AT,
	OPT_LARGE,
};

static const char *const _recoveries[] = {
	[SIM_RECOVERY_NONE] = "none",
	[SIM_RECOVERY_EXPEDITE] = "expedite",
	[SIM_RECOVERY_TOPOPACK] = "topopack",
};

static sim_recovery_t _parse_recovery(const char *name)
{
	for (int r = SIM_RECOVERY_NONE; r <= SIM_RECOVERY_TOPOPACK; r++)
		if (!strcmp(name, _recoveries[r]))
			return r;
	_die("unknown recovery \"%s\" (none, expedite, topopack)", name);
}

/* --fail-at T:NODE, NODE a node name or index, once the fabric is
 * known. */
static sim_fail_t *_fail_at(const _opts_t *o, const tp_fabric_t *f)
{
	sim_fail_t *fail = calloc(o->nfail_at + 1, sizeof(*fail));

	if (!fail)
		_die("out of memory");
	for (int i = 0; i < o->nfail_at; i++) {
		const char *arg = o->fail_at[i], *colon = strchr(arg, ':');
		char *t;
		int node;

		if (!colon)
			_die("--fail-at: \"%s\" is not TIME:NODE", arg);
		t = strndup(arg, colon - arg);
		if (!t)
			_die("out of memory");
		fail[i].t = tool_double(&_tool, "--fail-at", t, 0, 1e12);
		free(t);
		node = tp_fabric_node_index(f, colon + 1);
		if (node < 0)
			node = tool_long(&_tool, "--fail-at", colon + 1, 0,
					 tp_fabric_node_count(f) - 1);
		fail[i].node = node;
	}
	return fail;
}

static void _parse(int argc, char **argv, _opts_t *o)
{
	static const struct option longopts[] = {
		{ "topology", required_argument, NULL, 't' },
		{ "topopack-conf", required_argument, NULL, 'c' },
		{ "gen", required_argument, NULL, 'g' },
		{ "policy", required_argument, NULL, 'p' },
		{ "compare", required_argument, NULL, 'C' },
		{ "bf-interval", required_argument, NULL, 'b' },
		{ "bf-depth", required_argument, NULL, 'd' },
		{ "preempt", no_argument, NULL, 'P' },
		{ "high-gpus", required_argument, NULL, 'H' },
		{ "stretch", required_argument, NULL, 's' },
		{ "jobs", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "svg", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "recovery", required_argument, NULL, OPT_RECOVERY },
		{ "node-mtbf", required_argument, NULL, OPT_NODE_MTBF },
		{ "repair-time", required_argument, NULL, OPT_REPAIR },
		{ "checkpoint-interval", required_argument, NULL,
		  OPT_CHECKPOINT },
		{ "cred-expire", required_argument, NULL, OPT_CRED },
		{ "spares", required_argument, NULL, OPT_SPARES },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "fail-at", required_argument, NULL, OPT_FAIL_AT },
		{ "large-gpus", required_argument, NULL, OPT_LARGE },
		{ NULL, 0, NULL, 0 }
	};
	bool failing = false;
	int c;

	o->policy[0] = TP_POLICY_TOPOPACK;
	o->npolicies = 1;
	o->sim.bf_interval = 30;
	o->sim.bf_depth = 500;
	o->sim.node_mtbf_s = SIM_NODE_MTBF_H * 3600;
	o->sim.repair_s = 4 * 3600;
	o->sim.checkpoint_s = 1800;
	o->sim.cred_expire_s = 120;
	o->sim.seed = 1;
	o->large_gpus = SIM_LARGE_GPUS;
	while ((c = getopt_long(argc, argv, "t:c:g:p:C:b:d:PH:s:n:jS:vh",
				longopts, NULL)) != -1) {
		switch (c) {
		case 't': o->topology = optarg; break;
		case 'c': o->topopack_conf = optarg; break;
		case 'g': o->gen = optarg; break;
		case 'p':
		case 'C': _parse_policies(o, optarg); break;
		case 'b':
			o->sim.bf_interval = tool_double(&_tool,
							 "--bf-interval",
							 optarg, 0, 86400);
			break;
		case 'd':
			o->sim.bf_depth = tool_long(&_tool, "--bf-depth",
						    optarg, 1, 1000000);
			break;
		case 'P': o->sim.preempt = true; break;
		case 'H':
			o->high_gpus = tool_long(&_tool, "--high-gpus", optarg,
						 1, 10000000);
			break;
		case 's':
			o->sim.stretch = tool_double(&_tool, "--stretch",
						     optarg, 0, 1);
			break;
		case 'n':
			o->max_jobs = tool_long(&_tool, "--jobs", optarg, 1,
						1000000000);
			break;
		case 'j': o->json = true; break;
		case 'S': o->svg = optarg; break;
		case 'v': o->verbose = true; break;
		case 'h': tool_help(&_tool);
		case OPT_RECOVERY:
			o->sim.recovery = _parse_recovery(optarg);
			break;
		case OPT_NODE_MTBF:
			o->sim.node_mtbf_s = 3600 * tool_double(&_tool,
				"--node-mtbf", optarg, 0, 1e9);
			failing = true;
			break;
		case OPT_REPAIR:
			o->sim.repair_s = tool_double(&_tool, "--repair-time",
						      optarg, 0, 1e9);
			break;
		case OPT_CHECKPOINT:
			o->sim.checkpoint_s = tool_double(&_tool,
				"--checkpoint-interval", optarg, 0, 1e9);
			break;
		case OPT_CRED:
			/* Slurm's AuthInfo=cred_expire is at least 5 s. */
			o->sim.cred_expire_s = tool_double(&_tool,
				"--cred-expire", optarg, 5, 1e9);
			break;
		case OPT_SPARES:
			o->sim.spares = tool_long(&_tool, "--spares", optarg,
						  0, 1000000);
			break;
		case OPT_SEED:
			o->sim.seed = tool_u64(&_tool, "--seed", optarg);
			break;
		case OPT_FAIL_AT:
			o->fail_at = realloc(o->fail_at, sizeof(char *) *
					     (o->nfail_at + 1));
			if (!o->fail_at)
				_die("out of memory");
			o->fail_at[o->nfail_at++] = optarg;
			failing = true;
			break;
		case OPT_LARGE:
			o->large_gpus = tool_long(&_tool, "--large-gpus",
						  optarg, 1, 10000000);
			break;
		default: tool_usage(&_tool);
		}
	}
	if (failing && o->sim.recovery == SIM_RECOVERY_OFF)
		o->sim.recovery = SIM_RECOVERY_NONE;
	if (o->sim.spares && o->sim.recovery != SIM_RECOVERY_TOPOPACK)
		_die("--spares goes with --recovery topopack");
	tool_operands(&_tool, argc, argv, 1);
	o->trace = argv[optind];
	if (!o->gen == !o->topology)
		_die("give the fabric: --topology FILE or --gen SPEC");
	if (o->gen && o->topopack_conf)
		_die("--topopack-conf goes with --topology, not --gen");
	o->sim.timeline = o->svg != NULL;
}

/* leaves=..,nodes-per-leaf=..,gpus-per-node=..,nvl=..,pods=..,uplinks=.. */
static tp_fabric_t *_generate(const char *spec)
{
	tp_gen_t gen = { .levels = 1, .gpus_per_node = 8, .nvl_nodes = 1 };
	char *copy = strdup(spec), *save = NULL;
	int pods = 1;
	tp_error_t err;
	tp_fabric_t *f;

	if (!copy)
		_die("out of memory");
	for (char *w = strtok_r(copy, ",", &save); w;
	     w = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(w, '=');
		int v;

		if (!eq)
			_die("--gen: \"%s\" is not KEY=VALUE", w);
		*eq = '\0';
		v = tool_long(&_tool, w, eq + 1, 1, 1000000);
		if (!strcmp(w, "leaves"))
			gen.leaves = v;
		else if (!strcmp(w, "nodes-per-leaf"))
			gen.nodes_per_leaf = v;
		else if (!strcmp(w, "gpus-per-node"))
			gen.gpus_per_node = v;
		else if (!strcmp(w, "nvl"))
			gen.nvl_nodes = v;
		else if (!strcmp(w, "pods"))
			pods = v;
		else if (!strcmp(w, "uplinks"))
			gen.uplinks_per_leaf = v;
		else
			_die("--gen: unknown key \"%s\" (leaves, nodes-per-leaf, gpus-per-node, nvl, pods, uplinks)",
			     w);
	}
	free(copy);
	if (!gen.leaves || !gen.nodes_per_leaf)
		_die("--gen needs leaves=N and nodes-per-leaf=N");
	if (gen.leaves % pods)
		_die("--gen: %d leaves do not split into %d pods", gen.leaves,
		     pods);
	if (pods > 1) {
		gen.levels = 2;
		gen.leaves_per_pod = gen.leaves / pods;
	}
	f = tp_fabric_generate(&gen, &err);
	if (!f)
		_die("--gen %s: %s", spec, err.text);
	return f;
}

static tp_fabric_t *_fabric(const _opts_t *o)
{
	tp_error_t err;
	tp_fabric_t *f;

	if (o->gen)
		return _generate(o->gen);
	f = tp_fabric_load(o->topology, o->topopack_conf, &err);
	if (!f)
		_die("%s", err.text);
	return f;
}

static void _report_skipped(const _opts_t *o, const sim_trace_t *trace,
			    const sim_result_t *res, const char *name)
{
	if (!res->too_large)
		return;
	fprintf(stderr, "topopack-sim: %s: %ld jobs larger than the fabric skipped%s\n",
		name, res->too_large, o->verbose ? ":" : " (-v lists them)");
	for (int i = 0; o->verbose && i < res->count; i++) {
		const sim_job_t *j = &trace->job[i];

		if (!res->job[i].too_large)
			continue;
		if (j->nodes)
			fprintf(stderr, "  %s:%d: job %ld, %d GPUs on %d nodes\n",
				o->trace, j->line, j->id, j->gpus, j->nodes);
		else
			fprintf(stderr, "  %s:%d: job %ld, %d GPUs\n", o->trace,
				j->line, j->id, j->gpus);
	}
}

/*****************************************************************************\
 *  Output
\*****************************************************************************/

/* The figures of a replay, in output order: JSON key, table label, where
 * in sim_stats_t (a long when count is set, else a double), formats. */
typedef struct {
	const char *key;
	const char *label;
	size_t offset;
	bool count;
	const char *json_fmt;
	const char *table_fmt;
} _metric_t;

#define FIGURE(key, label, json_fmt, table_fmt) \
	{ #key, label, offsetof(sim_stats_t, key), false, json_fmt, table_fmt }
#define COUNT(key, label) \
	{ #key, label, offsetof(sim_stats_t, key), true, "%.0f", "%.0f" }

static const _metric_t _metrics[] = {
	FIGURE(utilization, "utilization", "%.4f", "%.4f"),
	FIGURE(mean_wait_s, "mean wait (s)", "%.1f", "%.0f"),
	FIGURE(p95_wait_s, "p95 wait (s)", "%.1f", "%.0f"),
	FIGURE(bounded_slowdown, "bounded slowdown", "%.3f", "%.2f"),
	COUNT(multi_node_jobs, "multi-node jobs"),
	FIGURE(min_span_fraction, "on fewest leaves", "%.4f", "%.4f"),
	FIGURE(mean_leaves, "mean leaves", "%.3f", "%.3f"),
	FIGURE(mean_domains, "mean NVLink domains", "%.3f", "%.3f"),
	FIGURE(mean_max_hops, "mean max hops", "%.3f", "%.3f"),
	FIGURE(efficiency_p5, "efficiency p5", "%.4f", "%.3f"),
	FIGURE(efficiency_median, "efficiency median", "%.4f", "%.3f"),
	FIGURE(busbw_p5_gbs, "busbw p5 (GB/s)", "%.2f", "%.1f"),
	FIGURE(busbw_median_gbs, "busbw median (GB/s)", "%.2f", "%.1f"),
	COUNT(preemptions, "preemptions"),
	FIGURE(lost_gpu_s, "GPU-seconds lost", "%.0f", "%.0f"),
	FIGURE(wall_s, "replay time (s)", "%.2f", "%.2f"),
	{ NULL, NULL, 0, false, NULL, NULL }
};

/* With failures. */
static const _metric_t _fail_metrics[] = {
	COUNT(node_failures, "node failures"),
	COUNT(large_jobs, "large jobs"),
	COUNT(large_jobs_hit, "large jobs hit"),
	COUNT(large_job_failures, "large job failures"),
	FIGURE(ett_large, "eff. training (0.995)", "%.5f", "%.4f"),
	FIGURE(recovery_loss_gpu_h, "recovery loss GPU-h", "%.1f", "%.0f"),
	FIGURE(recovery_wait_gpu_h, "  waits GPU-h", "%.1f", "%.0f"),
	FIGURE(recovery_slow_gpu_h, "  slower GPU-h", "%.1f", "%.0f"),
	FIGURE(recovery_preempt_gpu_h, "  preempted GPU-h", "%.1f", "%.0f"),
	FIGURE(ckpt_lost_gpu_h, "checkpoint loss GPU-h", "%.1f", "%.0f"),
	FIGURE(recovery_delay_p50_s, "recovery delay p50 (s)", "%.1f",
	       "%.0f"),
	FIGURE(recovery_delay_p95_s, "recovery delay p95 (s)", "%.1f",
	       "%.0f"),
	FIGURE(recovery_delay_p95_room_s, "  p95 with room (s)", "%.1f",
	       "%.0f"),
	FIGURE(leaves_before_failure, "leaves before failure", "%.3f",
	       "%.3f"),
	FIGURE(leaves_after_recovery, "leaves after recovery", "%.3f",
	       "%.3f"),
	FIGURE(spare_cost_gpu_h, "spares cost GPU-h", "%.1f", "%.0f"),
	{ NULL, NULL, 0, false, NULL, NULL }
};

static double _value(const sim_stats_t *st, const _metric_t *m)
{
	const char *at = (const char *) st + m->offset;

	return m->count ? (double) *(const long *) at : *(const double *) at;
}

static void _json_string(const char *text)
{
	putchar('"');
	for (const char *c = text; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if ((unsigned char) *c < 0x20)
			printf("\\u%04x", (unsigned char) *c);
		else
			putchar(*c);
	}
	putchar('"');
}

static void _json_number(double v, const char *fmt)
{
	if (isnan(v) || isinf(v))
		fputs("null", stdout);
	else
		printf(fmt, v);
}

static void _print_json(const _opts_t *o, const sim_trace_t *trace,
			const tp_fabric_t *f, const sim_result_t *res,
			const sim_stats_t *st)
{
	long too_large = 0;

	for (int p = 0; p < o->npolicies; p++)
		if (res[p].too_large > too_large)
			too_large = res[p].too_large;
	printf("{\"trace\":");
	_json_string(o->trace);
	printf(",\"nodes\":%d,\"gpus\":%d,\"leaves\":%d,"
	       "\"jobs\":%ld,\"skipped\":%ld,\"skipped_invalid\":%ld,"
	       "\"skipped_too_large\":%ld,",
	       tp_fabric_node_count(f), tp_fabric_gpu_count(f),
	       tp_fabric_leaf_count(f), trace->records,
	       trace->invalid + too_large, trace->invalid, too_large);
	if (o->sim.recovery)
		printf("\"recovery\":\"%s\",\"large_gpus\":%d,",
		       _recoveries[o->sim.recovery], o->large_gpus);
	printf("\"policies\":{");
	for (int p = 0; p < o->npolicies; p++) {
		printf("%s\"%s\":{", p ? "," : "",
		       tp_policy_name(o->policy[p]));
		for (const _metric_t *m = _metrics; m->key; m++) {
			printf("\"%s\":", m->key);
			_json_number(_value(&st[p], m), m->json_fmt);
			putchar(',');
		}
		for (const _metric_t *m = _fail_metrics;
		     o->sim.recovery && m->key; m++) {
			printf("\"%s\":", m->key);
			_json_number(_value(&st[p], m), m->json_fmt);
			putchar(',');
		}
		printf("\"skipped\":%ld}", trace->invalid + res[p].too_large);
	}
	printf("}}\n");
}

static void _print_rows(const _opts_t *o, const _metric_t *rows,
			const sim_stats_t *st)
{
	for (const _metric_t *m = rows; m->key; m++) {
		printf("%-24s", m->label);
		for (int p = 0; p < o->npolicies; p++) {
			double v = _value(&st[p], m);
			char cell[32];

			if (isnan(v))
				snprintf(cell, sizeof(cell), "-");
			else
				snprintf(cell, sizeof(cell), m->table_fmt, v);
			printf(" %14s", cell);
		}
		printf("\n");
	}
}

static void _print_table(const _opts_t *o, const sim_trace_t *trace,
			 const tp_fabric_t *f, const sim_stats_t *st)
{
	printf("%s: %ld jobs on %d nodes, %d GPUs, %d leaves\n", o->trace,
	       trace->records, tp_fabric_node_count(f),
	       tp_fabric_gpu_count(f), tp_fabric_leaf_count(f));
	printf("%-24s", "");
	for (int p = 0; p < o->npolicies; p++)
		printf(" %14s", tp_policy_name(o->policy[p]));
	printf("\n");
	_print_rows(o, _metrics, st);
	if (o->sim.recovery) {
		printf("recovery %s, jobs of %d GPUs or more:\n",
		       _recoveries[o->sim.recovery], o->large_gpus);
		_print_rows(o, _fail_metrics, st);
	}
}

int main(int argc, char **argv)
{
	_opts_t o = { 0 };
	sim_trace_t trace;
	sim_result_t res[MAX_POLICIES];
	sim_stats_t st[MAX_POLICIES];
	const char *names[MAX_POLICIES];
	tp_fabric_t *fabric;
	sim_fail_t *fail;
	tp_error_t err;
	int rc = 0;

	_parse(argc, argv, &o);
	fabric = _fabric(&o);
	o.sim.fail = fail = _fail_at(&o, fabric);
	o.sim.nfail = o.nfail_at;
	if (sim_trace_read(o.trace, o.max_jobs, &trace, &err))
		_die("%s", err.text);
	if (trace.invalid)
		fprintf(stderr, "topopack-sim: %s: %ld records ask for no GPU or have no run time: skipped\n",
			o.trace, trace.invalid);
	if (o.high_gpus)
		for (int i = 0; i < trace.count; i++)
			trace.job[i].priority += trace.job[i].gpus >= o.high_gpus;
	for (int p = 0; p < o.npolicies; p++) {
		o.sim.policy = o.policy[p];
		names[p] = tp_policy_name(o.policy[p]);
		if (sim_run(fabric, &trace, &o.sim, &res[p], &err))
			_die("%s: %s", names[p], err.text);
		_report_skipped(&o, &trace, &res[p], names[p]);
		if (res[p].stuck) {
			fprintf(stderr, "topopack-sim: %s: %ld jobs never started\n",
				names[p], res[p].stuck);
			rc = 3;
		}
		sim_stats_large(fabric, &res[p], &trace, o.large_gpus, &st[p]);
		if (o.verbose)
			fprintf(stderr, "topopack-sim: %s replayed in %.2f s\n",
				names[p], res[p].wall_s);
	}
	if (o.json)
		_print_json(&o, &trace, fabric, res, st);
	else
		_print_table(&o, &trace, fabric, st);
	if (o.svg) {
		sim_leaves_t lv;

		if (sim_leaves_init(&lv, fabric))
			_die("out of memory");
		if (sim_svg_write(o.svg, fabric, &lv, names, res, o.npolicies,
				  &err))
			_die("%s", err.text);
		sim_leaves_fini(&lv);
	}
	for (int p = 0; p < o.npolicies; p++)
		sim_result_free(&res[p]);
	sim_trace_free(&trace);
	tp_fabric_free(fabric);
	free(fail);
	free(o.fail_at);
	return rc;
}
