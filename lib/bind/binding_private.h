/*****************************************************************************\
 *  binding_private.h - inside of binding.c shared with binding_verbs.c and
 *  the unit tests; not part of libtopopack's interface.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_BINDING_PRIVATE_H
#define _TOPOPACK_BINDING_PRIVATE_H

#include "topopack_bind.h"

/*
 * Query port 1 of each NIC through libibverbs, the NIC found by its name
 * (nic[i].name, e.g. mlx5_0), and record its state, rate and verbs =
 * true. NICs that verbs does not list, or whose device or port cannot be
 * opened or queried, are left as they are (hwloc's record).
 * IN/OUT nic - n NICs
 * RET number of NICs updated: 0 when built without libibverbs, when the
 *	node has no verbs device, or when none matches. Never fails.
 */
extern int tp_bind_verbs_probe(tp_bind_nic_t *nic, int n);

/*
 * Rate of a port in Gb/s from the active_width and active_speed codes of
 * struct ibv_port_attr (width 1, 2, 4, 8, 16 = 1x, 4x, 8x, 12x, 2x; speed
 * 1, 2, 4, 8, 16, 32, 64, 128 = SDR 2.5, DDR 5, QDR 10, FDR10 10, FDR 14,
 * EDR 25, HDR 50, NDR 100 Gb/s per lane): 4x EDR gives 100.
 * RET the rate, or 0 when either code is unknown.
 */
extern double tp_bind_verbs_rate(int width, int speed);

#endif /* _TOPOPACK_BINDING_PRIVATE_H */
