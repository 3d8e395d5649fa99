/*****************************************************************************\
 *  topology_topopack.c - TopologyPlugin=topology/topopack: the network as
 *  libtopopack models it, published to Slurm as topology/tree publishes it.
 *
 *  At startup and at every reconfiguration, topology.conf and the optional
 *  topopack.conf (NVLink domains, link capacities) are loaded into a
 *  fabric, published in libtopopack for select/topopack to take (it adds
 *  the GPUs Slurm counts); a file with an error follows the policy of
 *  topopack_conf.h (no start; at a reconfiguration, the fabric in force
 *  stays). Slurm's switch table is then filled from the fabric, so that
 *  what Slurm does
 *  with topology/tree keeps working unchanged: scontrol show topology,
 *  --switches=N@time, cons_tres's topology-aware selection and node
 *  topology addresses. (route/topology of Slurm 22.05 refuses to run
 *  with any topology plugin but topology/tree.)
 *
 *  slurmd loads the plugin too (it builds the table and its node
 *  address); client commands may load it without calling it.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdbool.h>

#include "src/common/slurm_xlator.h"

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/bitstring.h"
#include "src/common/hostlist.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/run_in_daemon.h"
#include "src/common/slurm_topology.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "switch_table.h"
#include "topopack.h"
#include "topopack_conf.h"

/* Required by Slurm's plugin loader. */
const char plugin_name[] = "topology topopack plugin";
const char plugin_type[] = "topology/topopack";
const uint32_t plugin_version = SLURM_VERSION_NUMBER;

/*
 * Defined here so that the plugin links in a program other than slurmctld
 * or slurmd; in those daemons their own definitions take precedence.
 */
#if defined(__APPLE__)
extern node_record_t **node_record_table_ptr __attribute__((weak_import));
extern int node_record_count __attribute__((weak_import));
extern switch_record_t *switch_record_table __attribute__((weak_import));
extern int switch_record_cnt __attribute__((weak_import));
extern int switch_levels __attribute__((weak_import));
#else
node_record_t **node_record_table_ptr;
int node_record_count;
switch_record_t *switch_record_table;
int switch_record_cnt;
int switch_levels;
#endif

static bool _published = false;	/* this plugin published a fabric */

extern int init(void)
{
	verbose("%s loaded", plugin_name);
	return SLURM_SUCCESS;
}

extern int fini(void)
{
	topopack_switch_table_free();
	if (_published)
		(void) tp_fabric_publish(NULL);
	_published = false;
	return SLURM_SUCCESS;
}

/* RET one line that sums up the fabric (xfree it). No GPU count: this
 * runs before slurmctld reads the nodes' GRES, and select/topopack's own
 * line gives the GPUs Slurm counts. */
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

/* The files were refused and the fabric in force stays: its switch table
 * again, for the node table this reconfiguration built. */
static void _keep_fabric_in_force(void)
{
	tp_fabric_t *fabric = tp_fabric_hold(NULL);
	tp_error_t err = { .text = "" };

	if (topopack_switch_table_build(fabric, &err))
		fatal("%s (the fabric in force does not fit slurm.conf either)",
		      err.text);
	tp_fabric_put(fabric);
}

/*
 * topo_build_config - build or rebuild the topology after startup or a
 *	reconfiguration (slurmctld and slurmd)
 * RET SLURM_SUCCESS; a daemon without a fabric stops on errors in the
 *	files (topopack_conf.h)
 */
extern int topo_build_config(void)
{
	tp_error_t err = { .text = "" };
	tp_fabric_t *fabric;
	char *files = NULL, *summary;

	/* Nothing to map the fabric onto before slurm.conf is read. */
	if (!node_record_count)
		return SLURM_SUCCESS;

	fabric = topopack_conf_read(&err, &files);
	if (!fabric || topopack_switch_table_build(fabric, &err)) {
		tp_fabric_free(fabric);
		topopack_conf_refuse(&err);
		_keep_fabric_in_force();
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
	topopack_switch_table_log();
	xfree(files);
	return SLURM_SUCCESS;
}

/*
 * topo_generate_node_ranking - this plugin leaves node_rank alone
 * RET false
 */
extern bool topo_generate_node_ranking(void)
{
	return false;
}

/*
 * topo_get_node_addr - topology address of a node: the switches above it
 *	from the top level down, then the node, e.g. address "s0.s4.tux1"
 *	with pattern "switch.switch.node". Several switches of one level
 *	above the node (a fat tree) are written as a hostlist.
 * IN node_name
 * OUT paddr, ppattern - xmalloc'd strings (xfree them)
 * RET SLURM_SUCCESS, or SLURM_ERROR for a node Slurm does not know
 */
extern int topo_get_node_addr(char *node_name, char **paddr, char **ppattern)
{
	node_record_t *node_ptr;

	if (!switch_record_cnt) {
		*paddr = xstrdup(node_name);
		*ppattern = xstrdup("node");
		return SLURM_SUCCESS;
	}
	if (!(node_ptr = find_node_record(node_name)))
		return SLURM_ERROR;

	*paddr = xstrdup("");
	*ppattern = xstrdup("");
	for (int lvl = switch_levels; lvl >= 0; lvl--) {
		hostlist_t hl = NULL;

		for (int i = 0; i < switch_record_cnt; i++) {
			switch_record_t *s = &switch_record_table[i];

			if ((s->level != lvl) ||
			    !bit_test(s->node_bitmap, node_ptr->index))
				continue;
			if (!hl)
				hl = hostlist_create(s->name);
			else
				hostlist_push_host(hl, s->name);
		}
		if (hl) {
			char *names = hostlist_ranged_string_xmalloc(hl);

			xstrcat(*paddr, names);
			xfree(names);
			hostlist_destroy(hl);
		}
		xstrcat(*paddr, ".");
		xstrcat(*ppattern, "switch.");
	}
	xstrcat(*paddr, node_name);
	xstrcat(*ppattern, "node");
	return SLURM_SUCCESS;
}
