/*****************************************************************************\
 *  ibnet_live.h - the fabric this host is cabled to, discovered now.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_IBNET_LIVE_H
#define _TOPOPACK_IBNET_LIVE_H

#include "ibnet.h"

/*
 * Walk the fabric from a local adapter port with libibnetdisc (needs
 * access to /dev/infiniband/umad*, as ibnetdiscover does).
 * IN ca - the adapter ("mlx5_0"), NULL for the first one
 * IN port - its port, 0 for the first active one
 * OUT err - on failure, the problem
 * RET the fabric as ibnet_read() gives it, or NULL with err set (errno
 * ENOTSUP when built without libibnetdisc)
 */
extern ibnet_t *ibnet_live(char *ca, int port, tp_error_t *err);

#endif /* _TOPOPACK_IBNET_LIVE_H */
