/*****************************************************************************\
 *  topopack_conf.h - the fabric's files as slurmctld and slurmd find them,
 *  and what happens when one of them is wrong.
 *
 *  topology.conf and the optional topopack.conf are read from Slurm's
 *  configuration directory, once per (re)configuration, by the topology
 *  plugin (or by select/topopack when another TopologyPlugin is
 *  configured), and the fabric is published in libtopopack for every
 *  plugin of the process (tp_fabric_publish()).
 *
 *  Failure policy, the same for both plugins: a file with an error stops
 *  a daemon that has no fabric yet (it refuses to start, and says
 *  file:line); at a reconfiguration, the error is logged with file:line
 *  and the fabric loaded before stays in force until the files are fixed
 *  and the daemon reconfigured again. (Slurm 22.05 gives a plugin no way
 *  to refuse a reconfiguration: the rest of slurm.conf takes effect.)
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_CONF_H
#define _TOPOPACK_CONF_H

#include "topopack.h"

/*
 * Read topology.conf and topopack.conf (when it exists).
 * OUT err - on failure, the error with file:line
 * OUT files - "topology.conf path[ and topopack.conf path]" (xfree it)
 * RET the fabric (not published yet), or NULL
 */
extern tp_fabric_t *topopack_conf_read(tp_error_t *err, char **files);

/*
 * Apply the failure policy to err: fatal() when no fabric is in force
 * (tp_fabric_hold() finds none), else log it and keep the fabric in
 * force.
 */
extern void topopack_conf_refuse(const tp_error_t *err);

#endif /* _TOPOPACK_CONF_H */
