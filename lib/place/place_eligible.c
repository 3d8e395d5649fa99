/*****************************************************************************\
 *  place_eligible.c - which nodes may serve a request, shared by every
 *  placement policy so that they compare on the same ground.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <string.h>

#include "place_private.h"

extern bool tp_node_eligible(const tp_state_t *s, const tp_request_t *req,
			     int node, int *take)
{
	const tp_node_t *n = &s->fabric->nodes[node];
	int avail = s->avail[node], free = s->free_gpus[node];

	if (avail == TP_NODE_DOWN ||
	    (avail == TP_NODE_RESERVED && !req->use_reserved))
		return false;
	if (s->exclusive[node] || (req->usable && !req->usable[node]))
		return false;
	if (req->exclusive && s->users[node])
		return false;
	if (req->gpu_type && (n->gpu_type < 0 ||
	    strcmp(s->fabric->gpu_types[n->gpu_type], req->gpu_type)))
		return false;
	if (req->total_gpus > 0) {
		if (free < 1)
			return false;
		*take = req->exclusive ? n->gpus :
			(free < req->total_gpus ? free : req->total_gpus);
		return true;
	}
	if (free < req->gpus_per_node)
		return false;
	*take = req->exclusive ? n->gpus : req->gpus_per_node;
	return true;
}
