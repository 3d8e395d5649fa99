/*****************************************************************************\
 *  topopack_fabric.c - the fabric select/topopack places on, and the map
 *  between Slurm's node indices and the fabric's.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "src/common/slurm_xlator.h"

#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "topopack_fabric.h"

static pthread_mutex_t _lock = PTHREAD_MUTEX_INITIALIZER;
static topopack_fabric_t *_current = NULL;
static char *_last_line = NULL;	/* what the last load said */

static void _free(topopack_fabric_t *tf)
{
	if (!tf)
		return;
	tp_state_free(tf->idle);
	tp_fabric_free(tf->fabric);
	xfree(tf->leaf);
	xfree(tf->to_slurm);
	xfree(tf->to_fabric);
	xfree(tf);
}

/* RET path of the optional file (xfree it), or NULL when it is absent. */
static char *_optional_conf(char *name)
{
	char *path = get_extra_conf_path(name);

	if (access(path, F_OK) && (errno == ENOENT))
		xfree(path);
	return path;
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
static void _log_fabric(topopack_fabric_t *tf, const char *topo_conf,
			const char *pack_conf)
{
	char *line = NULL;

	xstrfmtcat(line, "fabric: %d nodes, %d GPUs, %d leaves, %d NVLink domains from %s%s%s",
		   tf->nnodes, tp_fabric_gpu_count(tf->fabric),
		   tp_fabric_leaf_count(tf->fabric),
		   tp_fabric_domain_count(tf->fabric), topo_conf,
		   pack_conf ? " and " : "",
		   pack_conf ? pack_conf :
		   " (no topopack.conf: nodes have no GPUs)");
	if (xstrcmp(line, _last_line))
		info("%s", line);
	else
		debug("%s", line);
	xfree(_last_line);
	_last_line = line;
}

static topopack_fabric_t *_load(void)
{
	char *topo_conf = get_extra_conf_path("topology.conf");
	char *pack_conf = _optional_conf("topopack.conf");
	topopack_fabric_t *tf = NULL;
	tp_fabric_t *fabric;
	tp_error_t err = { { 0 } };

	if (!(fabric = tp_fabric_load(topo_conf, pack_conf, &err))) {
		error("fabric not loaded, every job is placed by select/cons_tres alone: %s",
		      err.text);
		goto fini;
	}
	tf = xmalloc(sizeof(*tf));
	tf->fabric = fabric;
	tf->nnodes = tp_fabric_node_count(fabric);
	if (!(tf->idle = tp_state_new(fabric))) {
		error("fabric not loaded: out of memory");
		_free(tf);
		tf = NULL;
		goto fini;
	}
	_number_leaves(tf);
	_log_fabric(tf, topo_conf, pack_conf);
fini:
	xfree(topo_conf);
	xfree(pack_conf);
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
	slurm_mutex_unlock(&_lock);
	return tf ? SLURM_SUCCESS : SLURM_ERROR;
}

extern topopack_fabric_t *topopack_fabric_lock(void)
{
	slurm_mutex_lock(&_lock);
	if (_current && (!_current->to_fabric ||
			 (_current->slurm_count != node_record_count) ||
			 (_current->slurm_table != node_record_table_ptr)))
		_map(_current);
	return _current;
}

extern void topopack_fabric_unlock(void)
{
	slurm_mutex_unlock(&_lock);
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
	xfree(_last_line);
	slurm_mutex_unlock(&_lock);
}
