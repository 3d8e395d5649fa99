/*****************************************************************************\
 *  topopack_report.c - how good a started job's placement is, in
 *  slurmctld's log and in the job's system comment.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <string.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/node_conf.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "topopack_fabric.h"
#include "topopack_nodes.h"
#include "topopack_report.h"

#define REPORT_PREFIX "topopack: "

/* The job's nodes in the fabric as a placement; *outside counts the rest. */
static void _placement(topopack_fabric_t *tf, job_record_t *job_ptr,
		       tp_placement_t *p, int *outside)
{
	int first = bit_ffs(job_ptr->node_bitmap);
	int last = bit_fls(job_ptr->node_bitmap), k = 0;
	int count = bit_set_count(job_ptr->node_bitmap);

	memset(p, 0, sizeof(*p));
	*outside = 0;
	p->node = xcalloc(count + 1, sizeof(int));
	p->gpus = xcalloc(count + 1, sizeof(int));
	for (int i = first; (first >= 0) && (i <= last); i++) {
		int f;

		if (!bit_test(job_ptr->node_bitmap, i))
			continue;
		f = (i < tf->slurm_count) ? tf->to_fabric[i] : -1;
		if (f < 0) {
			(*outside)++;
		} else {
			p->node[p->count] = f;
			p->gpus[p->count++] = topopack_job_node_gpus(
				job_ptr, i, k,
				tp_fabric_node_gpus(tf->fabric, f));
		}
		k++;
	}
}

/*
 * The report goes to the job's system comment, which Slurm keeps for
 * what slurmctld itself has to say (scontrol shows it as SystemComment,
 * sacct stores it); the user's Comment stays the user's. A report of an
 * earlier start (the job was requeued) is replaced; anything else that
 * slurmctld wrote there is kept, before ours.
 */
static void _system_comment(job_record_t *job_ptr, char **line)
{
	char *sc = job_ptr->system_comment, *ours;

	if (!sc || !sc[0] || !strncmp(sc, REPORT_PREFIX, strlen(REPORT_PREFIX))) {
		xfree(job_ptr->system_comment);
		job_ptr->system_comment = *line;
		*line = NULL;
		return;
	}
	if ((ours = strstr(sc, "; " REPORT_PREFIX)))
		*ours = '\0';
	xstrfmtcat(job_ptr->system_comment, "; %s", *line);
}

extern void topopack_report_job(job_record_t *job_ptr)
{
	topopack_fabric_t *tf = topopack_fabric_lock();
	tp_placement_t p = { 0 };
	tp_metrics_t m;
	char *nodes = NULL, *line = NULL;
	int outside = 0;

	if (!tf || !job_ptr->node_bitmap)
		goto fini;
	_placement(tf, job_ptr, &p, &outside);
	if (!p.count || tp_metrics(tf->idle, &p, &m))
		goto fini;
	nodes = bitmap2node_name(job_ptr->node_bitmap);
	xstrfmtcat(line, REPORT_PREFIX "JobId=%u nodes=%s leaves=%d domains=%d max_hops=%d busbw=%.1fGB/s efficiency=%.2f",
		   job_ptr->job_id, nodes, m.leaves, m.domains, m.max_hops,
		   m.busbw_gbs, m.efficiency);
	if (outside)
		xstrfmtcat(line, " outside_fabric=%d", outside);
	/* log_var(), not info(): the line carries its own prefix. */
	log_var(LOG_LEVEL_INFO, "%s", line);

	/* The job record is locked for writing here (job begin); the
	 * comment is an xmalloc'd string slurmctld frees with the job. */
	_system_comment(job_ptr, &line);
fini:
	topopack_fabric_unlock();
	xfree(p.node);
	xfree(p.gpus);
	xfree(nodes);
	xfree(line);
}
