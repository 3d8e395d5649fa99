/*****************************************************************************\
 *  cons_tres.c - select/cons_tres loaded inside select/topopack.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <pthread.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/plugin.h"
#include "src/common/select.h"

#include "cons_tres.h"

/*
 * Symbol names in the order of slurm_select_ops_t, as Slurm's select.c
 * lists them for every select plugin.
 */
static const char *_syms[] = {
	"plugin_id",
	"select_p_state_save",
	"select_p_state_restore",
	"select_p_job_init",
	"select_p_node_init",
	"select_p_job_test",
	"select_p_job_begin",
	"select_p_job_ready",
	"select_p_job_expand",
	"select_p_job_resized",
	"select_p_job_signal",
	"select_p_job_fini",
	"select_p_job_suspend",
	"select_p_job_resume",
	"select_p_step_pick_nodes",
	"select_p_step_start",
	"select_p_step_finish",
	"select_p_select_nodeinfo_pack",
	"select_p_select_nodeinfo_unpack",
	"select_p_select_nodeinfo_alloc",
	"select_p_select_nodeinfo_free",
	"select_p_select_nodeinfo_set_all",
	"select_p_select_nodeinfo_set",
	"select_p_select_nodeinfo_get",
	"select_p_select_jobinfo_alloc",
	"select_p_select_jobinfo_free",
	"select_p_select_jobinfo_set",
	"select_p_select_jobinfo_get",
	"select_p_select_jobinfo_copy",
	"select_p_select_jobinfo_pack",
	"select_p_select_jobinfo_unpack",
	"select_p_select_jobinfo_sprint",
	"select_p_select_jobinfo_xstrdup",
	"select_p_get_info_from_plugin",
	"select_p_update_node_config",
	"select_p_reconfigure",
	"select_p_resv_test",
};

_Static_assert(sizeof(_syms) / sizeof(_syms[0]) ==
	       sizeof(slurm_select_ops_t) / sizeof(void *),
	       "symbol list and slurm_select_ops_t differ");

static pthread_mutex_t _lock = PTHREAD_MUTEX_INITIALIZER;
static plugin_context_t *_context = NULL;
static slurm_select_ops_t _ops;
static bool _loaded = false;	/* _ops is complete */
static bool _failed = false;	/* a load failed; said once */

extern int cons_tres_load(void)
{
	int rc = SLURM_SUCCESS;

	slurm_mutex_lock(&_lock);
	if (_loaded)
		goto fini;
	_context = plugin_context_create("select", "select/cons_tres",
					 (void **) &_ops, _syms,
					 sizeof(_syms));
	if (!_context) {
		if (!_failed)
			error("cannot load select/cons_tres from PluginDir %s: select/topopack needs it for everything but the choice of nodes",
			      slurm_conf.plugindir);
		_failed = true;
		rc = SLURM_ERROR;
		goto fini;
	}
	__atomic_store_n(&_loaded, true, __ATOMIC_RELEASE);
	debug("select/cons_tres loaded (plugin_id %u)", *_ops.plugin_id);
fini:
	slurm_mutex_unlock(&_lock);
	return rc;
}

extern slurm_select_ops_t *cons_tres_ops(void)
{
	return __atomic_load_n(&_loaded, __ATOMIC_ACQUIRE) ? &_ops : NULL;
}

extern slurm_select_ops_t *cons_tres_ops_load(void)
{
	if (cons_tres_ops() || (cons_tres_load() == SLURM_SUCCESS))
		return &_ops;
	return NULL;
}

extern void cons_tres_unload(void)
{
	slurm_mutex_lock(&_lock);
	if (_context)
		plugin_context_destroy(_context);
	_context = NULL;
	__atomic_store_n(&_loaded, false, __ATOMIC_RELEASE);
	_failed = false;
	slurm_mutex_unlock(&_lock);
}

extern int cons_tres_test_on(const cons_tres_call_t *call, bitstr_t *nodes,
			     bool preempt, List victims)
{
	job_record_t *job_ptr = call->job_ptr;
	bitstr_t *try = bit_copy(nodes);	/* cons_tres clears bits */
	uint64_t now_only = job_ptr->bit_flags & TEST_NOW_ONLY;
	List *preempted = preempt ? call->preemptee_job_list : NULL;
	int rc;

	if (preempted)
		FREE_NULL_LIST(*preempted);
	if (!preempt && (call->mode == SELECT_MODE_WILL_RUN))
		job_ptr->bit_flags |= TEST_NOW_ONLY;
	rc = (*call->cons->job_test)(job_ptr, try, call->min_nodes,
				     call->max_nodes, call->req_nodes,
				     call->mode, preempt ? victims : NULL,
				     preempted,
				     call->exc_core_bitmap);
	job_ptr->bit_flags = (job_ptr->bit_flags & ~TEST_NOW_ONLY) | now_only;
	if (rc == SLURM_SUCCESS)
		bit_copybits(call->node_bitmap, try);
	else if (preempted)
		FREE_NULL_LIST(*preempted);
	FREE_NULL_BITMAP(try);
	return rc;
}
