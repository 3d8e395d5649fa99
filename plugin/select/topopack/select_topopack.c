/*****************************************************************************\
 *  select_topopack.c - SelectType=select/topopack: topology-aware GPU
 *  placement on top of select/cons_tres.
 *
 *  select/cons_tres does all the work Slurm expects of a select plugin:
 *  cores, memory, GRES, job and node records, state files, steps. This
 *  plugin loads it (cons_tres.c) and hands it every call; the one thing
 *  it adds is which nodes a job may take: select_p_job_test and
 *  select_p_resv_test narrow the node bitmap to libtopopack's placement
 *  before cons_tres chooses (topopack_pick.c), and a starting job's
 *  placement quality is logged and shown in its comment
 *  (topopack_report.c). A job that asked to be recovered after a node
 *  failure has its surviving nodes kept for it (topopack_recover.c).
 *
 *  Where it runs:
 *  - slurmctld with SelectType=select/topopack: places jobs. The fabric
 *    (topology.conf, the optional topopack.conf and each node's GPUs
 *    from slurm.conf/gres.conf) is loaded at the first reconfiguration,
 *    which slurmctld makes when its node records are complete, and again
 *    at every later one (topopack_fabric.c). Job start, end, suspend,
 *    resume and resize tell it which nodes changed.
 *  - slurmd, slurmstepd, client commands: they load the select plugin to
 *    pack and unpack job and node data; the plugin forwards those calls
 *    and loads no fabric, using no symbol found only in slurmctld.
 *  - any process configured with another SelectType: Slurm loads every
 *    select plugin it finds in PluginDir, this one included. It then
 *    stays idle: init() does nothing, and cons_tres is loaded only if
 *    data tagged with this plugin's id has to be read (see plugin_id).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "src/common/slurm_xlator.h"

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/log.h"
#include "src/common/run_in_daemon.h"
#include "src/common/select.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "cons_tres.h"
#include "recover_hold.h"
#include "topopack_fabric.h"
#include "topopack_pick.h"
#include "topopack_preempt.h"
#include "topopack_recover.h"
#include "topopack_report.h"

/*
 * plugin_id: Slurm's select.c packs, before every node and job select
 * record it sends or saves (select_g_select_nodeinfo_pack,
 * select_g_select_jobinfo_pack: squeue, sinfo, scontrol, slurmd's job
 * credentials, slurmctld's state files), the plugin_id of the plugin
 * that made the record; the receiver looks that id up among the select
 * plugins it loaded (select_get_plugin_id_pos) and has that plugin
 * unpack the rest. select_g_init() also refuses two loaded plugins with
 * one id, and every process loads all select plugins of PluginDir, so
 * cons_tres's id (SELECT_PLUGIN_CONS_TRES, 109) cannot be reused here:
 * the daemons and commands would stop with "Duplicate plugin_id".
 *
 * So select/topopack has an id of its own, and its pack and unpack
 * functions forward to cons_tres: the records are cons_tres's, tagged
 * with this id. Every command and daemon of a cluster that runs
 * select/topopack has the plugin anyway (SelectType names it), finds
 * the id and unpacks through cons_tres. Records saved under this id
 * (slurmctld's job state) can be read after SelectType goes back to
 * select/cons_tres as long as the plugin stays in PluginDir; slurmctld
 * then swaps them for records of its new SelectType, as select.c does
 * for any foreign id.
 *
 * What the own id changes: code that compares the id with cons_tres's
 * sees another plugin. In 22.05 that is scontrol's and sview's check of
 * CoreCnt= for reservations (state_control_corecnt_supported()), which
 * then refuses core-count reservations; node-count reservations and
 * everything else work. Checks of the plugin type (SELECT_CR_PLUGIN)
 * reach cons_tres through select_p_get_info_from_plugin and answer
 * cons_tres, as they should.
 */
#define SELECT_PLUGIN_TOPOPACK 190

/* Required by Slurm's plugin loader. */
const char plugin_name[] = "topology-aware GPU placement over select/cons_tres";
const char plugin_type[] = "select/topopack";
const uint32_t plugin_id = SELECT_PLUGIN_TOPOPACK;
const uint32_t plugin_version = SLURM_VERSION_NUMBER;

/*
 * Defined here, as select/cons_tres does, so that the plugin loads in
 * programs linked with the public libslurm (which does not export them),
 * such as topopack-status: slurm_load_node() loads every select plugin.
 * In slurmctld, slurmd and the commands linked with libslurmfull, their
 * own definitions take precedence.
 */
node_record_t **node_record_table_ptr;
int node_record_count;

static bool _placing = false;	/* SelectType is ours, in slurmctld */

extern int init(void)
{
	if (xstrcasecmp(slurm_conf.select_type, plugin_type)) {
		debug("idle: SelectType is %s", slurm_conf.select_type);
		return SLURM_SUCCESS;
	}
	if (cons_tres_load() != SLURM_SUCCESS)
		return SLURM_ERROR;
	/* The fabric is loaded at the first reconfigure, which slurmctld
	 * makes once its node records have their GRES. */
	_placing = running_in_slurmctld();
	verbose("%s loaded%s", plugin_type,
		_placing ? "" : " (forwarding to select/cons_tres)");
	return SLURM_SUCCESS;
}

extern int fini(void)
{
	if (_placing) {
		topopack_preempt_fini();
		topopack_fabric_drop();
	}
	cons_tres_unload();
	_placing = false;
	return SLURM_SUCCESS;
}

/*
 * cons_tres's entry points. Loaded at init when this plugin is the
 * SelectType; otherwise on first use (unpacking a record of this id).
 */
static slurm_select_ops_t *_cons(void)
{
	return cons_tres_ops_load();
}

/* Call cons_tres's FUNC; RET_ERR when it cannot be loaded. */
#define CONS(RET_ERR, FUNC, ...)					\
	do {								\
		slurm_select_ops_t *_ops = _cons();			\
		if (!_ops)						\
			return RET_ERR;					\
		return (*_ops->FUNC)(__VA_ARGS__);			\
	} while (0)

extern int select_p_state_save(char *dir_name)
{
	CONS(SLURM_ERROR, state_save, dir_name);
}

extern int select_p_state_restore(char *dir_name)
{
	CONS(SLURM_ERROR, state_restore, dir_name);
}

extern int select_p_job_init(List job_list)
{
	if (_placing)
		topopack_fabric_touch_all();
	CONS(SLURM_ERROR, job_init, job_list);
}

extern int select_p_node_init(void)
{
	if (_placing)
		topopack_fabric_remap();
	CONS(SLURM_ERROR, node_init);
}

/*
 * IN/OUT job_ptr - the job; its start_time is set in WILL_RUN mode
 * IN/OUT node_bitmap - usable nodes in, the nodes chosen out
 * IN min_nodes, max_nodes, req_nodes - node counts for this partition
 * IN mode - SELECT_MODE_RUN_NOW, SELECT_MODE_TEST_ONLY or
 *	SELECT_MODE_WILL_RUN; all go through the same placement
 * IN preemptee_candidates, IN/OUT preemptee_job_list, IN exc_core_bitmap
 *	- for cons_tres, see topopack_pick.h for when they are passed
 * RET SLURM_SUCCESS, or an error as cons_tres returns it
 */
extern int select_p_job_test(job_record_t *job_ptr, bitstr_t *node_bitmap,
			     uint32_t min_nodes, uint32_t max_nodes,
			     uint32_t req_nodes, uint16_t mode,
			     List preemptee_candidates,
			     List *preemptee_job_list,
			     bitstr_t *exc_core_bitmap)
{
	cons_tres_call_t call = {
		.cons = _cons(), .job_ptr = job_ptr,
		.node_bitmap = node_bitmap, .min_nodes = min_nodes,
		.max_nodes = max_nodes, .req_nodes = req_nodes, .mode = mode,
		.preemptee_candidates = preemptee_candidates,
		.preemptee_job_list = preemptee_job_list,
		.exc_core_bitmap = exc_core_bitmap,
	};

	if (!call.cons)
		return SLURM_ERROR;
	if (!_placing)
		return (*call.cons->job_test)(job_ptr, node_bitmap, min_nodes,
					      max_nodes, req_nodes, mode,
					      preemptee_candidates,
					      preemptee_job_list,
					      exc_core_bitmap);
	return topopack_pick_job(&call);
}

extern int select_p_job_begin(job_record_t *job_ptr)
{
	slurm_select_ops_t *cons = _cons();
	int rc;

	if (!cons)
		return SLURM_ERROR;
	rc = (*cons->job_begin)(job_ptr);
	if ((rc == SLURM_SUCCESS) && _placing) {
		topopack_fabric_touch_job(job_ptr);
		topopack_preempt_job_started(job_ptr);
		recover_hold_started(job_ptr);
		topopack_report_job(job_ptr);
	}
	return rc;
}

extern int select_p_job_ready(job_record_t *job_ptr)
{
	CONS(-1, job_ready, job_ptr);
}

extern int select_p_job_expand(job_record_t *from_job_ptr,
			       job_record_t *to_job_ptr)
{
	if (_placing) {
		topopack_fabric_touch_job(from_job_ptr);
		topopack_fabric_touch_job(to_job_ptr);
	}
	CONS(SLURM_ERROR, job_expand, from_job_ptr, to_job_ptr);
}

extern int select_p_job_resized(job_record_t *job_ptr,
				node_record_t *node_ptr)
{
	if (_placing && node_ptr)
		topopack_fabric_touch_node(node_ptr->index);
	CONS(SLURM_ERROR, job_resized, job_ptr, node_ptr);
}

extern int select_p_job_signal(job_record_t *job_ptr, int signal)
{
	CONS(SLURM_ERROR, job_signal, job_ptr, signal);
}

/* Nodes are read again at the next placement, when slurmctld has
 * finished updating them (it changes the job counts after these calls).
 * A job requeued for a node failure may have its nodes held
 * (topopack_recover.h). */
extern int select_p_job_fini(job_record_t *job_ptr)
{
	if (_placing) {
		topopack_fabric_touch_job(job_ptr);
		topopack_recover_job_fini(job_ptr);
	}
	CONS(SLURM_ERROR, job_fini, job_ptr);
}

extern int select_p_job_suspend(job_record_t *job_ptr, bool indf_susp)
{
	if (_placing)
		topopack_fabric_touch_job(job_ptr);
	CONS(SLURM_ERROR, job_suspend, job_ptr, indf_susp);
}

extern int select_p_job_resume(job_record_t *job_ptr, bool indf_susp)
{
	if (_placing)
		topopack_fabric_touch_job(job_ptr);
	CONS(SLURM_ERROR, job_resume, job_ptr, indf_susp);
}

extern bitstr_t *select_p_step_pick_nodes(job_record_t *job_ptr,
					  select_jobinfo_t *jobinfo,
					  uint32_t node_count,
					  bitstr_t **avail_nodes)
{
	CONS(NULL, step_pick_nodes, job_ptr, jobinfo, node_count,
	     avail_nodes);
}

extern int select_p_step_start(step_record_t *step_ptr)
{
	CONS(SLURM_ERROR, step_start, step_ptr);
}

extern int select_p_step_finish(step_record_t *step_ptr, bool killing_step)
{
	CONS(SLURM_ERROR, step_finish, step_ptr, killing_step);
}

extern int select_p_select_nodeinfo_pack(select_nodeinfo_t *nodeinfo,
					 buf_t *buffer,
					 uint16_t protocol_version)
{
	CONS(SLURM_ERROR, nodeinfo_pack, nodeinfo, buffer, protocol_version);
}

extern int select_p_select_nodeinfo_unpack(select_nodeinfo_t **nodeinfo,
					   buf_t *buffer,
					   uint16_t protocol_version)
{
	CONS(SLURM_ERROR, nodeinfo_unpack, nodeinfo, buffer,
	     protocol_version);
}

extern select_nodeinfo_t *select_p_select_nodeinfo_alloc(void)
{
	CONS(NULL, nodeinfo_alloc);
}

extern int select_p_select_nodeinfo_free(select_nodeinfo_t *nodeinfo)
{
	CONS(SLURM_ERROR, nodeinfo_free, nodeinfo);
}

extern int select_p_select_nodeinfo_set_all(void)
{
	CONS(SLURM_ERROR, nodeinfo_set_all);
}

extern int select_p_select_nodeinfo_set(job_record_t *job_ptr)
{
	CONS(SLURM_ERROR, nodeinfo_set, job_ptr);
}

extern int select_p_select_nodeinfo_get(select_nodeinfo_t *nodeinfo,
					enum select_nodedata_type dinfo,
					enum node_states state, void *data)
{
	CONS(SLURM_ERROR, nodeinfo_get, nodeinfo, dinfo, state, data);
}

extern select_jobinfo_t *select_p_select_jobinfo_alloc(void)
{
	CONS(NULL, jobinfo_alloc);
}

extern int select_p_select_jobinfo_free(select_jobinfo_t *jobinfo)
{
	CONS(SLURM_ERROR, jobinfo_free, jobinfo);
}

extern int select_p_select_jobinfo_set(select_jobinfo_t *jobinfo,
				       enum select_jobdata_type data_type,
				       void *data)
{
	CONS(SLURM_ERROR, jobinfo_set, jobinfo, data_type, data);
}

extern int select_p_select_jobinfo_get(select_jobinfo_t *jobinfo,
				       enum select_jobdata_type data_type,
				       void *data)
{
	CONS(SLURM_ERROR, jobinfo_get, jobinfo, data_type, data);
}

extern select_jobinfo_t *select_p_select_jobinfo_copy(
	select_jobinfo_t *jobinfo)
{
	CONS(NULL, jobinfo_copy, jobinfo);
}

extern int select_p_select_jobinfo_pack(select_jobinfo_t *jobinfo,
					buf_t *buffer,
					uint16_t protocol_version)
{
	CONS(SLURM_ERROR, jobinfo_pack, jobinfo, buffer, protocol_version);
}

extern int select_p_select_jobinfo_unpack(select_jobinfo_t **jobinfo,
					  buf_t *buffer,
					  uint16_t protocol_version)
{
	CONS(SLURM_ERROR, jobinfo_unpack, jobinfo, buffer, protocol_version);
}

extern char *select_p_select_jobinfo_sprint(select_jobinfo_t *jobinfo,
					    char *buf, size_t size, int mode)
{
	CONS(NULL, jobinfo_sprint, jobinfo, buf, size, mode);
}

extern char *select_p_select_jobinfo_xstrdup(select_jobinfo_t *jobinfo,
					     int mode)
{
	CONS(NULL, jobinfo_xstrdup, jobinfo, mode);
}

extern int select_p_get_info_from_plugin(enum select_plugindata_info dinfo,
					 job_record_t *job_ptr, void *data)
{
	CONS(SLURM_ERROR, get_info_from_plugin, dinfo, job_ptr, data);
}

extern int select_p_update_node_config(int index)
{
	if (_placing)
		topopack_fabric_touch_node(index);
	CONS(SLURM_ERROR, update_node_config, index);
}

extern int select_p_reconfigure(void)
{
	slurm_select_ops_t *cons = _cons();
	int rc;

	if (!cons)
		return SLURM_ERROR;
	rc = (*cons->reconfigure)();
	if (_placing)
		(void) topopack_fabric_reload();	/* errors are logged */
	return rc;
}

/*
 * IN/OUT resv_desc_ptr - the reservation request
 * IN node_cnt - nodes it needs
 * IN/OUT avail_bitmap - nodes it may use (cons_tres changes it)
 * IN/OUT core_bitmap - cores it must avoid in, cores it gets out
 * RET the nodes chosen, or NULL
 */
extern bitstr_t *select_p_resv_test(resv_desc_msg_t *resv_desc_ptr,
				    uint32_t node_cnt,
				    bitstr_t *avail_bitmap,
				    bitstr_t **core_bitmap)
{
	slurm_select_ops_t *cons = _cons();

	if (!cons)
		return NULL;
	if (!_placing)
		return (*cons->resv_test)(resv_desc_ptr, node_cnt,
					  avail_bitmap, core_bitmap);
	return topopack_pick_resv(cons, resv_desc_ptr, node_cnt, avail_bitmap,
				  core_bitmap);
}
