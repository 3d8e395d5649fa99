/*****************************************************************************\
 *  topopack_report.h - how good a started job's placement is, in
 *  slurmctld's log and in the job's comment.
 *
 *  One line per job start:
 *	topopack: JobId=N nodes=<hostlist> leaves=L domains=D max_hops=H
 *	busbw=BGB/s efficiency=E
 *  (metrics of libtopopack's tp_metrics() over the job's nodes that are
 *  in the fabric: B the predicted all-reduce bus bandwidth per GPU in
 *  GB/s, E in [0, 1] against the best placement of the same shape, see
 *  topopack(7), PLACEMENT QUALITY; " outside_fabric=K" is added when K
 *  nodes are not).
 *  The same line becomes the job's comment when the job has none, or
 *  when its comment is such a line from an earlier start (a requeued
 *  job), so that "scontrol show job" and "squeue -o %k" show it.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SELECT_REPORT_H
#define _TOPOPACK_SELECT_REPORT_H

#include "src/slurmctld/slurmctld.h"

/*
 * Report the placement of a job that is starting (select_p_job_begin:
 * job_ptr->node_bitmap holds its nodes; job locks held). Does nothing
 * without a fabric or when none of the job's nodes is in it.
 */
extern void topopack_report_job(job_record_t *job_ptr);

#endif /* _TOPOPACK_SELECT_REPORT_H */
