/*****************************************************************************\
 *  slurm_release.h - what differs between the Slurm releases topopack
 *  builds against, in the headers its plugins share.
 *
 *  Slurm 22.05 and 24.11 or later (SLURM_VERSION_NUMBER, from the tree
 *  named by --with-slurm-source). The entry points that differ are in
 *  plugin/topology/topopack/topology_api.c; everything else the plugins
 *  use of Slurm is the same in every release they build against.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SLURM_RELEASE_H
#define _TOPOPACK_SLURM_RELEASE_H

#include "slurm/slurm.h"

/* 24.11 and later: Slurm's topology plugin chooses nodes. */
#define TOPOPACK_TOPOLOGY_API \
	(SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(24, 11, 0))

#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 2, 0)
#include "src/interfaces/gres.h"
/* A job's GPUs are always consumed: the per-job flag is gone. */
#define TOPOPACK_GRES_JOB_NO_CONSUME(gres_js) ((void) (gres_js), false)
#else
#include "src/common/gres.h"
#define TOPOPACK_GRES_JOB_NO_CONSUME(gres_js) \
	((gres_js)->flags & GRES_NO_CONSUME)
#endif

/* slurm_job_preempt_mode() and the PREEMPT_MODE_* it returns. */
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 2, 0)
#include "src/interfaces/preempt.h"
#else
#include "src/slurmctld/preempt.h"
#endif

#if SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(23, 2, 0)
/* The names later releases give them. */
typedef struct job_details job_details_t;
typedef struct xlist list_t;
#endif

#endif /* _TOPOPACK_SLURM_RELEASE_H */
