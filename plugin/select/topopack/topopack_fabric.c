/*****************************************************************************\
 *  topopack_fabric.c - the fabric select/topopack places on, and the map
 *  between Slurm's node indices and the fabric's.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <pthread.h>
#include <string.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "topopack_conf.h"
#include "topopack_fabric.h"
#include "topopack_spares.h"
#include "topopack_nodes.h"

static pthread_mutex_t _lock = PTHREAD_MUTEX_INITIALIZER;
static topopack_fabric_t *_current = NULL;
static bool _loaded = false;	/* a load was tried since init */
static char *_last_line = NULL;	/* what the last load said */

static void _free(topopack_fabric_t *tf)
{
	if (!tf)
		return;
	tp_live_free(tf->live);
	FREE_NULL_BITMAP(tf->offered);
	tp_state_free(tf->idle);
	tp_fabric_put(tf->fabric);
	xfree(tf->leaf);
	xfree(tf->to_slurm);
	xfree(tf->to_fabric);
	xfree(tf);
}

/* Number the leaves: nodes under one leaf switch share a number. */
static void _number_leaves(topopack_fabric_t *tf)
{
	const char **names = xcalloc(tf->nnodes + 1, sizeof(char *));
	int nleaves = 0, last = 0;

	tf->leaf = xcalloc(tf->nnodes + 1, sizeof(int));
	for (int n = 0; n < tf->nnodes; n++) {
		const char *name = tp_fabric_node_leaf(tf->fabric, n);
		int l;

		/* Nodes of a leaf are mostly consecutive. */
		if (nleaves && !xstrcmp(names[last], name)) {
			tf->leaf[n] = last;
			continue;
		}
		for (l = 0; (l < nleaves) && xstrcmp(names[l], name); l++)
			;
		if (l == nleaves)
			names[nleaves++] = name;
		tf->leaf[n] = last = l;
	}
	xfree(names);
}

/* Say what was loaded: at info level when it differs from the last load
 * (slurmctld reconfigures right after starting), else at debug level. */
static void _log_fabric(topopack_fabric_t *tf)
{
	char *line = NULL, *spares;

	xstrfmtcat(line, "fabric: %d nodes, %d GPUs, %d leaves, %d NVLink domains, GPUs from slurm.conf/gres.conf",
		   tf->nnodes, tp_fabric_gpu_count(tf->fabric),
		   tp_fabric_leaf_count(tf->fabric),
		   tp_fabric_domain_count(tf->fabric));
	spares = topopack_spares_describe(tf->fabric);
	xstrcat(line, spares);
	xfree(spares);
	if (xstrcmp(line, _last_line))
		info("%s", line);
	else
		debug("%s", line);
	xfree(_last_line);
	_last_line = line;
}

/* topopack.conf disagrees with Slurm: worth an administrator's look. */
static void _differs(void *arg __attribute__((unused)), const char *text)
{
	error("topopack: %s", text);
}

/* Each Slurm node's configured GPUs, for the fabric to take. */
static tp_node_gpus_t *_inventory(int *count)
{
	tp_node_gpus_t *inv = xcalloc(node_record_count + 1, sizeof(*inv));
	node_record_t *node_ptr;
	int n = 0;

	for (int i = 0; i < node_record_count; i++) {
		if (!(node_ptr = node_record_table_ptr[i]))
			continue;
		inv[n].name = node_ptr->name;
		inv[n].gpus = topopack_node_gpu_config(node_ptr,
						       &inv[n].gpu_type);
		n++;
	}
	*count = n;
	return inv;
}

/* With another TopologyPlugin nobody has read the files for this
 * (re)configuration: read them here, under the same policy. */
static void _read_files_unless_topology_did(void)
{
	tp_error_t err = { { 0 } };
	tp_fabric_t *fabric;
	char *files = NULL;

	if (!xstrcmp(slurm_conf.topology_plugin, "topology/topopack"))
		return;
	if ((fabric = topopack_conf_read(&err, &files)))
		(void) tp_fabric_publish(fabric);
	else
		topopack_conf_refuse(&err);
	xfree(files);
}

/* The process's fabric with the GPUs Slurm counts, or NULL. */
static topopack_fabric_t *_load(void)
{
	topopack_fabric_t *tf = NULL;
	tp_inventory_t inv = { .differs = _differs };
	tp_node_gpus_t *gpus;
	tp_fabric_t *fabric;
	tp_error_t err = { { 0 } };

	_read_files_unless_topology_did();
	if (!(fabric = tp_fabric_hold(NULL))) {
		error("no fabric: every job is placed by select/cons_tres alone");
		return NULL;
	}
	gpus = _inventory(&inv.count);
	inv.node = gpus;
	if (tp_fabric_set_inventory(fabric, &inv, &err)) {
		error("fabric not usable, every job is placed by select/cons_tres alone: %s",
		      err.text);
		tp_fabric_put(fabric);
		goto fini;
	}
	tf = xmalloc(sizeof(*tf));
	tf->fabric = fabric;
	tf->nnodes = tp_fabric_node_count(fabric);
	if (!(tf->idle = tp_state_new(fabric))) {
		error("fabric not usable: out of memory");
		_free(tf);
		tf = NULL;
		goto fini;
	}
	_number_leaves(tf);
	_log_fabric(tf);
fini:
	xfree(gpus);
	return tf;
}

/* Match Slurm's nodes to the fabric's by name. */
static void _map(topopack_fabric_t *tf)
{
	node_record_t *node_ptr;
	int outside = 0;

	xfree(tf->to_slurm);
	xfree(tf->to_fabric);
	tf->to_slurm = xcalloc(tf->nnodes + 1, sizeof(int));
	tf->to_fabric = xcalloc(node_record_count + 1, sizeof(int));
	for (int f = 0; f < tf->nnodes; f++)
		tf->to_slurm[f] = -1;
	for (int i = 0; i < node_record_count; i++) {
		int f = -1;

		if ((node_ptr = node_record_table_ptr[i]))
			f = tp_fabric_node_index(tf->fabric, node_ptr->name);
		tf->to_fabric[i] = f;
		if (f >= 0)
			tf->to_slurm[f] = i;
		else if (node_ptr)
			outside++;
	}
	tf->slurm_count = node_record_count;
	tf->slurm_table = node_record_table_ptr;
	/* Indices changed: what the nodes hold and offer is read anew. */
	tp_live_free(tf->live);
	FREE_NULL_BITMAP(tf->offered);
	if (!(tf->live = tp_live_new(tf->fabric)))
		error("topopack: out of memory for the allocation state; jobs are placed by select/cons_tres alone");
	if (outside != tf->outside)
		info("%d of Slurm's nodes are not in the fabric; select/cons_tres alone places jobs on them",
		     outside);
	tf->outside = outside;
}

extern int topopack_fabric_reload(void)
{
	topopack_fabric_t *tf;

	slurm_mutex_lock(&_lock);
	tf = _load();
	_free(_current);
	_current = tf;
	_loaded = true;
	slurm_mutex_unlock(&_lock);
	return tf ? SLURM_SUCCESS : SLURM_ERROR;
}

/* Read what events touched; with DebugFlags=SelectType, first compare
 * everything else with a recount: a difference is an event missed. */
static void _sync(topopack_fabric_t *tf)
{
	tp_error_t err = { { 0 } };
	int differ;

	if ((slurm_conf.debug_flags & DEBUG_FLAG_SELECT_TYPE) &&
	    (differ = tp_live_check(tf->live, topopack_nodes_usage, tf,
				    &err))) {
		error("topopack: allocation state differs from a recount on %d nodes, recounted: %s",
		      differ, err.text);
		tp_live_touch_all(tf->live);
	}
	if (tp_live_sync(tf->live, topopack_nodes_usage, tf, &err) < 0)
		error("topopack: %s", err.text);
}

extern topopack_fabric_t *topopack_fabric_lock(void)
{
	slurm_mutex_lock(&_lock);
	if (!_loaded) {
		_current = _load();
		_loaded = true;
	}
	if (_current && (!_current->to_fabric ||
			 (_current->slurm_count != node_record_count) ||
			 (_current->slurm_table != node_record_table_ptr)))
		_map(_current);
	if (_current && !_current->live)
		return NULL;	/* out of memory: said by _map() */
	return _current;
}

extern void topopack_fabric_unlock(void)
{
	slurm_mutex_unlock(&_lock);
}

/* Slurm nodes in exactly one of a and b (both of one size). */
static bitstr_t *_differ(bitstr_t *a, bitstr_t *b)
{
	bitstr_t *only_a = bit_copy(a), *only_b = bit_copy(b);

	bit_and_not(only_a, b);
	bit_and_not(only_b, a);
	bit_or(only_a, only_b);
	FREE_NULL_BITMAP(only_b);
	return only_a;
}

/* Make the live state's available nodes those of node_bitmap, changing
 * only the nodes that differ from the last call. */
static void _offer(topopack_fabric_t *tf, bitstr_t *node_bitmap)
{
	bitstr_t *changed;
	int32_t *range;

	if (tf->offered && (bit_size(tf->offered) == bit_size(node_bitmap)) &&
	    bit_equal(tf->offered, node_bitmap))
		return;
	if (tf->offered && (bit_size(tf->offered) == bit_size(node_bitmap))) {
		changed = _differ(tf->offered, node_bitmap);
	} else {
		/* From all offered: the nodes withheld change. */
		for (int f = 0; f < tf->nnodes; f++)
			(void) tp_live_offer(tf->live, f, true);
		changed = bit_copy(node_bitmap);
		bit_not(changed);
	}
	range = bitstr2inx(changed);
	for (int k = 0; range && range[k] >= 0; k += 2)
		for (int i = range[k]; i <= range[k + 1]; i++) {
			int f = (i < tf->slurm_count) ? tf->to_fabric[i] : -1;

			if (f >= 0)
				(void) tp_live_offer(tf->live, f,
						     bit_test(node_bitmap, i));
		}
	xfree(range);
	FREE_NULL_BITMAP(changed);
	FREE_NULL_BITMAP(tf->offered);
	tf->offered = bit_copy(node_bitmap);
}

extern const tp_state_t *topopack_fabric_state(topopack_fabric_t *tf,
					       bitstr_t *node_bitmap)
{
	_offer(tf, node_bitmap);
	_sync(tf);
	return tp_live_state(tf->live);
}

/* Touch Slurm node index i; fabric locked. */
static void _touch(int i)
{
	if (_current && _current->live && _current->to_fabric &&
	    (i >= 0) && (i < _current->slurm_count))
		tp_live_touch(_current->live, _current->to_fabric[i]);
}

extern void topopack_fabric_touch_job(job_record_t *job_ptr)
{
	int32_t *range;

	if (!job_ptr->node_bitmap)
		return;
	slurm_mutex_lock(&_lock);
	range = bitstr2inx(job_ptr->node_bitmap);
	for (int k = 0; range && range[k] >= 0; k += 2)
		for (int i = range[k]; i <= range[k + 1]; i++)
			_touch(i);
	xfree(range);
	slurm_mutex_unlock(&_lock);
}

extern void topopack_fabric_touch_node(int index)
{
	slurm_mutex_lock(&_lock);
	_touch(index);
	slurm_mutex_unlock(&_lock);
}

extern void topopack_fabric_touch_all(void)
{
	slurm_mutex_lock(&_lock);
	if (_current && _current->live)
		tp_live_touch_all(_current->live);
	slurm_mutex_unlock(&_lock);
}

extern slurm_fabric_t topopack_fabric_slurm(const topopack_fabric_t *tf)
{
	slurm_fabric_t sf = {
		.fabric = tf->fabric,
		.nnodes = tf->nnodes,
		.to_slurm = tf->to_slurm,
		.slurm_count = tf->slurm_count,
		.to_fabric = tf->to_fabric,
	};

	return sf;
}

extern void topopack_fabric_remap(void)
{
	slurm_mutex_lock(&_lock);
	if (_current)
		xfree(_current->to_fabric);
	slurm_mutex_unlock(&_lock);
}

extern void topopack_fabric_drop(void)
{
	slurm_mutex_lock(&_lock);
	_free(_current);
	_current = NULL;
	_loaded = false;
	xfree(_last_line);
	slurm_mutex_unlock(&_lock);
}
