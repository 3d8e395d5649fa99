/*****************************************************************************\
 *  topology_conf.c - read Slurm's topology.conf into a fabric builder.
 *
 *  What Slurm 22.05's topology/tree accepts, and how it is read here:
 *  - every line is "SwitchName=<name>" followed by LinkSpeed=, Nodes= or
 *    Switches= in any order; any other key is an error;
 *  - SwitchName is literal: "s[1-2]" is one switch of that name;
 *  - Nodes= and Switches= are hostlists;
 *  - a switch with both Nodes= and Switches= is refused: Slurm's parser
 *    does the same ("switch X has both child switches and nodes");
 *  - a switch with neither is refused ("lacks children", as Slurm says);
 *  - LinkSpeed is an unsigned 32-bit number as Slurm reads it (decimal,
 *    0x hex or 0 octal, optional k suffix, UNLIMITED or INFINITE); it is
 *    checked and then ignored, as topopack.conf gives real speeds.
 *  Levels (leaf 0, else one above the highest child), duplicate names,
 *  cycles, missing children and nodes under two leaves are checked by the
 *  builder, which names the line of the culprit.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE		/* strcasecmp */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_file_private.h"
#include "conf_readers_private.h"

static const char *_keys[] = { "SwitchName", "Switches", "Nodes",
			       "LinkSpeed", NULL };

/* RET 0 when value is a uint32 as Slurm's s_p_handle_uint32() takes it. */
static int _check_uint32(const char *value)
{
	unsigned long long num;
	char *end;

	if (!strcasecmp(value, "UNLIMITED") || !strcasecmp(value, "INFINITE"))
		return 0;
	if (value[0] == '-')
		return -1;
	errno = 0;
	num = strtoull(value, &end, 0);
	if ((end[0] == 'k') || (end[0] == 'K')) {
		/* Checked before it is multiplied: 2^54k wraps to 0. */
		if (num > 0xffffffffULL / 1024)
			return -1;
		num *= 1024;
		end++;
	}
	if (errno || *end || (num > 0xffffffffULL))
		return -1;
	return 0;
}

typedef struct {
	tp_builder_t *b;
	int nswitches;		/* SwitchName lines read */
} reader_t;

static int _line(void *arg, const char *file, int line,
		 const tp_conf_pair_t *pairs, int npairs, tp_error_t *err)
{
	reader_t *r = arg;
	tp_builder_t *b = r->b;
	const tp_conf_pair_t *name, *nodes, *switches, *speed, *list;
	char **names = NULL;
	int n, sw, rc = -1;

	for (int i = 0; i < npairs; i++) {
		int k = 0;

		while (_keys[k] && strcasecmp(pairs[i].key, _keys[k]))
			k++;
		if (!_keys[k])
			return tp_conf_error(err, file, line,
					     "unknown key '%s'",
					     pairs[i].key);
	}
	if (strcasecmp(pairs[0].key, "SwitchName"))
		return tp_conf_error(err, file, line,
				     "line starts with %s=, not SwitchName=",
				     pairs[0].key);
	name = &pairs[0];
	if (!name->value[0])
		return tp_conf_error(err, file, line, "empty SwitchName");
	nodes = tp_conf_find(pairs, npairs, "Nodes");
	switches = tp_conf_find(pairs, npairs, "Switches");
	speed = tp_conf_find(pairs, npairs, "LinkSpeed");
	if (speed && _check_uint32(speed->value))
		return tp_conf_error(err, file, line,
				     "bad LinkSpeed value '%.64s' (expected a whole number below 2^32)",
				     speed->value);
	if (nodes && switches)
		return tp_conf_error(err, file, line,
				     "switch %.64s has both Nodes= and Switches= (Slurm refuses it too)",
				     name->value);
	if (!nodes && !switches)
		return tp_conf_error(err, file, line,
				     "switch %.64s lacks children (needs Nodes= or Switches=)",
				     name->value);
	list = nodes ? nodes : switches;
	if ((n = tp_hostlist_expand(list->value, &names, err)) < 0) {
		char why[sizeof(err->text)];

		if (errno == ENOMEM)
			return -1;
		memcpy(why, err->text, sizeof(why));
		return tp_conf_error(err, file, line, "bad %s hostlist: %s",
				     nodes ? "Nodes" : "Switches", why);
	}

	tp_builder_where(b, file, line);
	if ((sw = tp_builder_add_switch(b, name->value, err)) < 0)
		goto fini;
	r->nswitches++;
	if (tp_builder_switch_text(b, sw, list->value,
				   speed ? speed->value : NULL, err))
		goto fini;
	for (int i = 0; i < n; i++) {
		tp_builder_where(b, file, line);
		if (nodes ? tp_builder_add_node(b, sw, names[i], err) :
			    tp_builder_add_child(b, sw, names[i], err))
			goto fini;
	}
	rc = 0;
fini:
	tp_hostlist_free(names, n);
	return rc;
}

extern int tp_topology_conf_read(tp_builder_t *b, const char *path,
				 tp_error_t *err)
{
	tp_error_t local;
	reader_t r = { .b = b };

	if (!err)
		err = &local;
	if (tp_conf_file_read(path, _line, &r, err))
		return -1;
	if (!r.nswitches) {
		/* Slurm only logs "No switches configured"; here it is an
		 * empty fabric, of no use to place anything. */
		snprintf(err->text, sizeof(err->text),
			 "%s: no SwitchName line: the fabric is empty", path);
		errno = EINVAL;
		return -1;
	}
	return 0;
}
