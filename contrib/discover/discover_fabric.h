/*****************************************************************************\
 *  discover_fabric.h - "topopack-discover fabric": topology.conf from an
 *  ibnetdiscover dump.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_DISCOVER_FABRIC_H
#define _TOPOPACK_DISCOVER_FABRIC_H

/* Usage lines of the subcommand. */
extern const char discover_fabric_usage[];

/*
 * Run the subcommand with its arguments (argv[0] is "fabric").
 * RET the exit status: 0, 1 on a bad dump or map file, 2 on bad usage
 */
extern int discover_fabric(int argc, char **argv);

#endif /* _TOPOPACK_DISCOVER_FABRIC_H */
