/*****************************************************************************\
 *  preempt_tally.c - the preemption counters in StateSaveLocation.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <pthread.h>
#include <string.h>

#include "src/common/slurm_xlator.h"

#include "src/common/log.h"
#include "src/common/macros.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "topopack.h"

#include "preempt_tally.h"

/* The main scheduler and backfill both preempt: the file is read and
 * rewritten by one of them at a time. */
static pthread_mutex_t _lock = PTHREAD_MUTEX_INITIALIZER;

extern void preempt_tally_add(int jobs, double lost_gpu_seconds)
{
	tp_preempt_tally_t t = { 0 };
	tp_error_t err = { .text = "" };
	char *path = NULL;

	if (!slurm_conf.state_save_location)
		return;
	xstrfmtcat(path, "%s/%s", slurm_conf.state_save_location,
		   TP_PREEMPT_TALLY_FILE);
	slurm_mutex_lock(&_lock);
	/* Reading the file each time keeps no state in the plugin: a
	 * restarted slurmctld goes on from what the last one wrote. */
	if (tp_preempt_tally_read(path, &t, &err)) {
		error("topopack: %s; counting preemptions from zero again",
		      err.text);
		memset(&t, 0, sizeof(t));
	}
	tp_preempt_tally_add(&t, jobs, lost_gpu_seconds);
	if (tp_preempt_tally_write(path, &t, &err))
		error("topopack: preemption counters not saved: %s",
		      err.text);
	slurm_mutex_unlock(&_lock);
	xfree(path);
}
