/*****************************************************************************\
 *  metrics_sim.h - the figure topopack-sim's run-time model stretches
 *  jobs by. Not part of the public interface: it is kept only so that
 *  simulated run times stay what they have been since the simulator was
 *  written, when it was the reported efficiency.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_METRICS_SIM_H
#define _TOPOPACK_METRICS_SIM_H

#include "topopack.h"

/*
 * A placement's predicted all-reduce bus bandwidth over the slowest NIC
 * share (Gb/s per GPU) of its nodes; for one node, over its NVLink speed.
 * Above 1 inside a multi-node NVLink domain, below 1 behind oversubscribed
 * uplinks.
 * IN state - allocation state (only its fabric is read)
 * IN p - the placement
 * RET the ratio, 1 for fewer than 2 GPUs, or -1 (EINVAL, ENOMEM)
 */
extern double tp_metrics_nic_ratio(const tp_state_t *state,
				   const tp_placement_t *p);

#endif /* _TOPOPACK_METRICS_SIM_H */
