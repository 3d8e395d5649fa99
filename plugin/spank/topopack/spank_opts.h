/*****************************************************************************\
 *  spank_opts.h - option grammar of the topopack SPANK plugin.
 *
 *  plugstack.conf arguments:  bind=none|nic|nic,cpu   verbose
 *  per job:                   --topopack-bind=none|nic|nic,cpu
 *                             --topopack-verbose
 *                             --topopack-checkpoint=SECONDS
 *                             --topopack-recover
 *  Nothing else is accepted; no Slurm header, so it is testable alone.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_SPANK_OPTS_H
#define _TOPOPACK_SPANK_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#define TP_SPANK_BIND_NIC 0x1	/* NCCL_IB_HCA, UCX_NET_DEVICES, ... */
#define TP_SPANK_BIND_CPU 0x2	/* narrow the task's CPU affinity */
#define TP_SPANK_BIND_DEFAULT (TP_SPANK_BIND_NIC | TP_SPANK_BIND_CPU)

typedef struct {
	int bind;	/* TP_SPANK_BIND_* flags; 0 = none */
	bool verbose;	/* print each task's binding on its stderr */
} tp_spank_conf_t;

/*
 * Parse a bind value: "none", "nic" or "nic,cpu" (exactly).
 * RET the TP_SPANK_BIND_* flags, or -1 for anything else.
 */
extern int tp_spank_parse_bind(const char *value);

/*
 * Parse the plugstack.conf arguments into conf (defaults first: bind
 * nic,cpu, not verbose).
 * OUT err - what was wrong, when it fails
 * RET 0, or -1 (conf then holds the defaults)
 */
extern int tp_spank_parse_args(int ac, char **av, tp_spank_conf_t *conf,
			       char *err, size_t err_len);

#endif /* _TOPOPACK_SPANK_OPTS_H */
