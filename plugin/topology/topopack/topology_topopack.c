/*****************************************************************************\
 *  topology_topopack.c - TopologyPlugin=topology/topopack: the network as
 *  libtopopack models it.
 *
 *  At startup and at every reconfiguration, topology.conf and the optional
 *  topopack.conf (NVLink domains, link capacities) are loaded into a
 *  fabric and published in libtopopack; a file with an error follows the
 *  policy of topopack_conf.h (no start; at a reconfiguration, the fabric
 *  in force stays). What the plugin does with it depends on the Slurm
 *  release (topology_api.c): in 22.05 it fills Slurm's switch table and
 *  select/topopack places jobs on the fabric; from 24.11 on it places
 *  jobs itself through topology_p_eval_nodes (topology_eval.c) and leaves
 *  the rest of a topology plugin's work to topology/tree.
 *
 *  slurmd and the client commands load the plugin too.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdbool.h>

#include "src/common/slurm_xlator.h"

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/log.h"
#include "src/common/run_in_daemon.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "topology_topopack.h"
#include "topopack_conf.h"

/* Required by Slurm's plugin loader. */
const char plugin_name[] = "topology topopack plugin";
const char plugin_type[] = "topology/topopack";
const uint32_t plugin_version = SLURM_VERSION_NUMBER;

static bool _published = false;	/* this plugin published a fabric */

/* RET one line that sums up the fabric (xfree it). No GPU count: in 22.05
 * this runs before slurmctld reads the nodes' GRES, and the GPUs used are
 * the ones Slurm counts. */
static char *_fabric_summary(const tp_fabric_t *fabric, const char *files)
{
	char *line = NULL;
	int levels = tp_fabric_level_count(fabric);
	int switch_levels_above = levels - TP_LVL_SWITCH;

	xstrfmtcat(line, "fabric: %d nodes, %d leaves, %d NVLink domains, %d levels (node, domain, leaf, %d switch level%s) from %s",
		   tp_fabric_node_count(fabric), tp_fabric_leaf_count(fabric),
		   tp_fabric_domain_count(fabric), levels,
		   switch_levels_above, (switch_levels_above == 1) ? "" : "s",
		   files);
	return line;
}

/* The files were refused and the fabric in force stays: fit it to the
 * node table this reconfiguration built. */
static void _keep_fabric_in_force(topology_fit_t fit)
{
	tp_fabric_t *fabric = tp_fabric_hold(NULL);
	tp_error_t err = { .text = "" };

	if (fit && fit(fabric, &err))
		fatal("%s (the fabric in force does not fit slurm.conf either)",
		      err.text);
	tp_fabric_put(fabric);
}

extern void topology_fabric_load(topology_fit_t fit)
{
	tp_error_t err = { .text = "" };
	tp_fabric_t *fabric;
	char *files = NULL, *summary;

	fabric = topopack_conf_read(&err, &files);
	if (!fabric || (fit && fit(fabric, &err))) {
		tp_fabric_free(fabric);
		topopack_conf_refuse(&err);
		_keep_fabric_in_force(fit);
	} else {
		(void) tp_fabric_publish(fabric);
		_published = true;
		summary = _fabric_summary(fabric, files);
		/* Every slurmd loads it too: one line each would be noise. */
		if (running_in_slurmctld())
			info("%s", summary);
		else
			verbose("%s", summary);
		xfree(summary);
	}
	xfree(files);
}

extern void topology_fabric_unload(void)
{
	if (_published)
		(void) tp_fabric_publish(NULL);
	_published = false;
}
