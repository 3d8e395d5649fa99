/*****************************************************************************\
 *  topopack_spares.c - spare nodes: which jobs may run on them.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/log.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#include "slurm_release.h"
#include "slurmctld_weak.h"
#include "topopack_hold.h"
#include "topopack_spares.h"

extern bool topopack_spares_allowed(job_record_t *job_ptr)
{
	topopack_hold_t hold;

	if (topopack_hold_get_kind(job_ptr->job_id, TOPOPACK_HOLD_RECOVER,
				   &hold)) {
		topopack_hold_free(&hold);
		return true;
	}
	return slurm_job_preempt_mode(job_ptr) != PREEMPT_MODE_OFF;
}

extern int topopack_spares_narrow(job_record_t *job_ptr,
				  const tp_fabric_t *fabric,
				  const int *to_fabric, int count,
				  bitstr_t *node_bitmap)
{
	bitstr_t *taken = NULL;
	int n = 0, size = bit_size(node_bitmap);

	if (!fabric || !tp_fabric_spare_count(fabric) ||
	    topopack_spares_allowed(job_ptr))
		return 0;
	for (int i = 0; (i < size) && (i < count); i++) {
		if (!bit_test(node_bitmap, i) || (to_fabric[i] < 0) ||
		    !tp_fabric_node_spare(fabric, to_fabric[i]))
			continue;
		if (!taken)
			taken = bit_alloc(size);
		bit_set(taken, i);
		bit_clear(node_bitmap, i);
		n++;
	}
	if (taken && (slurm_conf.debug_flags & DEBUG_FLAG_SELECT_TYPE)) {
		char *names = bitmap2node_name(taken);

		log_flag(SELECT_TYPE, "%pJ: spare nodes %s not offered (it may not be preempted and does not recover)",
			 job_ptr, names);
		xfree(names);
	}
	FREE_NULL_BITMAP(taken);
	return n;
}

extern char *topopack_spares_describe(const tp_fabric_t *fabric)
{
	int nnodes = tp_fabric_node_count(fabric), n = 0;
	char **names, *list, *out = NULL;

	if (!tp_fabric_spare_count(fabric))
		return xstrdup("");
	names = xcalloc(nnodes + 1, sizeof(char *));
	for (int f = 0; f < nnodes; f++)
		if (tp_fabric_node_spare(fabric, f))
			names[n++] = (char *) tp_fabric_node_name(fabric, f);
	/* libtopopack's hostlist: Slurm's hostlist_t differs by release. */
	if ((list = tp_hostlist_compress(names, n))) {
		xstrfmtcat(out, ", spares %s (topopack.conf Spares=)", list);
		free(list);
	} else {
		xstrfmtcat(out, ", %d spares (topopack.conf Spares=)", n);
	}
	xfree(names);
	return out;
}
