/*****************************************************************************\
 *  conf_readers_private.h - readers that fill a fabric builder from Slurm's
 *  topology.conf and from topopack.conf.
 *
 *  Both read Slurm-style files (see conf_file_private.h) and report problems as
 *  "file:line: problem"; the builder checks what needs the whole model
 *  (cycles, missing children, unknown nodes ...) and reports the same way.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_CONF_READERS_PRIVATE_H
#define _TOPOPACK_CONF_READERS_PRIVATE_H

#include "fabric_private.h"

/*
 * Read a topology.conf as Slurm 22.05's topology/tree does:
 *	SwitchName=<name> [Switches=<hostlist>] [Nodes=<hostlist>]
 *	[LinkSpeed=<n>]
 * SwitchName is taken literally (one switch per line); Switches= and
 * Nodes= are hostlists. LinkSpeed is checked as Slurm checks it and then
 * ignored: topopack.conf gives link speeds.
 * IN/OUT b - builder to add switches and nodes to
 * IN path - the file
 * OUT err - on failure "file:line: problem" (or "path: strerror")
 * RET 0, or -1 with errno; b may then hold part of the file: free it
 */
extern int tp_topology_conf_read(tp_builder_t *b, const char *path,
				 tp_error_t *err);

/*
 * Read a topopack.conf, after the topology.conf that declares its nodes
 * and switches:
 *	NodeName=<hostlist>|DEFAULT [Gpus=<0..1024>] [GpuType=<word>]
 *		[Nics=<n>] [NicNames=<hostlist>] [NicSpeed=<Gb/s>]
 *	DomainName=<name> Nodes=<hostlist> [NvlinkSpeed=<Gb/s per GPU>]
 *	SwitchName=<name> [Uplinks=<n>] [UplinkSpeed=<Gb/s>]
 *	NvlinkSpeed=<Gb/s per GPU>
 * NodeName=DEFAULT sets values for the NodeName lines after it and, at the
 * end of the file, for the nodes no NodeName line names.
 * IN/OUT b - builder filled by tp_topology_conf_read()
 * IN path - the file
 * OUT err - on failure "file:line: problem" (or "path: strerror")
 * RET 0, or -1 with errno; b may then be partly updated: free it
 */
extern int tp_topopack_conf_read(tp_builder_t *b, const char *path,
				 tp_error_t *err);

#endif /* _TOPOPACK_CONF_READERS_PRIVATE_H */
