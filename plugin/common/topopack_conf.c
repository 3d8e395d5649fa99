/*****************************************************************************\
 *  topopack_conf.c - the fabric's files as slurmctld and slurmd find them,
 *  and what happens when one of them is wrong (see topopack_conf.h).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <unistd.h>

#include "src/common/slurm_xlator.h"

#include "src/common/log.h"
#include "src/common/read_config.h"
#include "src/common/run_in_daemon.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "topopack_conf.h"

extern tp_fabric_t *topopack_conf_read(tp_error_t *err, char **files)
{
	char *topo_conf = get_extra_conf_path("topology.conf");
	char *pack_conf = get_extra_conf_path("topopack.conf");
	tp_fabric_t *fabric;

	/* topopack.conf is optional: Slurm's files alone are complete. */
	if (access(pack_conf, F_OK) && (errno == ENOENT)) {
		debug("no %s: no NVLink domains or link capacities beyond topology.conf",
		      pack_conf);
		xfree(pack_conf);
	}
	*files = xstrdup_printf("%s%s%s", topo_conf, pack_conf ? " and " : "",
				pack_conf ? pack_conf : "");
	/* Once per start or reconfigure: worth a line in slurmctld's log. */
	if (running_in_slurmctld())
		info("topopack: reading %s", *files);
	else
		debug("topopack: reading %s", *files);
	fabric = tp_fabric_load(topo_conf, pack_conf, err);
	xfree(topo_conf);
	xfree(pack_conf);
	return fabric;
}

extern void topopack_conf_refuse(const tp_error_t *err)
{
	tp_fabric_t *in_force = tp_fabric_hold(NULL);

	if (!in_force)
		fatal("%s", err->text);
	tp_fabric_put(in_force);
	error("%s; the fabric loaded before stays in force until the file is fixed and the daemon reconfigured",
	      err->text);
}
