/*****************************************************************************\
 *  spank_topopack.c - give every task the NICs and CPUs near its GPUs.
 *
 *  In slurmstepd, for each task (slurm_spank_task_init, after Slurm has
 *  put the task's GPUs in its environment), the plugin reads the task's
 *  GPUs as node indices: in a step of srun from SLURM_STEP_GPUS, in the
 *  batch (or interactive) step from SLURM_JOB_GPUS, and from
 *  CUDA_VISIBLE_DEVICES only when that is not set. With cgroup
 *  ConstrainDevices=yes Slurm renumbers CUDA_VISIBLE_DEVICES from 0
 *  within the step, while the SLURM_*_GPUS lists keep the node's indices
 *  (and slurmstepd narrows SLURM_STEP_GPUS to the task's GPUs as it does
 *  CUDA_VISIBLE_DEVICES): the mapping is right with or without it. The
 *  rules are tp_bind_task_gpus() in lib/bind/topopack_bind.h. A node index is the
 *  GPU's position in PCI bus order when gres.conf lists the GPUs in bus
 *  order (as topopack-discover writes it).
 *
 *  It pairs them with NICs through libtopopack (lib/bind/topopack_bind.h) on the
 *  node's hwloc topology (HWLOC_XMLFILE in slurmd's environment is
 *  honoured) and sets (replacing inherited values; bind=none keeps them):
 *	NCCL_IB_HCA			=mlx5_0[,mlx5_1] (exact names)
 *	UCX_NET_DEVICES			mlx5_0:1[,mlx5_1:1] (UCX, and
 *					Open MPI / MPICH over UCX)
 *	OMPI_MCA_btl_openib_if_include	mlx5_0[,mlx5_1] (Open MPI openib)
 *	TOPOPACK_BIND_NUMA_CPUS		CPUs of the GPUs' NUMA nodes
 *  With bind "nic,cpu" it then narrows the task's CPU affinity to the CPUs
 *  of its GPUs' NUMA nodes that it may already use (the intersection with
 *  its current mask, which holds the job's cores): never wider. When the
 *  intersection is empty the mask is left alone.
 *
 *  Options: plugstack.conf "bind=none|nic|nic,cpu" (default nic,cpu) and
 *  "verbose"; per job --topopack-bind=none|nic|nic,cpu and
 *  --topopack-verbose, for srun, sbatch and salloc. Anything else is
 *  refused. Slurm reads a plugin's static spank_options table only in
 *  srun and slurmstepd (local and remote contexts), never in sbatch or
 *  salloc (allocator context), so the options are registered with
 *  spank_option_register() from slurm_spank_init in those three contexts
 *  and no spank_options symbol is exported. The value given to sbatch or
 *  salloc reaches the job's steps through the environment
 *  (_SLURM_SPANK_OPTION_topopack_topopack_bind). The plugstack.conf
 *  "required"/"optional" keyword does not change which options exist; it
 *  only decides whether a failure of the plugin stops the command.
 *
 *  --topopack-checkpoint=SECONDS says the job saves a checkpoint that
 *  often. In sbatch, salloc and srun (slurm_spank_init_post_opt) it goes
 *  into the job control environment as TP_CHECKPOINT_ENV, which Slurm
 *  keeps with the job in slurmctld; select/topopack reads it there and
 *  counts a preemption as losing only the time since the last checkpoint.
 *
 *  --topopack-recover asks that, when a node of the job fails and Slurm
 *  requeues it, its surviving nodes be kept for it and it be placed back
 *  on them. It reaches slurmctld the same way, as TP_RECOVER_ENV=1;
 *  --topopack-recover=no, as TP_RECOVER_ENV=0, declines a partition's
 *  default (topopack.conf PartitionName= Recover=yes).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <slurm/slurm.h>	/* SLURM_BATCH_SCRIPT, SLURM_INTERACTIVE_STEP */
#include <slurm/spank.h>

#include "topopack_bind.h"
#include "spank_opts.h"
#include "topopack.h"

SPANK_PLUGIN(topopack, 1);

#define MAX_TASK_GPUS 64

static tp_spank_conf_t conf = { TP_SPANK_BIND_DEFAULT, false };
static int job_bind = -1;	/* --topopack-bind, -1: not given */
static bool job_verbose = false;	/* --topopack-verbose */
static long job_checkpoint = 0;	/* --topopack-checkpoint, 0: not given */
static const char *job_recover = NULL;	/* --topopack-recover: "1", "0" */

static int _opt_bind(int val __attribute__((unused)), const char *optarg,
		     int remote __attribute__((unused)))
{
	int b = tp_spank_parse_bind(optarg);

	if (b < 0) {
		slurm_error("topopack: --topopack-bind=%.40s: expected none, nic or nic,cpu",
			    optarg ? optarg : "");
		return ESPANK_BAD_ARG;
	}
	job_bind = b;
	return ESPANK_SUCCESS;
}

static int _opt_verbose(int val __attribute__((unused)),
			const char *optarg __attribute__((unused)),
			int remote __attribute__((unused)))
{
	job_verbose = true;
	return ESPANK_SUCCESS;
}

static int _opt_checkpoint(int val __attribute__((unused)),
			   const char *optarg,
			   int remote __attribute__((unused)))
{
	long v = tp_checkpoint_parse(optarg);

	if (v < 0) {
		slurm_error("topopack: --topopack-checkpoint=%.40s: expected whole seconds, 1 to %ld",
			    optarg ? optarg : "", TP_CHECKPOINT_MAX);
		return ESPANK_BAD_ARG;
	}
	job_checkpoint = v;
	return ESPANK_SUCCESS;
}

static int _opt_recover(int val __attribute__((unused)),
			const char *optarg,
			int remote __attribute__((unused)))
{
	if (!optarg || !strcasecmp(optarg, "yes")) {
		job_recover = "1";
	} else if (!strcasecmp(optarg, "no")) {
		job_recover = "0";
	} else {
		slurm_error("topopack: --topopack-recover=%s: expected yes or no",
			    optarg);
		return ESPANK_BAD_ARG;
	}
	return ESPANK_SUCCESS;
}

/* Registered by slurm_spank_init: see the header comment. */
static struct spank_option _options[] = {
	{ "topopack-bind", "none|nic|nic,cpu",
	  "bind each task to the NICs (nic) and NUMA CPUs (cpu) of its GPUs",
	  1, 0, _opt_bind },
	{ "topopack-verbose", NULL, "print each task's GPU:NIC:CPU binding",
	  0, 0, _opt_verbose },
	{ "topopack-checkpoint", "SECONDS",
	  "the job checkpoints every SECONDS: preempting it loses less",
	  1, 0, _opt_checkpoint },
	{ "topopack-recover", "yes|no",
	  "when a node fails and the job is requeued, keep its other nodes and restart it there (no: not even as its partition's default)",
	  2, 0, _opt_recover },
	SPANK_OPTIONS_TABLE_END
};

extern int slurm_spank_init(spank_t sp, int ac, char **av)
{
	spank_context_t ctx = spank_context();
	char err[160];
	spank_err_t rc;

	if (tp_spank_parse_args(ac, av, &conf, err, sizeof(err)) < 0) {
		slurm_error("topopack: %s", err);
		return ESPANK_BAD_ARG;
	}
	if ((ctx != S_CTX_ALLOCATOR) && (ctx != S_CTX_LOCAL) &&
	    (ctx != S_CTX_REMOTE))
		return ESPANK_SUCCESS;
	for (int i = 0; _options[i].name; i++) {
		if ((rc = spank_option_register(sp, &_options[i])) !=
		    ESPANK_SUCCESS) {
			slurm_error("topopack: cannot register --%s: %s",
				    _options[i].name, spank_strerror(rc));
			return rc;
		}
	}
	return ESPANK_SUCCESS;
}

/* Set name=value in the job control environment slurmctld keeps. */
static int _job_setenv(spank_t sp, const char *name, const char *value,
		       const char *option)
{
	spank_err_t rc = spank_job_control_setenv(sp, name, value, 1);

	if (rc != ESPANK_SUCCESS)
		slurm_error("topopack: cannot pass --%s: %s", option,
			    spank_strerror(rc));
	return rc;
}

/* Hand the checkpoint interval and the recovery request to slurmctld
 * with the job. */
extern int slurm_spank_init_post_opt(spank_t sp,
				     int ac __attribute__((unused)),
				     char **av __attribute__((unused)))
{
	spank_context_t ctx = spank_context();
	char value[32];
	int rc;

	if ((ctx != S_CTX_ALLOCATOR) && (ctx != S_CTX_LOCAL))
		return ESPANK_SUCCESS;
	if (job_checkpoint) {
		snprintf(value, sizeof(value), "%ld", job_checkpoint);
		if ((rc = _job_setenv(sp, TP_CHECKPOINT_ENV, value,
				      "topopack-checkpoint")))
			return rc;
	}
	if (job_recover &&
	    (rc = _job_setenv(sp, TP_RECOVER_ENV, job_recover,
			      "topopack-recover")))
		return rc;
	return ESPANK_SUCCESS;
}

/* Value of the task's variable name in buf, or NULL when unset. */
static const char *_getenv(spank_t sp, const char *name, char *buf, int len)
{
	if (spank_getenv(sp, name, buf, len) != ESPANK_SUCCESS)
		return NULL;
	return buf;
}

/* The batch step or the interactive step (salloc)? */
static bool _batch_step(spank_t sp)
{
	uint32_t step = 0;

	if (spank_get_item(sp, S_JOB_STEPID, &step) != ESPANK_SUCCESS)
		return false;
	return (step == SLURM_BATCH_SCRIPT) || (step == SLURM_INTERACTIVE_STEP);
}

/* Set name=value in the task's environment. Existing values are
 * replaced: a step inherits the batch script's (set for all of the
 * job's GPUs); --topopack-bind=none leaves the user's own. */
static void _setenv(spank_t sp, const char *name, const char *value)
{
	if (spank_setenv(sp, name, value, 1) != ESPANK_SUCCESS)
		slurm_error("topopack: cannot set %s", name);
}

static void _bind_cpus(bool verbose, uint32_t task, const cpu_set_t *numa)
{
	cpu_set_t cur, want;
	char a[256] = "", b[256] = "";

	if (sched_getaffinity(0, sizeof(cur), &cur) < 0) {
		slurm_error("topopack: task %u: sched_getaffinity: %m", task);
		return;
	}
	CPU_AND(&want, &cur, numa);
	tp_cpuset_to_list(&cur, a, sizeof(a));
	tp_cpuset_to_list(numa, b, sizeof(b));
	if (!CPU_COUNT(&want)) {
		if (verbose)
			fprintf(stderr,
				"topopack: task %u: CPUs %s of its GPUs' NUMA nodes are not in its mask %s: affinity kept\n",
				task, b, a);
		return;
	}
	if (CPU_EQUAL(&want, &cur))
		return;
	if (sched_setaffinity(0, sizeof(want), &want) < 0) {
		slurm_error("topopack: task %u: sched_setaffinity: %m", task);
		return;
	}
	tp_cpuset_to_list(&want, b, sizeof(b));
	if (verbose)
		fprintf(stderr, "topopack: task %u: CPU affinity %s -> %s\n",
			task, a, b);
}

extern int slurm_spank_task_init(spank_t sp, int ac __attribute__((unused)),
				 char **av __attribute__((unused)))
{
	int bind = (job_bind >= 0) ? job_bind : conf.bind;
	bool verbose = conf.verbose || job_verbose;
	char step_gpus[256], job_gpus[256], visible[256];
	char hca[256], nhca[260], ucx[256], cpus[256] = "";
	tp_bind_gpu_env_t env;
	const char *from = NULL, *list;
	bool batch;
	int idx[MAX_TASK_GPUS], n;
	tp_node_topo_t *topo = NULL;
	tp_error_t err = { "" };
	uint32_t task = 0;
	cpu_set_t numa;

	if (!spank_remote(sp) || !bind)
		return ESPANK_SUCCESS;
	spank_get_item(sp, S_TASK_GLOBAL_ID, &task);
	env.step_gpus = _getenv(sp, "SLURM_STEP_GPUS", step_gpus,
				sizeof(step_gpus));
	env.job_gpus = _getenv(sp, "SLURM_JOB_GPUS", job_gpus,
			       sizeof(job_gpus));
	env.visible = _getenv(sp, "CUDA_VISIBLE_DEVICES", visible,
			      sizeof(visible));
	batch = _batch_step(sp);
	list = batch ? env.job_gpus : env.step_gpus;
	if (!list || !list[0])
		list = env.visible;
	if (!list || !list[0])
		return ESPANK_SUCCESS; /* a task without GPUs */
	if (!(topo = tp_node_topo_load(NULL, &err))) {
		slurm_error("topopack: task %u: %s; not bound", task, err.text);
		return ESPANK_SUCCESS;
	}
	n = tp_bind_task_gpus(&env, batch,
			      tp_node_topo_gpu_count(topo), idx, MAX_TASK_GPUS,
			      &from, &err);
	if (n < 0) {
		slurm_error("topopack: task %u: %s: %s; not bound", task, from,
			    err.text);
		goto fini;
	}
	if (tp_bind_task(topo, idx, n, hca, sizeof(hca), ucx, sizeof(ucx),
			 &numa, &err) < 0) {
		slurm_error("topopack: task %u: %s; not bound", task, err.text);
		goto fini;
	}
	tp_cpuset_to_list(&numa, cpus, sizeof(cpus));
	if ((bind & TP_SPANK_BIND_NIC) && hca[0]) {
		snprintf(nhca, sizeof(nhca), "=%s", hca);
		_setenv(sp, "NCCL_IB_HCA", nhca);
		_setenv(sp, "UCX_NET_DEVICES", ucx);
		_setenv(sp, "OMPI_MCA_btl_openib_if_include", hca);
	}
	if (cpus[0])
		_setenv(sp, "TOPOPACK_BIND_NUMA_CPUS", cpus);
	if (verbose)
		fprintf(stderr, "topopack: task %u: %s=%s nic=%s numa_cpus=%s\n",
			task, from, list, hca[0] ? hca : "none", cpus);
	if (bind & TP_SPANK_BIND_CPU)
		_bind_cpus(verbose, task, &numa);
fini:
	tp_node_topo_free(topo);
	return ESPANK_SUCCESS;
}
