/*****************************************************************************\
 *  spank_topopack.c - give every task the NICs and CPUs near its GPUs.
 *
 *  In slurmstepd, for each task (slurm_spank_task_init, after Slurm has
 *  put the task's GPUs in its environment), the plugin reads the task's
 *  GPU indices from CUDA_VISIBLE_DEVICES, else SLURM_STEP_GPUS, else
 *  SLURM_JOB_GPUS; an index is the GPU's position in PCI bus order, which
 *  is Slurm's own index when gres.conf lists the GPUs in bus order (as
 *  topopack-discover writes it) and device files are not constrained by
 *  cgroups (with ConstrainDevices=yes Slurm renumbers CUDA_VISIBLE_DEVICES
 *  from 0 and SLURM_STEP_GPUS should be used: not handled yet).
 *
 *  It pairs them with NICs through libtopopack (lib/binding.h) on the
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
 *  --topopack-verbose. Anything else is refused.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <slurm/spank.h>

#include "binding.h"
#include "spank_opts.h"

SPANK_PLUGIN(topopack, 1);

#define MAX_TASK_GPUS 64

static tp_spank_conf_t conf = { TP_SPANK_BIND_DEFAULT, false };
static int job_bind = -1;	/* --topopack-bind, -1: not given */
static bool job_verbose = false;	/* --topopack-verbose */

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

struct spank_option spank_options[] = {
	{ "topopack-bind", "none|nic|nic,cpu",
	  "bind each task to the NICs (nic) and NUMA CPUs (cpu) of its GPUs",
	  1, 0, _opt_bind },
	{ "topopack-verbose", NULL, "print each task's GPU:NIC:CPU binding",
	  0, 0, _opt_verbose },
	SPANK_OPTIONS_TABLE_END
};

extern int slurm_spank_init(spank_t sp __attribute__((unused)), int ac, char **av)
{
	char err[160];

	if (tp_spank_parse_args(ac, av, &conf, err, sizeof(err)) < 0) {
		slurm_error("topopack: %s", err);
		return ESPANK_BAD_ARG;
	}
	return ESPANK_SUCCESS;
}

/* The task's GPU list, or NULL; which variable it came from in *from. */
static const char *_task_gpus(spank_t sp, char *buf, int len,
			      const char **from)
{
	static const char *vars[] = { "CUDA_VISIBLE_DEVICES",
				      "SLURM_STEP_GPUS", "SLURM_JOB_GPUS" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if ((spank_getenv(sp, vars[i], buf, len) == ESPANK_SUCCESS) &&
		    buf[0]) {
			*from = vars[i];
			return buf;
		}
	}
	return NULL;
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
	char list[256], hca[256], nhca[260], ucx[256], cpus[256] = "";
	const char *from = NULL;
	int idx[MAX_TASK_GPUS], n;
	tp_node_topo_t *topo = NULL;
	tp_error_t err = { "" };
	uint32_t task = 0;
	cpu_set_t numa;

	if (!spank_remote(sp) || !bind)
		return ESPANK_SUCCESS;
	spank_get_item(sp, S_TASK_GLOBAL_ID, &task);
	if (!_task_gpus(sp, list, sizeof(list), &from))
		return ESPANK_SUCCESS; /* a task without GPUs */
	if (!(topo = tp_node_topo_load(NULL, &err))) {
		slurm_error("topopack: task %u: %s; not bound", task, err.text);
		return ESPANK_SUCCESS;
	}
	n = tp_bind_parse_gpus(list, tp_node_topo_gpu_count(topo), idx,
			       MAX_TASK_GPUS, &err);
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
