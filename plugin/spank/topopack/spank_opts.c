/*****************************************************************************\
 *  spank_opts.c - option grammar of the topopack SPANK plugin.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <stdio.h>
#include <string.h>

#include "spank_opts.h"

extern int tp_spank_parse_bind(const char *value)
{
	if (!value)
		return -1;
	if (!strcmp(value, "none"))
		return 0;
	if (!strcmp(value, "nic"))
		return TP_SPANK_BIND_NIC;
	if (!strcmp(value, "nic,cpu"))
		return TP_SPANK_BIND_NIC | TP_SPANK_BIND_CPU;
	return -1;
}

extern int tp_spank_parse_args(int ac, char **av, tp_spank_conf_t *conf,
			       char *err, size_t err_len)
{
	int i, b;

	conf->bind = TP_SPANK_BIND_DEFAULT;
	conf->verbose = false;
	for (i = 0; i < ac; i++) {
		if (!strcmp(av[i], "verbose")) {
			conf->verbose = true;
		} else if (!strncmp(av[i], "bind=", 5)) {
			if ((b = tp_spank_parse_bind(av[i] + 5)) < 0) {
				snprintf(err, err_len,
					 "plugstack.conf: bad value in \"%.60s\" (bind=none|nic|nic,cpu)",
					 av[i]);
				goto fail;
			}
			conf->bind = b;
		} else {
			snprintf(err, err_len,
				 "plugstack.conf: unknown argument \"%.60s\" (bind=none|nic|nic,cpu, verbose)",
				 av[i]);
			goto fail;
		}
	}
	return 0;
fail:
	conf->bind = TP_SPANK_BIND_DEFAULT;
	conf->verbose = false;
	return -1;
}
