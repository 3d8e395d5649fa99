/*****************************************************************************\
 *  fabric_load.c - tp_fabric_load(): topology.conf, then topopack.conf,
 *  into one builder, then the resource manager's GPU inventory over the
 *  fabric; the fabric exists only if all of them read cleanly.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdio.h>

#include "conf_readers_private.h"

extern tp_fabric_t *tp_fabric_load(const char *topology_conf,
				   const char *topopack_conf, tp_error_t *err)
{
	return tp_fabric_load_inventory(topology_conf, topopack_conf, NULL,
					err);
}

extern tp_fabric_t *tp_fabric_load_inventory(const char *topology_conf,
					     const char *topopack_conf,
					     const tp_inventory_t *inventory,
					     tp_error_t *err)
{
	tp_error_t local;
	tp_builder_t *b;
	tp_fabric_t *f;
	int e;

	if (!err)
		err = &local;
	if (!topology_conf) {
		snprintf(err->text, sizeof(err->text),
			 "no topology.conf given");
		errno = EINVAL;
		return NULL;
	}
	if (!(b = tp_builder_new())) {
		snprintf(err->text, sizeof(err->text), "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (tp_topology_conf_read(b, topology_conf, err) ||
	    (topopack_conf && tp_topopack_conf_read(b, topopack_conf, err))) {
		e = errno;
		tp_builder_free(b);
		errno = e;
		return NULL;
	}
	/* Consumes the builder, fabric or not. */
	if (!(f = tp_builder_finish(b, err)) || !inventory ||
	    !tp_fabric_set_inventory(f, inventory, err))
		return f;
	e = errno;
	tp_fabric_free(f);
	errno = e;
	return NULL;
}
