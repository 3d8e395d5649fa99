/*****************************************************************************\
 *  topology_eval.c - topology/topopack's choice of nodes under
 *  select/cons_tres (Slurm 24.11 and later): the engine places the job on
 *  what the call offers, stock lays it out there.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <pthread.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "slurm_release.h"
#include "slurm_gpus.h"
#include "topology_eval.h"
#include "topology_preempt.h"
#include "topology_recover.h"
#include "topopack_request.h"
#include "topopack_spares.h"

/* The fabric in force, matched to Slurm's node table. */
typedef struct {
	tp_fabric_t *fabric;	/* held; NULL: not built */
	unsigned long generation;	/* of the fabric */
	int slurm_nodes;	/* node_record_count it was built for */
	int nnodes;		/* fabric nodes */
	int *to_fabric;		/* by Slurm node index: fabric node, or -1 */
	int *to_slurm;		/* by fabric node: Slurm node index, or -1 */
	int *leaf_of;		/* by fabric node: leaf number */
	int nleaves;
	int *leaf_nodes;	/* by leaf: its nodes that Slurm knows */
	slurm_fabric_t sf;	/* the above, for the preemption planner */
	tp_live_t *live;	/* the last call's offer, as a state */
	int *free_gpus;		/* by fabric node: free in that offer */
} fabric_map_t;

/* What the engine makes of a call. */
typedef enum {
	CHOICE_NODES,		/* these nodes */
	CHOICE_STOCK,		/* left to topology/tree's algorithm */
	CHOICE_NONE,		/* no nodes: wait for the planned block */
} choice_t;

/* Calls come from slurmctld's scheduling threads under its locks; this
 * guards the map against a reconfiguration publishing a new fabric. */
static pthread_mutex_t _lock = PTHREAD_MUTEX_INITIALIZER;
static fabric_map_t _map;

static void _map_free(void)
{
	if (_map.fabric)
		tp_fabric_put(_map.fabric);
	xfree(_map.to_fabric);
	xfree(_map.to_slurm);
	xfree(_map.leaf_of);
	xfree(_map.leaf_nodes);
	tp_live_free(_map.live);
	xfree(_map.free_gpus);
	memset(&_map, 0, sizeof(_map));
}

static void _differs(void *arg __attribute__((unused)), const char *text)
{
	error("topopack: %s", text);
}

/* Give the fabric the GPU counts Slurm has for its nodes (slurm.conf and
 * gres.conf): they win over topopack.conf. RET 0 or -1 (logged). */
static int _inventory(tp_fabric_t *fabric)
{
	tp_node_gpus_t *gpus = xcalloc(node_record_count + 1, sizeof(*gpus));
	tp_inventory_t inv = { .node = gpus, .differs = _differs };
	tp_error_t err = { .text = "" };
	node_record_t *node_ptr;
	int rc;

	for (int i = 0; (node_ptr = next_node(&i)); i++) {
		gpus[inv.count].name = node_ptr->name;
		gpus[inv.count].gpus = topopack_node_gpu_config(
			node_ptr, &gpus[inv.count].gpu_type);
		inv.count++;
	}
	rc = tp_fabric_set_inventory(fabric, &inv, &err);
	if (rc)
		error("topopack: the fabric cannot take Slurm's GPU counts, jobs are placed by topology/tree: %s",
		      err.text);
	xfree(gpus);
	return rc;
}

/* Number the leaves: by fabric node, the leaf it is under. */
static void _number_leaves(void)
{
	int nsw = tp_fabric_switch_count(_map.fabric);
	tp_switch_info_t sw;

	_map.leaf_nodes = xcalloc(nsw + 1, sizeof(int));
	for (int s = 0; s < nsw; s++) {
		if (tp_fabric_switch(_map.fabric, s, &sw) || sw.level)
			continue;
		for (int k = 0; k < sw.nnodes; k++) {
			_map.leaf_of[sw.nodes[k]] = _map.nleaves;
			if (_map.to_slurm[sw.nodes[k]] >= 0)
				_map.leaf_nodes[_map.nleaves]++;
		}
		_map.nleaves++;
	}
}

/*
 * Make _map match the fabric in force and the node table (with _lock),
 * at the first placement after a start or reconfiguration: the nodes'
 * configured GPUs are not known yet when the plugin builds its
 * configuration. RET 0, or -1 when there is no usable fabric.
 */
static int _map_current(void)
{
	unsigned long generation;
	tp_fabric_t *fabric = tp_fabric_hold(&generation);
	node_record_t *node_ptr;
	char *spares;
	int outside = 0;

	if (!fabric) {
		_map_free();
		return -1;
	}
	if ((fabric == _map.fabric) && (generation == _map.generation) &&
	    (_map.slurm_nodes == node_record_count)) {
		tp_fabric_put(fabric);
		return 0;
	}
	_map_free();
	if (_inventory(fabric)) {
		tp_fabric_put(fabric);
		return -1;
	}
	_map.fabric = fabric;
	_map.generation = generation;
	_map.slurm_nodes = node_record_count;
	_map.nnodes = tp_fabric_node_count(fabric);
	_map.to_fabric = xcalloc(node_record_count + 1, sizeof(int));
	_map.to_slurm = xcalloc(_map.nnodes + 1, sizeof(int));
	_map.leaf_of = xcalloc(_map.nnodes + 1, sizeof(int));
	for (int i = 0; i < node_record_count; i++)
		_map.to_fabric[i] = -1;
	for (int f = 0; f < _map.nnodes; f++) {
		node_ptr = find_node_record(
			(char *) tp_fabric_node_name(fabric, f));
		_map.to_slurm[f] = node_ptr ? (int) node_ptr->index : -1;
		if (node_ptr)
			_map.to_fabric[node_ptr->index] = f;
		else
			outside++;
	}
	_number_leaves();
	if (!(_map.live = tp_live_new(fabric))) {
		error("topopack: out of memory; jobs are placed by topology/tree");
		_map_free();
		return -1;
	}
	_map.free_gpus = xcalloc(_map.nnodes + 1, sizeof(int));
	for (int f = 0; f < _map.nnodes; f++)
		_map.free_gpus[f] = -1;	/* read at the first offer */
	_map.sf.fabric = fabric;
	_map.sf.nnodes = _map.nnodes;
	_map.sf.to_slurm = _map.to_slurm;
	_map.sf.slurm_count = node_record_count;
	_map.sf.to_fabric = _map.to_fabric;
	if (outside)
		info("topopack: %d fabric nodes are not in slurm.conf and are never chosen",
		     outside);
	/* The words of select/topopack's line in 22.05. */
	spares = topopack_spares_describe(fabric);
	info("fabric: %d nodes, %d GPUs, %d leaves, %d NVLink domains, GPUs from slurm.conf/gres.conf%s",
	     _map.nnodes, tp_fabric_gpu_count(fabric),
	     tp_fabric_leaf_count(fabric), tp_fabric_domain_count(fabric),
	     spares);
	xfree(spares);
	return 0;
}

/* tp_usage_read_t of the live state: the offer's free GPUs. */
static int _usage(void *arg __attribute__((unused)), int f, tp_usage_t *out)
{
	int total = tp_fabric_node_gpus(_map.fabric, f);

	memset(out, 0, sizeof(*out));
	out->used_gpus = (_map.free_gpus[f] < 0) ? 0 :
		total - _map.free_gpus[f];
	out->users = out->used_gpus ? 1 : 0;
	return 0;
}

/*
 * The call's offer as a state: GPUs free where avail_res_array says, the
 * nodes outside node_map unavailable. Calls come many times per job and
 * scheduling pass with offers that differ in a few nodes: only the nodes
 * whose offer changed since the last call are set again.
 * RET the state, or NULL (logged)
 */
static const tp_state_t *_offer(topology_eval_t *te, bool gpus)
{
	tp_error_t err = { .text = "" };
	int s, total, free_gpus;
	bool offered;

	for (int f = 0; f < _map.nnodes; f++) {
		s = _map.to_slurm[f];
		offered = (s >= 0) && bit_test(te->node_map, s) &&
			te->avail_res_array[s];
		(void) tp_live_offer(_map.live, f, offered);
		if (!offered)
			continue;
		total = tp_fabric_node_gpus(_map.fabric, f);
		/* A job without GPUs takes whole idle nodes (the only ones
		 * such a job is given to the engine for). */
		free_gpus = gpus ?
			MIN(te->avail_res_array[s]->avail_gpus, total) : total;
		if (free_gpus != _map.free_gpus[f]) {
			_map.free_gpus[f] = free_gpus;
			tp_live_touch(_map.live, f);
		}
	}
	if (tp_live_sync(_map.live, _usage, NULL, &err) < 0) {
		error("topopack: %s; the job is placed by topology/tree",
		      err.text);
		return NULL;
	}
	return tp_live_state(_map.live);
}

/* Whether the call offers every node of the block with its GPUs. */
static bool _offers(topology_eval_t *te, const tp_placement_t *block,
		    bool gpus)
{
	for (int k = 0; k < block->count; k++) {
		int s = _map.to_slurm[block->node[k]];

		if ((s < 0) || !bit_test(te->node_map, s) ||
		    !te->avail_res_array[s] ||
		    (gpus && (te->avail_res_array[s]->avail_gpus <
			      block->gpus[k])))
			return false;
	}
	return true;
}

static bitstr_t *_bitmap(const tp_placement_t *p)
{
	bitstr_t *nodes = bit_alloc(node_record_count);

	for (int k = 0; k < p->count; k++)
		bit_set(nodes, _map.to_slurm[p->node[k]]);
	return nodes;
}

/* The engine's nodes for the job among the offer (with _lock): a job
 * recovering from a node failure (own: its hold) goes back where it ran
 * if it can (topology_recover.h), a job that preempts takes its planned
 * block or nothing (topology_preempt.h), any other the engine's
 * placement on the offer. */
static choice_t _choose(topology_eval_t *te, const topopack_hold_t *own,
			bitstr_t **chosen)
{
	job_record_t *job_ptr = te->job_ptr;
	tp_error_t err = { .text = "" };
	tp_placement_t p = { 0 };
	const tp_placement_t *block;
	const char *why = NULL;
	tp_request_t req;
	const tp_state_t *state;
	choice_t choice = CHOICE_STOCK;
	bool gpus;

	if (_map_current())
		return CHOICE_STOCK;
	if (topopack_request_from_job(job_ptr, te->min_nodes, te->max_nodes,
				      te->req_nodes, _map.nnodes, &req,
				      &why)) {
		debug2("topopack: %pJ left to topology/tree: %s", job_ptr,
		       why);
		return CHOICE_STOCK;
	}
	/* avail_gpus counts only GPUs of the type the job asks for. */
	req.gpu_type = NULL;
	gpus = req.gpus_per_node || req.total_gpus;
	block = NULL;
	switch (own ? topology_recover_choose(te, &_map.sf, _map.leaf_of,
					      _map.generation, &req, own,
					      chosen, &block) :
		RECOVER_ANYWHERE) {
	case RECOVER_NODES:
		return CHOICE_NODES;
	case RECOVER_WAIT:
		return CHOICE_NONE;
	case RECOVER_BLOCK:
	case RECOVER_ANYWHERE:
		break;
	}
	if (block || (block = topology_preempt_block(&_map.sf,
						     _map.generation,
						     job_ptr, &req, NULL))) {
		if (!_offers(te, block, gpus))
			return CHOICE_NONE;
		*chosen = _bitmap(block);
		return CHOICE_NODES;
	}
	if (!(state = _offer(te, gpus)))
		return CHOICE_STOCK;
	if (tp_place(state, TP_POLICY_TOPOPACK, &req, &p, &err)) {
		debug2("topopack: %pJ left to topology/tree: %s", job_ptr,
		       err.text);
	} else {
		*chosen = _bitmap(&p);
		choice = CHOICE_NODES;
	}
	tp_placement_clear(&p);
	return choice;
}

/* Copies of the available cores of the chosen nodes, which stock's
 * evaluation may clear. */
static bitstr_t **_save_cores(bitstr_t **avail_core, bitstr_t *chosen)
{
	bitstr_t **saved;

	if (!avail_core)
		return NULL;
	saved = xcalloc(node_record_count, sizeof(bitstr_t *));
	for (int i = 0; next_node_bitmap(chosen, &i); i++)
		if (avail_core[i])
			saved[i] = bit_copy(avail_core[i]);
	return saved;
}

/* Put the saved cores back (avail_core NULL: only free the copies). */
static void _restore_cores(bitstr_t **avail_core, bitstr_t **saved)
{
	if (!saved)
		return;
	for (int i = 0; i < node_record_count; i++) {
		if (!saved[i])
			continue;
		if (avail_core && avail_core[i])
			bit_copybits(avail_core[i], saved[i]);
		FREE_NULL_BITMAP(saved[i]);
	}
	xfree(saved);
}

static int _eval(topology_eval_t *te, topology_eval_fn_t stock)
{
	bitstr_t *chosen = NULL, *offered, **cores, *held;
	topopack_hold_t own;
	bool recovering;
	choice_t choice;
	char *names;
	int rc;

	slurm_mutex_lock(&_lock);
	/* Nodes held for a job recovering from a node failure are not
	 * another job's; those that failed under it not its own. */
	topology_recover_watch();
	recovering = recover_hold_narrow(te->job_ptr, te->node_map, &own);
	/* Nodes held for a job that preempts are not another job's. */
	if ((held = topology_preempt_held(te->job_ptr))) {
		bit_and_not(te->node_map, held);
		FREE_NULL_BITMAP(held);
	}
	/* Spare nodes only for preemptable and recovering jobs, whoever
	 * places the job (topopack_spares.h). */
	if (!_map_current())
		topopack_spares_narrow(te->job_ptr, _map.fabric,
				       _map.to_fabric, _map.slurm_nodes,
				       te->node_map);
	choice = _choose(te, recovering ? &own : NULL, &chosen);
	if (recovering)
		topopack_hold_free(&own);
	slurm_mutex_unlock(&_lock);
	if (choice == CHOICE_STOCK)
		return stock(te);
	if (choice == CHOICE_NONE) {
		debug2("topopack: %pJ waits for its planned block", te->job_ptr);
		return SLURM_ERROR;
	}

	offered = bit_copy(te->node_map);
	cores = _save_cores(te->avail_core, chosen);
	bit_and(te->node_map, chosen);
	rc = stock(te);
	if (rc == SLURM_SUCCESS) {
		names = bitmap2node_name(te->node_map);
		debug("topopack: %pJ on %s (of %d offered)", te->job_ptr,
		      names, bit_set_count(offered));
		xfree(names);
		_restore_cores(NULL, cores);
	} else {
		/* Something the engine does not model (CPUs, memory,
		 * sockets) rules its nodes out: stock's choice then. */
		debug("topopack: %pJ does not fit the engine's nodes in CPUs or memory; left to topology/tree",
		      te->job_ptr);
		bit_copybits(te->node_map, offered);
		_restore_cores(te->avail_core, cores);
		rc = stock(te);
	}
	FREE_NULL_BITMAP(offered);
	FREE_NULL_BITMAP(chosen);
	return rc;
}

extern int topopack_eval_nodes(topology_eval_t *te, topology_eval_fn_t stock)
{
	int rc = _eval(te, stock);

	/* Where a job that asked for recovery may be about to run. */
	if (rc == SLURM_SUCCESS) {
		slurm_mutex_lock(&_lock);
		topology_recover_placed(te->job_ptr, te->node_map);
		slurm_mutex_unlock(&_lock);
	}
	return rc;
}

extern uint32_t topopack_eval_fragmentation(bitstr_t *node_mask)
{
	uint32_t frag = 0;
	int *free_in_leaf, s;

	slurm_mutex_lock(&_lock);
	if (_map_current() || !_map.nleaves) {
		slurm_mutex_unlock(&_lock);
		return 0;
	}
	free_in_leaf = xcalloc(_map.nleaves, sizeof(int));
	for (int f = 0; f < _map.nnodes; f++) {
		s = _map.to_slurm[f];
		if ((s >= 0) && bit_test(node_mask, s))
			free_in_leaf[_map.leaf_of[f]]++;
	}
	for (int l = 0; l < _map.nleaves; l++)
		if (free_in_leaf[l] < _map.leaf_nodes[l])
			frag += free_in_leaf[l];
	xfree(free_in_leaf);
	slurm_mutex_unlock(&_lock);
	return frag;
}

extern void topopack_eval_fini(void)
{
	slurm_mutex_lock(&_lock);
	topology_recover_fini();
	topology_preempt_fini();
	_map_free();
	slurm_mutex_unlock(&_lock);
}
