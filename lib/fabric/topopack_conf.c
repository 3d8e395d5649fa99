/*****************************************************************************\
 *  topopack_conf.c - read topopack.conf: what topology.conf cannot say
 *  (GPUs, NICs, NVLink domains, link capacities), in Slurm's style.
 *
 *	NodeName=<hostlist>|DEFAULT [Gpus=<0..1024>] [GpuType=<word>]
 *		[Nics=<1..1024>] [NicNames=<hostlist>] [NicSpeed=<Gb/s>]
 *	DomainName=<name> Nodes=<hostlist> [NvlinkSpeed=<Gb/s per GPU>]
 *		[Spares=<0..nodes-1>]
 *	SwitchName=<name> [Uplinks=<1..65536>] [UplinkSpeed=<Gb/s>]
 *		[Spares=<0..nodes-1>]
 *	PartitionName=<name> Recover=yes|no
 *	NvlinkSpeed=<Gb/s per GPU>
 *
 *  The first key says what the line is. NodeName=DEFAULT follows Slurm's
 *  convention: its values apply to the NodeName lines after it (a line's
 *  own values win); when the file ends, the last defaults are also given
 *  to every node of topology.conf that no NodeName line names. A node
 *  that gets no GPU count at all takes the builder's default (that of the
 *  last NodeName=DEFAULT with Gpus=, else 0); GpuType= without Gpus=
 *  keeps the count the node has so far.
 *
 *  Spares=N keeps the last N nodes of a leaf switch or a domain for jobs
 *  recovering from a node failure (fabric_finish.c says which and why);
 *  N must leave at least one node of the block to ordinary jobs.
 *
 *  Nodes and switches must exist in topology.conf; NVLink domains are
 *  declared here only, and nodes left out of every domain are their own
 *  domain.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE		/* strcasecmp */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_file_private.h"
#include "conf_readers_private.h"
#include "fabric_builder_private.h"
#include "name_index_private.h"

#define _MAX_NICS    1024
#define _MAX_UPLINKS 65536

/* Node attributes of one line, or the current defaults. */
typedef struct {
	int gpus;		/* -1: not given */
	char *gpu_type;		/* NULL: not given */
	int nics;		/* -1: not given */
	char *nic_names;	/* comma separated; NULL: not given */
	int nic_count;		/* names in nic_names */
	double nic_gbps;	/* 0: not given */
} attrs_t;

typedef struct {
	tp_builder_t *b;
	attrs_t def;		/* NodeName=DEFAULT so far */
	bool have_def;
	char *def_file;		/* where the last DEFAULT line is */
	int def_line;
	tp_name_index_t *named;	/* nodes some NodeName line names */
	char **named_keys;	/* the index's keys, owned here */
	int nnamed, named_cap;
} reader_t;

static const char *_node_keys[] = { "NodeName", "Gpus", "GpuType", "Nics",
				    "NicNames", "NicSpeed", NULL };
static const char *_domain_keys[] = { "DomainName", "Nodes", "NvlinkSpeed",
				      "Spares", NULL };
static const char *_switch_keys[] = { "SwitchName", "Uplinks",
				      "UplinkSpeed", "Spares", NULL };
static const char *_nvlink_keys[] = { "NvlinkSpeed", NULL };
static const char *_partition_keys[] = { "PartitionName", "Recover", NULL };

static void _attrs_init(attrs_t *a)
{
	memset(a, 0, sizeof(*a));
	a->gpus = -1;
	a->nics = -1;
}

static void _attrs_clear(attrs_t *a)
{
	free(a->gpu_type);
	free(a->nic_names);
	_attrs_init(a);
}

/* RET a malloc'd copy of s, or NULL (ENOMEM) for a non-NULL s. */
static char *_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Overlay the values given in top on base. RET 0 or -1 (ENOMEM). */
static int _attrs_merge(attrs_t *base, const attrs_t *top)
{
	if (top->gpus >= 0)
		base->gpus = top->gpus;
	if (top->gpu_type) {
		free(base->gpu_type);
		if (!(base->gpu_type = _dup(top->gpu_type)))
			return -1;
	}
	if (top->nic_names) {
		free(base->nic_names);
		if (!(base->nic_names = _dup(top->nic_names)))
			return -1;
		base->nic_count = top->nic_count;
		if (top->nics < 0)
			base->nics = top->nic_count;
	}
	if (top->nics >= 0)
		base->nics = top->nics;
	if (top->nic_gbps > 0)
		base->nic_gbps = top->nic_gbps;
	return 0;
}

static int _nomem(tp_error_t *err)
{
	snprintf(err->text, sizeof(err->text), "out of memory");
	errno = ENOMEM;
	return -1;
}

/* RET 0 when every key of the line is in keys. */
static int _check_keys(const char *file, int line,
		       const tp_conf_pair_t *pairs, int npairs,
		       const char **keys, tp_error_t *err)
{
	for (int i = 1; i < npairs; i++) {
		int k = 0;

		while (keys[k] && strcasecmp(pairs[i].key, keys[k]))
			k++;
		if (!keys[k])
			return tp_conf_error(err, file, line,
					     "unknown key '%s' on a %s line",
					     pairs[i].key, keys[0]);
	}
	return 0;
}

/* RET true when s is a word: letters, digits, '_', '-', '.'. */
static bool _is_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || (*s == '_') ||
		      (*s == '-') || (*s == '.')))
			return false;
	return true;
}

static int _bad_int(const char *file, int line, const tp_conf_pair_t *p,
		    long min, long max, long *out, tp_error_t *err)
{
	if (!tp_conf_parse_int(p->value, min, max, out))
		return 0;
	return tp_conf_error(err, file, line,
			     "bad %s value '%.64s' (expected a whole number %ld..%ld)",
			     p->key, p->value, min, max);
}

static int _bad_gbps(const char *file, int line, const tp_conf_pair_t *p,
		     double *out, tp_error_t *err)
{
	if (!tp_conf_parse_positive(p->value, out))
		return 0;
	return tp_conf_error(err, file, line,
			     "bad %s value '%.64s' (expected a positive number of Gb/s)",
			     p->key, p->value);
}

/* Expand a hostlist value, naming the key in errors. RET count or -1. */
static int _expand(const char *file, int line, const tp_conf_pair_t *p,
		   char ***names, tp_error_t *err)
{
	char why[sizeof(err->text)];
	int n = tp_hostlist_expand(p->value, names, err);

	if (n >= 0)
		return n;
	if (errno == ENOMEM)
		return -1;
	memcpy(why, err->text, sizeof(why));
	return tp_conf_error(err, file, line, "bad %s hostlist: %s", p->key,
			     why);
}

/* Join names with commas. RET malloc'd string or NULL (ENOMEM). */
static char *_join(char **names, int n)
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	if (!(s = p = malloc(len)))
		return NULL;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(names[i]);

		if (i)
			*p++ = ',';
		memcpy(p, names[i], l);
		p += l;
	}
	*p = '\0';
	return s;
}

/* Read the attributes of a NodeName line into a. RET 0 or -1. */
static int _parse_attrs(const char *file, int line,
			const tp_conf_pair_t *pairs, int npairs, attrs_t *a,
			tp_error_t *err)
{
	for (int i = 1; i < npairs; i++) {
		const tp_conf_pair_t *p = &pairs[i];
		long v;

		if (!strcasecmp(p->key, "Gpus")) {
			if (_bad_int(file, line, p, 0, TP_MAX_NODE_GPUS, &v,
				     err))
				return -1;
			a->gpus = (int) v;
		} else if (!strcasecmp(p->key, "GpuType")) {
			if (!_is_word(p->value))
				return tp_conf_error(err, file, line,
						     "bad GpuType value '%.64s' (expected a word)",
						     p->value);
			if (!(a->gpu_type = _dup(p->value)))
				return _nomem(err);
		} else if (!strcasecmp(p->key, "Nics")) {
			if (_bad_int(file, line, p, 1, _MAX_NICS, &v, err))
				return -1;
			a->nics = (int) v;
		} else if (!strcasecmp(p->key, "NicNames")) {
			char **names;
			int n = _expand(file, line, p, &names, err);

			if (n < 0)
				return -1;
			a->nic_names = _join(names, n);
			a->nic_count = n;
			tp_hostlist_free(names, n);
			if (!a->nic_names)
				return _nomem(err);
		} else if (!strcasecmp(p->key, "NicSpeed")) {
			if (_bad_gbps(file, line, p, &a->nic_gbps, err))
				return -1;
		}
	}
	if ((a->nics >= 0) && a->nic_names && (a->nics != a->nic_count))
		return tp_conf_error(err, file, line,
				     "Nics=%d but NicNames names %d NICs",
				     a->nics, a->nic_count);
	return 0;
}

/* Give a node its attributes through the builder. */
static int _apply(tp_builder_t *b, const char *node, const attrs_t *a,
		  tp_error_t *err)
{
	if ((a->gpus >= 0) || a->gpu_type) {
		/* GpuType alone keeps the count the node has so far. */
		int i = tp_name_index_get(b->node_index, node);
		int gpus = a->gpus;

		if (gpus < 0)
			gpus = ((i >= 0) && (b->nodes[i].gpus >= 0)) ?
				b->nodes[i].gpus : b->default_gpus;

		if (tp_builder_node_gpus(b, node, gpus, a->gpu_type, err))
			return -1;
	}
	if (((a->nics >= 0) || a->nic_names || (a->nic_gbps > 0)) &&
	    tp_builder_node_nics(b, node, a->nics, a->nic_names, a->nic_gbps,
				 err))
		return -1;
	return 0;
}

static int _mark_named(reader_t *r, const char *node)
{
	char *key;

	if (tp_name_index_get(r->named, node) >= 0)
		return 0;
	if (r->nnamed == r->named_cap) {
		int n = r->named_cap ? 2 * r->named_cap : 64;
		char **tmp = realloc(r->named_keys, n * sizeof(*tmp));

		if (!tmp)
			return -1;
		r->named_keys = tmp;
		r->named_cap = n;
	}
	if (!(key = strdup(node)))
		return -1;
	if (tp_name_index_put(r->named, key, r->nnamed)) {
		free(key);
		return -1;
	}
	r->named_keys[r->nnamed++] = key;
	return 0;
}

static int _node_line(reader_t *r, const char *file, int line,
		      const tp_conf_pair_t *pairs, int npairs,
		      tp_error_t *err)
{
	const char *value = pairs[0].value;
	attrs_t a, eff;
	char **names = NULL;
	int n = 0, rc = -1;

	_attrs_init(&a);
	_attrs_init(&eff);
	if (npairs < 2) {
		tp_conf_error(err, file, line,
			      "NodeName=%.64s sets nothing (expected Gpus=, GpuType=, Nics=, NicNames= or NicSpeed=)",
			      value);
		goto fini;
	}
	if (_check_keys(file, line, pairs, npairs, _node_keys, err) ||
	    _parse_attrs(file, line, pairs, npairs, &a, err))
		goto fini;

	if (!strcasecmp(value, "DEFAULT")) {
		if (_attrs_merge(&r->def, &a)) {
			_nomem(err);
			goto fini;
		}
		if ((r->def.nics >= 0) && r->def.nic_names &&
		    (r->def.nics != r->def.nic_count)) {
			tp_conf_error(err, file, line,
				      "Nics=%d but NicNames names %d NICs",
				      r->def.nics, r->def.nic_count);
			goto fini;
		}
		r->have_def = true;
		free(r->def_file);
		if (!(r->def_file = strdup(file))) {
			_nomem(err);
			goto fini;
		}
		r->def_line = line;
		tp_builder_defaults(r->b, a.gpus, a.nic_gbps, 0);
		rc = 0;
		goto fini;
	}

	if (_attrs_merge(&eff, &r->def) || _attrs_merge(&eff, &a)) {
		_nomem(err);
		goto fini;
	}
	if ((eff.nics >= 0) && eff.nic_names && (eff.nics != eff.nic_count)) {
		tp_conf_error(err, file, line,
			      "Nics=%d but NicNames names %d NICs (with NodeName=DEFAULT)",
			      eff.nics, eff.nic_count);
		goto fini;
	}
	if ((n = _expand(file, line, &pairs[0], &names, err)) < 0) {
		n = 0;
		goto fini;
	}
	for (int i = 0; i < n; i++) {
		tp_builder_where(r->b, file, line);
		if (_apply(r->b, names[i], &eff, err))
			goto fini;
		if (_mark_named(r, names[i])) {
			_nomem(err);
			goto fini;
		}
	}
	rc = 0;
fini:
	tp_hostlist_free(names, n);
	_attrs_clear(&a);
	_attrs_clear(&eff);
	return rc;
}

static int _domain_line(reader_t *r, const char *file, int line,
			const tp_conf_pair_t *pairs, int npairs,
			tp_error_t *err)
{
	const tp_conf_pair_t *nodes, *speed, *spares;
	double gbps = 0;
	char **names = NULL;
	long nspares = 0;
	int n, d, rc = -1;

	if (_check_keys(file, line, pairs, npairs, _domain_keys, err))
		return -1;
	if (!pairs[0].value[0])
		return tp_conf_error(err, file, line, "empty DomainName");
	if (!(nodes = tp_conf_find(pairs, npairs, "Nodes")))
		return tp_conf_error(err, file, line,
				     "domain %.64s needs Nodes=",
				     pairs[0].value);
	speed = tp_conf_find(pairs, npairs, "NvlinkSpeed");
	if (speed && _bad_gbps(file, line, speed, &gbps, err))
		return -1;
	spares = tp_conf_find(pairs, npairs, "Spares");
	if (spares && _bad_int(file, line, spares, 0, INT_MAX, &nspares, err))
		return -1;
	if ((n = _expand(file, line, nodes, &names, err)) < 0)
		return -1;
	tp_builder_where(r->b, file, line);
	if ((d = tp_builder_add_domain(r->b, pairs[0].value, gbps, err)) < 0)
		goto fini;
	for (int i = 0; i < n; i++) {
		tp_builder_where(r->b, file, line);
		if (tp_builder_domain_node(r->b, d, names[i], err))
			goto fini;
	}
	tp_builder_where(r->b, file, line);
	if (spares && tp_builder_domain_spares(r->b, d, (int) nspares, err))
		goto fini;
	rc = 0;
fini:
	tp_hostlist_free(names, n);
	return rc;
}

static int _switch_line(reader_t *r, const char *file, int line,
			const tp_conf_pair_t *pairs, int npairs,
			tp_error_t *err)
{
	const tp_conf_pair_t *uplinks, *speed, *spares;
	double gbps = 0;
	long v = -1, nspares = 0;

	if (_check_keys(file, line, pairs, npairs, _switch_keys, err))
		return -1;
	uplinks = tp_conf_find(pairs, npairs, "Uplinks");
	speed = tp_conf_find(pairs, npairs, "UplinkSpeed");
	spares = tp_conf_find(pairs, npairs, "Spares");
	if (!uplinks && !speed && !spares)
		return tp_conf_error(err, file, line,
				     "SwitchName=%.64s sets nothing (expected Uplinks=, UplinkSpeed= or Spares=)",
				     pairs[0].value);
	if (uplinks && _bad_int(file, line, uplinks, 1, _MAX_UPLINKS, &v,
				err))
		return -1;
	if (speed && _bad_gbps(file, line, speed, &gbps, err))
		return -1;
	if (spares && _bad_int(file, line, spares, 0, INT_MAX, &nspares, err))
		return -1;
	tp_builder_where(r->b, file, line);
	if (spares && tp_builder_switch_spares(r->b, pairs[0].value,
					       (int) nspares, err))
		return -1;
	if (!uplinks && !speed)
		return 0;
	return tp_builder_switch_links(r->b, pairs[0].value, (int) v, gbps,
				       err);
}

static int _nvlink_line(reader_t *r, const char *file, int line,
			const tp_conf_pair_t *pairs, int npairs,
			tp_error_t *err)
{
	double gbps;

	if (_check_keys(file, line, pairs, npairs, _nvlink_keys, err) ||
	    _bad_gbps(file, line, &pairs[0], &gbps, err))
		return -1;
	tp_builder_defaults(r->b, -1, 0, gbps);
	return 0;
}

/* PartitionName=P Recover=yes|no: whether P's jobs ask for recovery
 * without saying so (Slurm's partitions are not known here: a name
 * slurm.conf lacks is never matched). */
static int _partition_line(reader_t *r, const char *file, int line,
			   const tp_conf_pair_t *pairs, int npairs,
			   tp_error_t *err)
{
	const tp_conf_pair_t *recover;
	bool yes;

	if (_check_keys(file, line, pairs, npairs, _partition_keys, err))
		return -1;
	if (!_is_word(pairs[0].value))
		return tp_conf_error(err, file, line,
				     "bad PartitionName '%.64s'",
				     pairs[0].value);
	if (!(recover = tp_conf_find(pairs, npairs, "Recover")))
		return tp_conf_error(err, file, line,
				     "PartitionName=%.64s sets nothing (expected Recover=yes or Recover=no)",
				     pairs[0].value);
	if (!strcasecmp(recover->value, "yes"))
		yes = true;
	else if (!strcasecmp(recover->value, "no"))
		yes = false;
	else
		return tp_conf_error(err, file, line,
				     "Recover=%.64s: expected yes or no",
				     recover->value);
	tp_builder_where(r->b, file, line);
	return tp_builder_partition_recover(r->b, pairs[0].value, yes, err);
}

static int _line(void *arg, const char *file, int line,
		 const tp_conf_pair_t *pairs, int npairs, tp_error_t *err)
{
	reader_t *r = arg;
	const char *key = pairs[0].key;

	if (!strcasecmp(key, "NodeName"))
		return _node_line(r, file, line, pairs, npairs, err);
	if (!strcasecmp(key, "DomainName"))
		return _domain_line(r, file, line, pairs, npairs, err);
	if (!strcasecmp(key, "SwitchName"))
		return _switch_line(r, file, line, pairs, npairs, err);
	if (!strcasecmp(key, "NvlinkSpeed"))
		return _nvlink_line(r, file, line, pairs, npairs, err);
	if (!strcasecmp(key, "PartitionName"))
		return _partition_line(r, file, line, pairs, npairs, err);
	return tp_conf_error(err, file, line,
			     "unknown key '%s' (a line starts with NodeName=, DomainName=, SwitchName=, NvlinkSpeed= or PartitionName=)",
			     key);
}

/* Give the last defaults to the nodes no NodeName line names. */
static int _apply_defaults(reader_t *r, tp_error_t *err)
{
	tp_builder_t *b = r->b;

	if (!r->have_def)
		return 0;
	for (int i = 0; i < b->nnodes; i++) {
		if (tp_name_index_get(r->named, b->nodes[i].name) >= 0)
			continue;
		tp_builder_where(b, r->def_file, r->def_line);
		if (_apply(b, b->nodes[i].name, &r->def, err))
			return -1;
	}
	return 0;
}

extern int tp_topopack_conf_read(tp_builder_t *b, const char *path,
				 tp_error_t *err)
{
	tp_error_t local;
	reader_t r = { .b = b };
	int rc = -1, e;

	if (!err)
		err = &local;
	_attrs_init(&r.def);
	if (!(r.named = tp_name_index_new()))
		return _nomem(err);
	if (!tp_conf_file_read(path, _line, &r, err))
		rc = _apply_defaults(&r, err);
	e = errno;
	_attrs_clear(&r.def);
	free(r.def_file);
	tp_name_index_free(r.named);
	for (int i = 0; i < r.nnamed; i++)
		free(r.named_keys[i]);
	free(r.named_keys);
	errno = e;
	return rc;
}
