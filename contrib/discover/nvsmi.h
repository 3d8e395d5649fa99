/*****************************************************************************\
 *  nvsmi.h - what "nvidia-smi -q" says of a node's GPUs and the
 *  multi-node NVLink fabric they belong to.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_NVSMI_H
#define _TOPOPACK_NVSMI_H

#include <stdbool.h>
#include <stdio.h>

#include "topopack.h"

/* More GPU sections than any node has: a bound on what one file costs. */
#define NVSMI_GPUS_MAX 1024

/* A GPU's "Fabric" section. NVML fills it on GPUs that can join a
 * multi-node NVLink fabric (GB200 NVL72 and the like); other GPUs print
 * "N/A" for every field, or, with drivers older than the field, no
 * section at all. */
typedef struct {
	char busid[24];		/* "00000008:01:00.0", from the "GPU ..." line */
	int line;		/* of that line */
	bool fabric;		/* a State other than N/A, Not Supported */
	char state[32];		/* "Completed", "In Progress", ... or "" */
	char status[48];	/* "Success", "Insufficient Resources", ... */
	bool has_clique;	/* CliqueId was a number */
	unsigned long clique;	/* CliqueId */
	char cluster[37];	/* ClusterUUID, lower case; "" for N/A */
	int fabric_line;	/* of the State line; 0 when none */
} nvsmi_gpu_t;

typedef struct {
	nvsmi_gpu_t *gpu;	/* in the order of the file */
	int count;
	int attached;		/* "Attached GPUs", or -1 when not printed */
	bool blank;		/* nothing but blank lines (or nothing) */
	char first[80];		/* the first line that is not blank */
} nvsmi_t;

/*
 * Read the output of "nvidia-smi -q" (with or without -i). Lines the
 * reader does not need are skipped; what it needs and cannot read (a bad
 * bus id, a GPU listed twice, a CliqueId that is no number, a ClusterUUID
 * that is no UUID, a Fabric section outside a GPU, a field twice in one
 * section) is an error. Output without any GPU section (nvidia-smi's own
 * failure message, an empty file) reads as zero GPUs: the caller decides.
 * IN f - the stream; name - its name for messages
 * OUT err - on failure "name:line: problem"
 * RET the GPUs (free with nvsmi_free()), or NULL with err set and errno
 *	EINVAL or ENOMEM
 */
extern nvsmi_t *nvsmi_read(FILE *f, const char *name, tp_error_t *err);

/* Free what nvsmi_read() returned; NULL is accepted. */
extern void nvsmi_free(nvsmi_t *smi);

/*
 * Whether the GPU is registered on a multi-node fabric: state Completed,
 * status Success and a ClusterUUID that is not all zeros (single-node
 * HGX boards report Completed and Success with a zero UUID).
 */
extern bool nvsmi_multinode(const nvsmi_gpu_t *gpu);

/*
 * Whether the GPU's fabric registration did not end well: it has a
 * fabric (nvsmi_gpu_t.fabric) whose state is not Completed or whose
 * status is not Success.
 */
extern bool nvsmi_fabric_failed(const nvsmi_gpu_t *gpu);

#endif /* _TOPOPACK_NVSMI_H */
