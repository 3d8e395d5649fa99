/*****************************************************************************\
 *  topology_api.c - topology/topopack's entry points, release by release:
 *  the one place where the Slurm releases differ.
 *
 *  22.05 (topo_*): the plugin publishes the fabric and fills Slurm's
 *  global switch table from it, as topology/tree would from the same
 *  topology.conf; select/topopack places the jobs.
 *
 *  24.11 and later (topology_p_*): Slurm's topology plugin chooses nodes
 *  for cons_tres. topology_p_eval_nodes lets the engine choose among the
 *  nodes the call offers (topology_eval.c) and hands that choice to
 *  topology/tree's own evaluation, which lays out cores and GRES on
 *  exactly those nodes. Everything else a topology plugin does (switch
 *  table, scontrol show topology, message routing, --exclusive=topo,
 *  node ranking) is topology/tree's, loaded from PluginDir: it reads the
 *  same topology.conf. The symbols each release looks up, and their
 *  arguments:
 *	24.11	14 symbols, no context argument
 *	25.05	+ plugin_type, supports_exclusive_topo, add_rm_node,
 *		destroy_config; topology_ctx_t / void * context arguments;
 *		print takes a unit
 *	25.11	topology_* renamed topoinfo_*; + jobinfo_*, get_topology_str;
 *		fini returns nothing
 *	26.05	+ allow_one_node, eval_node (one-node fast path), get_rank
 *  Slurm refuses the plugin when one of its release's symbols is missing.
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
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "slurm_release.h"
#include "topology_topopack.h"

#define SINCE(major, minor) \
	(SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(major, minor, 0))

#if !TOPOPACK_TOPOLOGY_API
/*****************************************************************************\
 *  Slurm 22.05
\*****************************************************************************/

#include "src/common/slurm_topology.h"

#include "switch_table.h"

/*
 * Defined here so that the plugin links in a program other than slurmctld
 * or slurmd; in those daemons their own definitions take precedence.
 */
node_record_t **node_record_table_ptr;
int node_record_count;
switch_record_t *switch_record_table;
int switch_record_cnt;
int switch_levels;

extern int init(void)
{
	verbose("%s loaded", "topology/topopack");
	return SLURM_SUCCESS;
}

extern int fini(void)
{
	topopack_switch_table_free();
	topology_fabric_unload();
	return SLURM_SUCCESS;
}

/*
 * topo_build_config - build or rebuild the topology after startup or a
 *	reconfiguration (slurmctld and slurmd)
 * RET SLURM_SUCCESS; a daemon without a fabric stops on errors in the
 *	files (topopack_conf.h)
 */
extern int topo_build_config(void)
{
	/* Nothing to map the fabric onto before slurm.conf is read. */
	if (!node_record_count)
		return SLURM_SUCCESS;
	topology_fabric_load(topopack_switch_table_build);
	topopack_switch_table_log();
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

#else /* TOPOPACK_TOPOLOGY_API */
/*****************************************************************************\
 *  Slurm 24.11 and later
\*****************************************************************************/

#include "src/common/plugin.h"
#include "src/interfaces/topology.h"

#include "topology_eval.h"

/*
 * Ours, so that Slurm tells the topology this plugin packs from
 * topology/tree's (100-104 are Slurm's own plugins).
 */
const uint32_t plugin_id = 190;
/*
 * From 25.05 most calls carry the topology's context (that of
 * topology/tree, which this plugin hands the calls to): TCTX_ARG /
 * TCTX for the trailing void * argument, TCTX_ONLY / TCTX_ONLY_ARG for
 * the topology_ctx_t * that is the only argument of some.
 */
#if SINCE(25, 5)
const bool supports_exclusive_topo = false;
#define TCTX_ARG , void *tctx
#define TCTX , tctx
#define TCTX_ONLY topology_ctx_t *tctx
#define TCTX_ONLY_ARG tctx
#else
#define TCTX_ARG
#define TCTX
#define TCTX_ONLY void
#define TCTX_ONLY_ARG
#endif

/* Node tables, for a program other than slurmctld or slurmd (see 22.05). */
node_record_t **node_record_table_ptr;
int node_record_count;
int active_node_record_count;

/* topology/tree's entry points that this plugin hands work to. */
typedef struct {
	int (*build_config)(TCTX_ONLY);
	int (*eval_nodes)(topology_eval_t *topo_eval);
	int (*whole_topo)(bitstr_t *node_mask TCTX_ARG);
	bitstr_t *(*get_bitmap)(char *name TCTX_ARG);
	bool (*node_ranking)(TCTX_ONLY);
	int (*get_node_addr)(char *node_name, char **addr, char **pattern
			     TCTX_ARG);
	int (*split_hostlist)(hostlist_t *hl, hostlist_t ***sp_hl,
			      int *count, uint16_t tree_width TCTX_ARG);
	int (*get)(topology_data_t type, void *data TCTX_ARG);
	int (*topoinfo_free)(void *topoinfo_ptr);
	int (*topoinfo_pack)(void *topoinfo_ptr, buf_t *buffer,
			     uint16_t protocol_version);
#if SINCE(25, 5)
	int (*topoinfo_print)(void *topoinfo_ptr, char *nodes_list,
			      char *unit, char **out);
#else
	int (*topoinfo_print)(void *topoinfo_ptr, char *nodes_list,
			      char **out);
#endif
	int (*topoinfo_unpack)(void **topoinfo_pptr, buf_t *buffer,
			       uint16_t protocol_version);
#if SINCE(25, 5)
	int (*add_rm_node)(node_record_t *node_ptr, char *unit,
			   topology_ctx_t *tctx);
	int (*destroy_config)(topology_ctx_t *tctx);
#endif
#if SINCE(25, 11)
	void (*jobinfo_free)(void *topo_jobinfo);
	void (*jobinfo_pack)(void *topo_jobinfo, buf_t *buffer,
			     uint16_t protocol_version);
	int (*jobinfo_unpack)(void **topo_jobinfo, buf_t *buffer,
			      uint16_t protocol_version);
	int (*jobinfo_get)(topology_jobinfo_type_t type, void *topo_jobinfo,
			   void *data);
	void (*get_topology_str)(node_record_t *node_ptr,
				 char **topology_str_ptr,
				 topology_ctx_t *tctx);
#endif
#if SINCE(26, 5)
	int (*eval_node)(topology_eval_t *topo_eval, int node_inx);
	int (*get_rank)(bitstr_t *node_bitmap, uint32_t **node_rank,
			uint32_t *size, void *tctx);
#endif
} tree_ops_t;

/* In the order of tree_ops_t. */
static const char *_tree_syms[] = {
	"topology_p_build_config",
	"topology_p_eval_nodes",
	"topology_p_whole_topo",
	"topology_p_get_bitmap",
	"topology_p_generate_node_ranking",
	"topology_p_get_node_addr",
	"topology_p_split_hostlist",
	"topology_p_get",
#if SINCE(25, 11)
	"topology_p_topoinfo_free",
	"topology_p_topoinfo_pack",
	"topology_p_topoinfo_print",
	"topology_p_topoinfo_unpack",
#else
	"topology_p_topology_free",
	"topology_p_topology_pack",
	"topology_p_topology_print",
	"topology_p_topology_unpack",
#endif
#if SINCE(25, 5)
	"topology_p_add_rm_node",
	"topology_p_destroy_config",
#endif
#if SINCE(25, 11)
	"topology_p_jobinfo_free",
	"topology_p_jobinfo_pack",
	"topology_p_jobinfo_unpack",
	"topology_p_jobinfo_get",
	"topology_p_get_topology_str",
#endif
#if SINCE(26, 5)
	"topology_p_eval_node",
	"topology_p_get_rank",
#endif
};

_Static_assert(sizeof(_tree_syms) / sizeof(_tree_syms[0]) ==
	       sizeof(tree_ops_t) / sizeof(void *),
	       "symbol list and tree_ops_t differ");

static plugin_context_t *_tree_context = NULL;
static tree_ops_t _tree;

extern int init(void)
{
	_tree_context = plugin_context_create("topo", "topology/tree",
					      (void **) &_tree, _tree_syms,
					      sizeof(_tree_syms));
	if (!_tree_context) {
		error("topology/topopack: cannot load topology/tree from PluginDir %s: it keeps the switch table for Slurm",
		      slurm_conf.plugindir);
		return SLURM_ERROR;
	}
	verbose("%s loaded", "topology/topopack");
	return SLURM_SUCCESS;
}

static void _fini(void)
{
	topopack_eval_fini();
	topology_fabric_unload();
	if (_tree_context)
		(void) plugin_context_destroy(_tree_context);
	_tree_context = NULL;
}

#if SINCE(25, 11)
extern void fini(void)
{
	_fini();
}
#else
extern int fini(void)
{
	_fini();
	return SLURM_SUCCESS;
}
#endif

/*
 * topology_p_build_config - after startup or a reconfiguration: the
 *	fabric from topology.conf and topopack.conf, and topology/tree's
 *	switch table from topology.conf
 */
extern int topology_p_build_config(TCTX_ONLY)
{
	/* Nothing to map the fabric onto before slurm.conf is read. */
	if (node_record_count)
		topology_fabric_load(NULL);
	return _tree.build_config(TCTX_ONLY_ARG);
}

/*
 * topology_p_eval_nodes - choose nodes for a job among topo_eval->node_map
 *	(topology_eval.c), then topology/tree's evaluation on them
 */
extern int topology_p_eval_nodes(topology_eval_t *topo_eval)
{
	return topopack_eval_nodes(topo_eval, _tree.eval_nodes);
}

extern int topology_p_whole_topo(bitstr_t *node_mask TCTX_ARG)
{
	return _tree.whole_topo(node_mask TCTX);
}

extern bitstr_t *topology_p_get_bitmap(char *name TCTX_ARG)
{
	return _tree.get_bitmap(name TCTX);
}

extern bool topology_p_generate_node_ranking(TCTX_ONLY)
{
	return _tree.node_ranking(TCTX_ONLY_ARG);
}

extern int topology_p_get_node_addr(char *node_name, char **paddr,
				    char **ppattern TCTX_ARG)
{
	return _tree.get_node_addr(node_name, paddr, ppattern TCTX);
}

extern int topology_p_split_hostlist(hostlist_t *hl, hostlist_t ***sp_hl,
				     int *count, uint16_t tree_width TCTX_ARG)
{
	return _tree.split_hostlist(hl, sp_hl, count, tree_width TCTX);
}

/*
 * topology_p_get - topology/tree's answer; the topology it returns is
 *	labelled with this plugin's id, which Slurm checks when it packs it
 */
extern int topology_p_get(topology_data_t type, void *data TCTX_ARG)
{
	int rc = _tree.get(type, data TCTX);

	if ((rc == SLURM_SUCCESS) && (type == TOPO_DATA_TOPOLOGY_PTR) &&
	    *(dynamic_plugin_data_t **) data)
		(*(dynamic_plugin_data_t **) data)->plugin_id = plugin_id;
	return rc;
}

/*
 * topology_p_get_fragmentation - free nodes outside wholly free leaves
 *	(topology_eval.c); backfill's topology options (bf_topopt) prefer
 *	the start times that leave fewer of them
 */
extern uint32_t topology_p_get_fragmentation(bitstr_t *node_mask TCTX_ARG)
{
	/* The fabric is this plugin's own, not topology/tree's context. */
#if SINCE(25, 5)
	(void) tctx;
#endif
	return topopack_eval_fragmentation(node_mask);
}

#if SINCE(25, 11)
#define TOPOINFO(name) topology_p_topoinfo_##name
#else
#define TOPOINFO(name) topology_p_topology_##name
#endif

extern int TOPOINFO(free)(void *topoinfo_ptr)
{
	return _tree.topoinfo_free(topoinfo_ptr);
}

extern int TOPOINFO(pack)(void *topoinfo_ptr, buf_t *buffer,
			  uint16_t protocol_version)
{
	return _tree.topoinfo_pack(topoinfo_ptr, buffer, protocol_version);
}

#if SINCE(25, 5)
extern int TOPOINFO(print)(void *topoinfo_ptr, char *nodes_list, char *unit,
			   char **out)
{
	return _tree.topoinfo_print(topoinfo_ptr, nodes_list, unit, out);
}
#else
extern int TOPOINFO(print)(void *topoinfo_ptr, char *nodes_list, char **out)
{
	return _tree.topoinfo_print(topoinfo_ptr, nodes_list, out);
}
#endif

extern int TOPOINFO(unpack)(void **topoinfo_pptr, buf_t *buffer,
			    uint16_t protocol_version)
{
	return _tree.topoinfo_unpack(topoinfo_pptr, buffer, protocol_version);
}

#if SINCE(25, 5)
extern int topology_p_add_rm_node(node_record_t *node_ptr, char *unit,
				  topology_ctx_t *tctx)
{
	return _tree.add_rm_node(node_ptr, unit, tctx);
}

extern int topology_p_destroy_config(topology_ctx_t *tctx)
{
	return _tree.destroy_config(tctx);
}
#endif

#if SINCE(25, 11)
extern void topology_p_jobinfo_free(void *topo_jobinfo)
{
	_tree.jobinfo_free(topo_jobinfo);
}

extern void topology_p_jobinfo_pack(void *topo_jobinfo, buf_t *buffer,
				    uint16_t protocol_version)
{
	_tree.jobinfo_pack(topo_jobinfo, buffer, protocol_version);
}

extern int topology_p_jobinfo_unpack(void **topo_jobinfo, buf_t *buffer,
				     uint16_t protocol_version)
{
	return _tree.jobinfo_unpack(topo_jobinfo, buffer, protocol_version);
}

extern int topology_p_jobinfo_get(topology_jobinfo_type_t type,
				  void *topo_jobinfo, void *data)
{
	return _tree.jobinfo_get(type, topo_jobinfo, data);
}

extern void topology_p_get_topology_str(node_record_t *node_ptr,
					char **topology_str_ptr,
					topology_ctx_t *tctx)
{
	_tree.get_topology_str(node_ptr, topology_str_ptr, tctx);
}
#endif

#if SINCE(26, 5)
/*
 * topology_p_allow_one_node - no: cons_tres's one-node fast path would
 *	take the first node that fits; one-node jobs go through
 *	topology_p_eval_nodes like the others (fullest leaf and domain,
 *	then the tightest node)
 */
extern bool topology_p_allow_one_node(void *tctx __attribute__((unused)))
{
	return false;
}

extern int topology_p_eval_node(topology_eval_t *topo_eval, int node_inx)
{
	return _tree.eval_node(topo_eval, node_inx);
}

extern int topology_p_get_rank(bitstr_t *node_bitmap, uint32_t **node_rank,
			       uint32_t *size, void *tctx)
{
	return _tree.get_rank(node_bitmap, node_rank, size, tctx);
}
#endif

#endif /* TOPOPACK_TOPOLOGY_API */
