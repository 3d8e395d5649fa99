/*****************************************************************************\
 *  topopack_bind.h - GPU:NIC:CPU binding of one node, from its hwloc topology.
 *
 *  A node's topology (the live machine, or a recorded hwloc XML export) is
 *  read once into a tp_node_topo_t: its GPUs, sorted by PCI bus id (the
 *  index of a GPU here is its position in that order, which is also the
 *  order of /dev/nvidia<i> minors and of a gres.conf written in bus order),
 *  its RDMA NICs (OpenFabrics devices such as mlx5_0), and a fixed pairing
 *  of every GPU with one NIC.
 *
 *  GPUs are the PCI parents of OS devices of type GPU or CoProc named
 *  cuda*, nvml*, rsmi* or opencl*; when the topology has none, PCI devices
 *  of class 0x0300 or 0x0302 from NVIDIA (0x10de), AMD (0x1002) or Intel
 *  (0x8086).
 *
 *  Pairing: the assignment of GPUs to NICs with the least total distance
 *  (classes: same PCIe switch < same NUMA node < same package < other
 *  package; a nearer class always outweighs a NIC's port state), no NIC
 *  taking more than ceil(GPUs/NICs), so NICs are shared evenly when they
 *  are fewer. It is computed exactly (a small min-cost flow), scanning
 *  GPUs and NICs in bus order, so the pairing depends only on the
 *  topology.
 *
 *  Port state and rate: on the live machine (no XML file given and no
 *  HWLOC_XMLFILE), when topopack was built with libibverbs, port 1 of
 *  each NIC is queried by name (ibv_open_device, ibv_query_port): state,
 *  and rate from active_width x active_speed. A NIC that verbs does not
 *  list (or any verbs failure) keeps what hwloc recorded: Port1State for
 *  the state, no rate. Recorded topologies use hwloc's record only.
 *
 *  No Slurm header; failures return -1/NULL and fill a tp_error_t.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_BIND_H
#define _TOPOPACK_BIND_H

/* cpu_set_t and CPU_SET() need _GNU_SOURCE before the first system
 * header: define it at the top of every file that includes this one. */
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "topopack.h"

/* Distance classes between a GPU and a NIC, nearest first. */
#define TP_BIND_NONE    -1 /* no NIC */
#define TP_BIND_PCI     0  /* behind the same PCIe switch */
#define TP_BIND_NUMA    1  /* same NUMA node (or same host bridge) */
#define TP_BIND_PACKAGE 2  /* same package (socket), other NUMA node */
#define TP_BIND_SYSTEM  3  /* other package */

typedef struct tp_node_topo tp_node_topo_t;

typedef struct {
	char busid[16];		/* "0000:03:00.0" */
	unsigned vendor;	/* PCI vendor id, e.g. 0x10de */
	unsigned device;	/* PCI device id */
	char osdev[32];		/* cuda0, nvml3, rsmi2, or "" (PCI only) */
	char render[32];	/* DRM render node (renderD128), or "" */
	int numa;		/* OS index of its NUMA node, -1 unknown */
	char cpus[256];		/* that NUMA node's CPUs: "0-23,48-71" */
	int nic;		/* paired NIC index, -1 when none */
	int dist;		/* TP_BIND_* class of that pair */
	bool nic_local;		/* the NIC is on its NUMA node */
} tp_bind_gpu_t;

typedef struct {
	char name[32];		/* OpenFabrics device name: mlx5_0 */
	char busid[16];		/* "0000:c4:00.0" */
	int numa;		/* OS index of its NUMA node, -1 unknown */
	int port;		/* port used for UCX_NET_DEVICES: 1 */
	int port_state;		/* port 1: 4 = active (IBV_PORT_ACTIVE,
				 * hwloc Port1State), -1 unknown */
	double rate;		/* port 1 rate in Gb/s (100 for EDR 4x),
				 * 0 unknown; from verbs only */
	bool verbs;		/* port_state and rate come from verbs */
	int gpus;		/* GPUs paired with it */
} tp_bind_nic_t;

/*
 * Read a node's topology and compute its pairing.
 * IN xml_file - hwloc XML export to read, or NULL for the live machine
 *	(hwloc's own HWLOC_XMLFILE / HWLOC_THISSYSTEM are honoured then)
 * OUT err - why it failed
 * RET a new topology (free with tp_node_topo_free()), or NULL: the file
 *	cannot be read or parsed (errno from hwloc, EINVAL), the node has
 *	no GPU (ENODEV), or out of memory (ENOMEM, "out of memory").
 */
extern tp_node_topo_t *tp_node_topo_load(const char *xml_file,
					 tp_error_t *err);

/* The same from an XML text of len bytes (need not end with NUL). */
extern tp_node_topo_t *tp_node_topo_load_buffer(const char *xml, size_t len,
						tp_error_t *err);

extern void tp_node_topo_free(tp_node_topo_t *topo);

extern int tp_node_topo_gpu_count(const tp_node_topo_t *topo);
extern int tp_node_topo_nic_count(const tp_node_topo_t *topo);

/* RET GPU / NIC i (0 <= i < count), or NULL. Owned by topo. */
extern const tp_bind_gpu_t *tp_node_topo_gpu(const tp_node_topo_t *topo,
					     int i);
extern const tp_bind_nic_t *tp_node_topo_nic(const tp_node_topo_t *topo,
					     int i);

/* RET "pci", "numa", "package", "system" or "none". */
extern const char *tp_bind_dist_name(int dist);

/*
 * Parse a GPU index list as Slurm writes it in CUDA_VISIBLE_DEVICES or
 * SLURM_STEP_GPUS: decimal indices separated by commas ("0,2,3"). Only
 * that grammar is accepted; every index must be below max_index.
 * OUT idx - up to max_out indices, in the order given
 * RET number of indices, or -1 with err (EINVAL) on anything else
 *	(empty entry, sign, range, UUID, out of range, too many).
 */
extern int tp_bind_parse_gpus(const char *list, int max_index, int *idx,
			      int max_out, tp_error_t *err);

/* A task's GPU variables as slurmstepd set them (NULL or "": unset). */
typedef struct {
	const char *step_gpus;	/* SLURM_STEP_GPUS */
	const char *job_gpus;	/* SLURM_JOB_GPUS */
	const char *visible;	/* CUDA_VISIBLE_DEVICES */
} tp_bind_gpu_env_t;

/*
 * A task's GPUs as node indices (Slurm's GPU indices on the node, which
 * are the bus-order indices of this file when gres.conf lists the GPUs in
 * bus order).
 *
 * CUDA_VISIBLE_DEVICES holds them only while device files are not
 * constrained: with cgroup ConstrainDevices=yes Slurm renumbers it from 0
 * within the step. The SLURM_*_GPUS lists always hold node indices, and
 * slurmstepd narrows SLURM_STEP_GPUS to the task's own GPUs whenever it
 * narrows CUDA_VISIBLE_DEVICES (--gpus-per-task, --gpu-bind). So:
 *	srun step:		SLURM_STEP_GPUS, else CUDA_VISIBLE_DEVICES
 *	batch or interactive:	SLURM_JOB_GPUS, else CUDA_VISIBLE_DEVICES
 * SLURM_JOB_GPUS is not used in an srun step: inherited from the batch
 * script, it names the GPUs of the batch node. A list that is set but
 * not valid is an error, not a reason to try the next one.
 * IN batch - the batch step or the interactive step (salloc)
 * OUT idx - up to max_out indices (as tp_bind_parse_gpus())
 * OUT from - name of the variable used (static), or NULL
 * RET number of GPUs; 0 when no variable is set (a task without GPUs);
 *	-1 with err (EINVAL) as tp_bind_parse_gpus()
 */
extern int tp_bind_task_gpus(const tp_bind_gpu_env_t *env, bool batch,
			     int max_index, int *idx, int max_out,
			     const char **from, tp_error_t *err);

/*
 * What a task using GPUs gpus[0..n-1] should be given.
 * OUT hca - the paired NICs, comma separated in order of first use:
 *	"mlx5_0,mlx5_1" (for NCCL_IB_HCA and
 *	OMPI_MCA_btl_openib_if_include); "" when they have none
 * OUT ucx - the same as device:port ("mlx5_0:1") for UCX_NET_DEVICES
 * OUT cpus - union of the CPUs of the GPUs' NUMA nodes (may be NULL)
 * RET 0, or -1 with err (EINVAL: index out of range, ENOSPC: a buffer
 *	is too small)
 */
extern int tp_bind_task(const tp_node_topo_t *topo, const int *gpus, int n,
			char *hca, size_t hca_len, char *ucx, size_t ucx_len,
			cpu_set_t *cpus, tp_error_t *err);

/* Write set as a CPU list ("0-3,8") into buf. RET 0 or -1 (too small). */
extern int tp_cpuset_to_list(const cpu_set_t *set, char *buf, size_t len);

#endif /* _TOPOPACK_BIND_H */
