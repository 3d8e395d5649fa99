/*****************************************************************************\
 *  preempt_tally.h - slurmctld's count of the preemptions topopack carried
 *  out, kept in StateSaveLocation/topopack_preempt_state so that it
 *  survives restarts; topopack-status exports it as Prometheus counters.
 *  Used by select/topopack (22.05) and topology/topopack (24.11+) where
 *  each logs "topopack: preempt JobId=... lost_gpu_seconds=...".
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_PREEMPT_TALLY_H
#define _TOPOPACK_PREEMPT_TALLY_H

/*
 * Add one carried-out plan to the file: read, add, write atomically
 * (tp_preempt_tally_write). A file that cannot be read or written is
 * logged as an error and the preemption itself goes on; an unreadable
 * (corrupt) file is replaced by a count starting from this plan. Thread
 * safe.
 * IN jobs - jobs the plan preempts
 * IN lost_gpu_seconds - the work they lose, as logged
 */
extern void preempt_tally_add(int jobs, double lost_gpu_seconds);

#endif /* _TOPOPACK_PREEMPT_TALLY_H */
