/*****************************************************************************\
 *  slurmctld_weak.h - the Slurm symbols the plugins use that only
 *  slurmctld provides.
 *
 *  slurmd, the client commands and programs linked with the public
 *  libslurm (topopack-status) load the plugins too, and never place jobs
 *  there; select plugins are linked with -z now and loaded by
 *  slurm_load_node(). A strong reference to a symbol those programs lack
 *  (slurmctld's own, or libslurmfull's that libslurm does not export)
 *  would make dlopen() fail, so every such reference is weak. Each plugin
 *  file that uses one of them includes this header, after the Slurm
 *  headers that declare them; a symbol added here covers every file.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SLURMCTLD_WEAK_H
#define _TOPOPACK_SLURMCTLD_WEAK_H

/* slurmctld's own. */
#pragma weak job_list
#pragma weak last_job_update
#pragma weak find_job_record
#pragma weak slurm_find_preemptable_jobs
#pragma weak slurm_job_preempt_mode

/* libslurmfull's, not exported by libslurm. */
#pragma weak bit_and_not
#pragma weak bitmap2node_name
#pragma weak bitstr2inx

#endif /* _TOPOPACK_SLURMCTLD_WEAK_H */
