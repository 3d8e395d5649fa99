/*****************************************************************************\
 *  binding_verbs.c - port state and rate of the NICs from libibverbs.
 *
 *  Used only on the live machine. Built without libibverbs (configure
 *  --without-ibverbs), the probe does nothing and hwloc's record stays.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#if HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>

#if HAVE_IBVERBS
#include <infiniband/verbs.h>
#endif

#include "binding_private.h"

extern double tp_bind_verbs_rate(int width, int speed)
{
	int lanes;
	double lane;

	switch (width) {
	case 1:
		lanes = 1;
		break;
	case 2:
		lanes = 4;
		break;
	case 4:
		lanes = 8;
		break;
	case 8:
		lanes = 12;
		break;
	case 16:
		lanes = 2;
		break;
	default:
		return 0;
	}
	switch (speed) {
	case 1:
		lane = 2.5;	/* SDR */
		break;
	case 2:
		lane = 5;	/* DDR */
		break;
	case 4:		/* QDR */
	case 8:		/* FDR10 */
		lane = 10;
		break;
	case 16:
		lane = 14;	/* FDR */
		break;
	case 32:
		lane = 25;	/* EDR */
		break;
	case 64:
		lane = 50;	/* HDR */
		break;
	case 128:
		lane = 100;	/* NDR */
		break;
	default:
		return 0;
	}
	return lanes * lane;
}

#if HAVE_IBVERBS

/* Query port 1 of dev into nic. RET 0, or -1 (nic untouched). */
static int _probe_one(struct ibv_device *dev, tp_bind_nic_t *nic)
{
	struct ibv_context *ctx;
	struct ibv_port_attr attr;
	int rc = -1;

	if (!(ctx = ibv_open_device(dev)))
		return -1;
	memset(&attr, 0, sizeof(attr));
	if (!ibv_query_port(ctx, 1, &attr)) {
		nic->port_state = attr.state;
		nic->rate = tp_bind_verbs_rate(attr.active_width,
					       attr.active_speed);
		nic->verbs = true;
		rc = 0;
	}
	ibv_close_device(ctx);
	return rc;
}

extern int tp_bind_verbs_probe(tp_bind_nic_t *nic, int n)
{
	struct ibv_device **list;
	const char *name;
	int ndev = 0, done = 0, i, j;

	if (!nic || (n <= 0))
		return 0;
	if (!(list = ibv_get_device_list(&ndev)))
		return 0;	/* no verbs devices (or no rdma core) */
	for (i = 0; i < n; i++) {
		for (j = 0; j < ndev; j++) {
			if (!(name = ibv_get_device_name(list[j])) ||
			    strcmp(name, nic[i].name))
				continue;
			if (!_probe_one(list[j], &nic[i]))
				done++;
			break;
		}
	}
	ibv_free_device_list(list);
	return done;
}

#else /* !HAVE_IBVERBS */

extern int tp_bind_verbs_probe(tp_bind_nic_t *nic __attribute__((unused)),
			       int n __attribute__((unused)))
{
	return 0;
}

#endif /* HAVE_IBVERBS */
