/*****************************************************************************\
 *  binding.c - GPU:NIC:CPU binding of one node, from its hwloc topology.
 *
 *  The hwloc topology is only read while loading: everything a caller asks
 *  later (GPUs, NICs, pairing, CPU sets) is copied out, so the topology is
 *  destroyed before tp_node_topo_load() returns.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE		/* cpu_set_t */

#include <errno.h>
#include <hwloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "binding_private.h"

struct tp_node_topo {
	int ngpu;
	int nnic;
	tp_bind_gpu_t *gpu;	/* sorted by bus id */
	tp_bind_nic_t *nic;	/* sorted by bus id */
	cpu_set_t *gpu_cpus;	/* CPUs of each GPU's NUMA node */
};

/* A GPU or NIC while loading: its PCI object and where it sits. */
typedef struct {
	hwloc_obj_t pci;
	hwloc_obj_t local;	/* first non-I/O ancestor */
	int idx;		/* into the gpu or nic array */
} _dev_t;

static void _err(tp_error_t *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void _err(tp_error_t *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->text, sizeof(err->text), fmt, ap);
		va_end(ap);
	}
	errno = errnum;
}

static bool _prefix(const char *s, const char *p)
{
	return s && !strncmp(s, p, strlen(p));
}

static bool _is_compute_osdev(hwloc_obj_t o)
{
	if ((o->attr->osdev.type != HWLOC_OBJ_OSDEV_GPU) &&
	    (o->attr->osdev.type != HWLOC_OBJ_OSDEV_COPROC))
		return false;
	return _prefix(o->name, "cuda") || _prefix(o->name, "nvml") ||
	       _prefix(o->name, "rsmi") || _prefix(o->name, "opencl");
}

static bool _is_gpu_pci(hwloc_obj_t o)
{
	unsigned cls = o->attr->pcidev.class_id;
	unsigned ven = o->attr->pcidev.vendor_id;

	if ((cls != 0x0300) && (cls != 0x0302))
		return false;
	return (ven == 0x10de) || (ven == 0x1002) || (ven == 0x8086);
}

/* PCI device above an OS device (or NULL). */
static hwloc_obj_t _pci_of(hwloc_obj_t o)
{
	for (o = o->parent; o; o = o->parent)
		if (o->type == HWLOC_OBJ_PCI_DEVICE)
			return o;
	return NULL;
}

static uint64_t _pci_key(hwloc_obj_t o)
{
	struct hwloc_pcidev_attr_s *a = &o->attr->pcidev;

	return ((uint64_t) a->domain << 24) | ((uint64_t) a->bus << 16) |
	       ((uint64_t) a->dev << 8) | a->func;
}

static int _dev_cmp(const void *a, const void *b)
{
	uint64_t x = _pci_key(((const _dev_t *) a)->pci);
	uint64_t y = _pci_key(((const _dev_t *) b)->pci);

	return (x > y) - (x < y);
}

static void _busid(hwloc_obj_t o, char *buf, size_t len)
{
	struct hwloc_pcidev_attr_s *a = &o->attr->pcidev;

	snprintf(buf, len, "%04x:%02x:%02x.%01x", (unsigned) a->domain,
		 (unsigned) a->bus, (unsigned) a->dev, (unsigned) a->func);
}

static int _numa_of(hwloc_obj_t local)
{
	if (!local || !local->nodeset || hwloc_bitmap_iszero(local->nodeset))
		return -1;
	return hwloc_bitmap_first(local->nodeset);
}

/* Index of dev among devs[0..n-1], or -1. */
static int _find(const _dev_t *devs, int n, hwloc_obj_t pci)
{
	for (int i = 0; i < n; i++)
		if (devs[i].pci == pci)
			return i;
	return -1;
}

/* Lowest common ancestor of two objects, I/O objects included (hwloc's
 * helper compares depths, which I/O objects do not have). */
static hwloc_obj_t _common(hwloc_obj_t a, hwloc_obj_t b)
{
	hwloc_obj_t x, y;

	for (x = a; x; x = x->parent)
		for (y = b; y; y = y->parent)
			if (x == y)
				return x;
	return NULL;
}

static int _dist(hwloc_topology_t t, const _dev_t *g, const _dev_t *n)
{
	hwloc_obj_t c = _common(g->pci, n->pci);
	hwloc_obj_t pg, pn;
	int ng, nn;

	if (c && (c->type == HWLOC_OBJ_PCI_DEVICE))
		return TP_BIND_PCI; /* functions of one card */
	if (c && (c->type == HWLOC_OBJ_BRIDGE)) {
		if (c->attr->bridge.upstream_type == HWLOC_OBJ_BRIDGE_PCI)
			return TP_BIND_PCI;
		return TP_BIND_NUMA; /* same host bridge */
	}
	ng = _numa_of(g->local);
	nn = _numa_of(n->local);
	if ((ng >= 0) && (ng == nn))
		return TP_BIND_NUMA;
	pg = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, g->local);
	pn = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, n->local);
	if (!pg && g->local && (g->local->type == HWLOC_OBJ_PACKAGE))
		pg = g->local;
	if (!pn && n->local && (n->local->type == HWLOC_OBJ_PACKAGE))
		pn = n->local;
	if (pg && (pg == pn))
		return TP_BIND_PACKAGE;
	return TP_BIND_SYSTEM;
}

/* Fill GPU i's NUMA node, CPU list and CPU set. */
static int _gpu_cpus(hwloc_topology_t t, const _dev_t *d, tp_bind_gpu_t *g,
		     cpu_set_t *set)
{
	hwloc_const_cpuset_t cs = d->local ? d->local->cpuset : NULL;
	hwloc_obj_t numa;
	int cpu;

	g->numa = _numa_of(d->local);
	if (g->numa >= 0) {
		numa = hwloc_get_numanode_obj_by_os_index(t, g->numa);
		if (numa && numa->cpuset)
			cs = numa->cpuset;
	}
	CPU_ZERO(set);
	g->cpus[0] = '\0';
	if (!cs)
		return 0;
	if (hwloc_bitmap_list_snprintf(g->cpus, sizeof(g->cpus), cs) >=
	    (int) sizeof(g->cpus))
		return -1;
	hwloc_bitmap_foreach_begin(cpu, cs)
	{
		if (cpu < CPU_SETSIZE)
			CPU_SET(cpu, set);
	}
	hwloc_bitmap_foreach_end();
	return 0;
}

/* Preference of a NIC's port in ties: active 0, unknown 1, other 2. */
static int _port_rank(const tp_bind_nic_t *nic)
{
	if (nic->port_state == 4)
		return 0;
	return (nic->port_state < 0) ? 1 : 2;
}

/*
 * Pair GPUs with NICs at the least total distance, no NIC taking more
 * than ceil(GPUs/NICs): a min-cost flow source -> GPU -> NIC -> sink,
 * grown one GPU at a time along the cheapest path (Bellman-Ford over
 * the residual graph, so a later GPU can move an earlier one to another
 * NIC when that is cheaper in total). A pair costs its distance class,
 * weighted so that any nearer class outweighs the NIC's port state,
 * which breaks ties. Nodes and edges are scanned in bus order: the
 * result depends on the topology alone.
 * RET 0, or -1 when out of memory
 */
static int _pair(hwloc_topology_t t, tp_node_topo_t *nt, const _dev_t *gd,
		 const _dev_t *nd)
{
	int G = nt->ngpu, N = nt->nnic, cap;
	int *cost, *of_gpu, *dist, *from, rc = -1;

	for (int i = 0; i < G; i++) {
		nt->gpu[i].nic = -1;
		nt->gpu[i].dist = TP_BIND_NONE;
		nt->gpu[i].nic_local = false;
	}
	if (!N || !G)
		return 0;
	cap = (G + N - 1) / N;
	cost = malloc(sizeof(int) * G * N);
	of_gpu = malloc(sizeof(int) * G);
	/* residual graph nodes: GPUs 0..G-1, NICs G..G+N-1, sink G+N */
	dist = malloc(sizeof(int) * (G + N + 1));
	from = malloc(sizeof(int) * (G + N + 1));
	if (!cost || !of_gpu || !dist || !from)
		goto fini;
	for (int i = 0; i < G; i++) {
		of_gpu[i] = -1;
		for (int j = 0; j < N; j++)
			cost[i * N + j] = _dist(t, &gd[i], &nd[j]) * 16 +
				_port_rank(&nt->nic[j]);
	}
	for (int g = 0; g < G; g++) {
		bool changed = true;
		int end;

		/* from unassigned GPU g: cheapest path to a NIC with room */
		for (int v = 0; v <= G + N; v++)
			dist[v] = INT_MAX;
		dist[g] = 0;
		from[g] = -1;
		for (int round = 0; changed && round <= G + N; round++) {
			changed = false;
			for (int i = 0; i < G; i++) {
				if (dist[i] == INT_MAX)
					continue;
				for (int j = 0; j < N; j++) {
					int d;

					if (of_gpu[i] == j)
						continue;
					d = dist[i] + cost[i * N + j];
					if (d < dist[G + j]) {
						dist[G + j] = d;
						from[G + j] = i;
						changed = true;
					}
				}
			}
			/* back along an assignment: NIC j to its GPU i */
			for (int i = 0; i < G; i++) {
				int j = of_gpu[i], d;

				if (j < 0 || dist[G + j] == INT_MAX)
					continue;
				d = dist[G + j] - cost[i * N + j];
				if (d < dist[i]) {
					dist[i] = d;
					from[i] = G + j;
					changed = true;
				}
			}
		}
		end = -1;
		for (int j = 0; j < N; j++)
			if (nt->nic[j].gpus < cap && dist[G + j] != INT_MAX &&
			    (end < 0 || dist[G + j] < dist[end]))
				end = G + j;
		if (end < 0)
			break;
		nt->nic[end - G].gpus++;
		/* flip the path: each GPU on it takes the NIC it reached;
		 * the NIC it leaves is the one the path came through */
		for (int v = end;;) {
			int i = from[v], prev = i == g ? -1 : from[i];

			of_gpu[i] = v - G;
			if (prev < 0)
				break;
			v = prev;
		}
	}
	for (int i = 0; i < G; i++) {
		int j = of_gpu[i];

		if (j < 0)
			continue;
		nt->gpu[i].nic = j;
		nt->gpu[i].dist = _dist(t, &gd[i], &nd[j]);
		nt->gpu[i].nic_local = nt->gpu[i].dist <= TP_BIND_NUMA;
	}
	rc = 0;
fini:
	free(cost);
	free(of_gpu);
	free(dist);
	free(from);
	return rc;
}

/* Collect GPUs and NICs of a loaded topology into nt; on the live
 * machine, with their port state and rate from verbs. */
static int _scan(hwloc_topology_t t, tp_node_topo_t *nt, const char *what,
		 bool live, tp_error_t *err)
{
	_dev_t *gd = NULL, *nd = NULL;
	hwloc_obj_t o, p;
	int ng = 0, nn = 0, max, i, k, rc = -1;
	const char *v;

	max = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PCI_DEVICE) + 1;
	gd = calloc(max, sizeof(*gd));
	nd = calloc(max, sizeof(*nd));
	nt->gpu = calloc(max, sizeof(*nt->gpu));
	nt->nic = calloc(max, sizeof(*nt->nic));
	if (!gd || !nd || !nt->gpu || !nt->nic) {
		_err(err, ENOMEM, "out of memory");
		goto fini;
	}

	/* GPUs named by a compute runtime, then by PCI class. */
	for (o = NULL; (o = hwloc_get_next_osdev(t, o));) {
		if (!_is_compute_osdev(o) || !(p = _pci_of(o)))
			continue;
		if (_find(gd, ng, p) < 0 && ng < max)
			gd[ng++].pci = p;
	}
	if (!ng) {
		for (o = NULL; (o = hwloc_get_next_pcidev(t, o));)
			if (_is_gpu_pci(o) && ng < max)
				gd[ng++].pci = o;
	}
	if (!ng) {
		_err(err, ENODEV,
		     "%s: no GPU (no cuda/nvml/rsmi/opencl device and no PCI display controller from NVIDIA, AMD or Intel)",
		     what);
		goto fini;
	}
	for (o = NULL; (o = hwloc_get_next_osdev(t, o));) {
		if ((o->attr->osdev.type != HWLOC_OBJ_OSDEV_OPENFABRICS) ||
		    !(p = _pci_of(o)) || (nn >= max))
			continue;
		nd[nn].pci = p;
		snprintf(nt->nic[nn].name, sizeof(nt->nic[nn].name), "%s",
			 o->name ? o->name : "");
		v = hwloc_obj_get_info_by_name(o, "Port1State");
		nt->nic[nn].port_state = v ? atoi(v) : -1;
		nn++;
	}

	qsort(gd, ng, sizeof(*gd), _dev_cmp);
	/* NICs carry their names: sort name and device together. */
	for (i = 0; i < nn; i++)
		for (k = i; k > 0 && _dev_cmp(&nd[k - 1], &nd[k]) > 0; k--) {
			_dev_t td = nd[k];
			tp_bind_nic_t tn = nt->nic[k];

			nd[k] = nd[k - 1];
			nd[k - 1] = td;
			nt->nic[k] = nt->nic[k - 1];
			nt->nic[k - 1] = tn;
		}
	nt->ngpu = ng;
	nt->nnic = nn;
	nt->gpu_cpus = calloc(ng, sizeof(*nt->gpu_cpus));
	if (!nt->gpu_cpus) {
		_err(err, ENOMEM, "out of memory");
		goto fini;
	}

	for (i = 0; i < nn; i++) {
		nd[i].local = hwloc_get_non_io_ancestor_obj(t, nd[i].pci);
		_busid(nd[i].pci, nt->nic[i].busid, sizeof(nt->nic[i].busid));
		nt->nic[i].numa = _numa_of(nd[i].local);
		nt->nic[i].port = 1;
		nt->nic[i].gpus = 0;
	}
	if (live)
		tp_bind_verbs_probe(nt->nic, nn);
	for (i = 0; i < ng; i++) {
		tp_bind_gpu_t *g = &nt->gpu[i];

		gd[i].local = hwloc_get_non_io_ancestor_obj(t, gd[i].pci);
		_busid(gd[i].pci, g->busid, sizeof(g->busid));
		g->vendor = gd[i].pci->attr->pcidev.vendor_id;
		g->device = gd[i].pci->attr->pcidev.device_id;
		for (o = gd[i].pci->io_first_child; o; o = o->next_sibling) {
			if (o->type != HWLOC_OBJ_OS_DEVICE || !o->name)
				continue;
			if (!g->osdev[0] && _is_compute_osdev(o))
				snprintf(g->osdev, sizeof(g->osdev), "%s",
					 o->name);
			if (!g->render[0] && _prefix(o->name, "renderD"))
				snprintf(g->render, sizeof(g->render), "%s",
					 o->name);
		}
		if (_gpu_cpus(t, &gd[i], g, &nt->gpu_cpus[i]) < 0) {
			_err(err, EINVAL, "%s: CPU list of GPU %s too long",
			     what, g->busid);
			goto fini;
		}
	}
	if (_pair(t, nt, gd, nd) < 0) {
		_err(err, ENOMEM, "out of memory");
		goto fini;
	}
	rc = 0;
fini:
	free(gd);
	free(nd);
	return rc;
}

/* Does the XML start as an hwloc 3 export (within its first 512 bytes)? */
static bool _hwloc3(const char *xml, size_t len)
{
	static const char tag[] = "<topology version=\"3.";
	size_t n = len < 512 ? len : 512, k = sizeof(tag) - 1;

	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(xml + i, tag, k))
			return true;
	return false;
}

/* Does hwloc read an XML file in place of the machine (HWLOC_XMLFILE)? */
static bool _env_xml(void)
{
	const char *env = getenv("HWLOC_XMLFILE");

	return env && *env;
}

static tp_node_topo_t *_load(const char *xml, size_t len, const char *what,
			     tp_error_t *err)
{
	hwloc_topology_t t = NULL;
	tp_node_topo_t *nt = NULL;
	char *buf = NULL;

	if (xml) {
		if (_hwloc3(xml, len)) {
			_err(err, EINVAL,
			     "%s: hwloc 3 XML export; this hwloc reads only version 2 (and 1) exports",
			     what);
			return NULL;
		}
		/* hwloc wants the terminating NUL inside the buffer. */
		if (!(buf = malloc(len + 1))) {
			_err(err, ENOMEM, "out of memory");
			return NULL;
		}
		memcpy(buf, xml, len);
		buf[len] = '\0';
	}
	if (!(nt = calloc(1, sizeof(*nt)))) {
		_err(err, ENOMEM, "out of memory");
		goto fail;
	}
	if (hwloc_topology_init(&t) < 0) {
		_err(err, errno, "hwloc_topology_init: %s", strerror(errno));
		t = NULL;
		goto fail;
	}
	hwloc_topology_set_io_types_filter(t, HWLOC_TYPE_FILTER_KEEP_ALL);
	if (buf && (hwloc_topology_set_xmlbuffer(t, buf, len + 1) < 0)) {
		_err(err, EINVAL, "%s: not an hwloc XML export", what);
		goto fail;
	}
	if (hwloc_topology_load(t) < 0) {
		/* With libxml2 (hwloc-plugins installed) a buffer that is
		 * not XML is refused above; with hwloc's own parser, here. */
		if (buf && (!errno || errno == EINVAL))
			_err(err, EINVAL, "%s: not an hwloc XML export", what);
		else
			_err(err, errno ? errno : EINVAL,
			     "%s: hwloc cannot load it (%s)", what,
			     strerror(errno ? errno : EINVAL));
		goto fail;
	}
	if (_scan(t, nt, what, !xml && !_env_xml() &&
		  hwloc_topology_is_thissystem(t), err) < 0)
		goto fail;
	hwloc_topology_destroy(t);
	free(buf);
	return nt;
fail:
	if (t)
		hwloc_topology_destroy(t);
	free(buf);
	tp_node_topo_free(nt);
	return NULL;
}

extern tp_node_topo_t *tp_node_topo_load_buffer(const char *xml, size_t len,
						tp_error_t *err)
{
	if (!xml) {
		_err(err, EINVAL, "no XML given");
		return NULL;
	}
	return _load(xml, len, "XML buffer", err);
}

extern tp_node_topo_t *tp_node_topo_load(const char *xml_file,
					 tp_error_t *err)
{
	tp_node_topo_t *nt;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	long n;

	if (!xml_file) {
		const char *env = getenv("HWLOC_XMLFILE");

		return _load(NULL, 0, env && *env ? env : "this machine",
			     err);
	}
	if (!(f = fopen(xml_file, "r"))) {
		_err(err, errno, "%s: %s", xml_file, strerror(errno));
		return NULL;
	}
	if ((fseek(f, 0, SEEK_END) < 0) || ((n = ftell(f)) < 0) ||
	    (fseek(f, 0, SEEK_SET) < 0)) {
		_err(err, errno, "%s: %s", xml_file, strerror(errno));
		fclose(f);
		return NULL;
	}
	len = n;
	if (!(buf = malloc(len + 1))) {
		_err(err, ENOMEM, "out of memory");
		fclose(f);
		return NULL;
	}
	if ((len > 0) && (fread(buf, 1, len, f) != len)) {
		_err(err, EIO, "%s: cannot read it", xml_file);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	nt = _load(buf, len, xml_file, err);
	free(buf);
	return nt;
}

extern void tp_node_topo_free(tp_node_topo_t *topo)
{
	if (!topo)
		return;
	free(topo->gpu);
	free(topo->nic);
	free(topo->gpu_cpus);
	free(topo);
}

extern int tp_node_topo_gpu_count(const tp_node_topo_t *topo)
{
	return topo ? topo->ngpu : 0;
}

extern int tp_node_topo_nic_count(const tp_node_topo_t *topo)
{
	return topo ? topo->nnic : 0;
}

extern const tp_bind_gpu_t *tp_node_topo_gpu(const tp_node_topo_t *topo,
					     int i)
{
	if (!topo || (i < 0) || (i >= topo->ngpu))
		return NULL;
	return &topo->gpu[i];
}

extern const tp_bind_nic_t *tp_node_topo_nic(const tp_node_topo_t *topo,
					     int i)
{
	if (!topo || (i < 0) || (i >= topo->nnic))
		return NULL;
	return &topo->nic[i];
}

extern const char *tp_bind_dist_name(int dist)
{
	switch (dist) {
	case TP_BIND_PCI:
		return "pci";
	case TP_BIND_NUMA:
		return "numa";
	case TP_BIND_PACKAGE:
		return "package";
	case TP_BIND_SYSTEM:
		return "system";
	default:
		return "none";
	}
}

extern int tp_bind_parse_gpus(const char *list, int max_index, int *idx,
			      int max_out, tp_error_t *err)
{
	const char *p = list;
	int n = 0;
	long v;

	if (!list || !*list) {
		_err(err, EINVAL, "empty GPU list");
		return -1;
	}
	for (;;) {
		if ((*p < '0') || (*p > '9')) {
			_err(err, EINVAL, "GPU list \"%.64s\": index expected",
			     list);
			return -1;
		}
		for (v = 0; (*p >= '0') && (*p <= '9'); p++) {
			v = v * 10 + (*p - '0');
			if (v >= max_index)
				break;
		}
		if (v >= max_index) {
			_err(err, EINVAL,
			     "GPU list \"%.64s\": index beyond the node's %d GPUs",
			     list, max_index);
			return -1;
		}
		if (n >= max_out) {
			_err(err, EINVAL, "GPU list \"%.64s\": too many GPUs",
			     list);
			return -1;
		}
		idx[n++] = (int) v;
		if (!*p)
			return n;
		if (*p++ != ',') {
			_err(err, EINVAL,
			     "GPU list \"%.64s\": ',' expected after an index",
			     list);
			return -1;
		}
	}
}

extern int tp_bind_task_gpus(const tp_bind_gpu_env_t *env, bool batch,
			     int max_index, int *idx, int max_out,
			     const char **from, tp_error_t *err)
{
	const char *name[2], *value[2];
	int i;

	if (from)
		*from = NULL;
	if (!env) {
		_err(err, EINVAL, "no GPU variables given");
		return -1;
	}
	name[0] = batch ? "SLURM_JOB_GPUS" : "SLURM_STEP_GPUS";
	value[0] = batch ? env->job_gpus : env->step_gpus;
	name[1] = "CUDA_VISIBLE_DEVICES";
	value[1] = env->visible;
	for (i = 0; i < 2; i++) {
		if (!value[i] || !value[i][0])
			continue;
		if (from)
			*from = name[i];
		return tp_bind_parse_gpus(value[i], max_index, idx, max_out,
					  err);
	}
	return 0;
}

static int _append(char *buf, size_t len, const char *name, int port)
{
	size_t used = strlen(buf);
	int w;

	if (port > 0)
		w = snprintf(buf + used, len - used, "%s%s:%d",
			     used ? "," : "", name, port);
	else
		w = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			     name);
	if ((w < 0) || ((size_t) w >= len - used)) {
		buf[used] = '\0';
		return -1;
	}
	return 0;
}

extern int tp_bind_task(const tp_node_topo_t *topo, const int *gpus, int n,
			char *hca, size_t hca_len, char *ucx, size_t ucx_len,
			cpu_set_t *cpus, tp_error_t *err)
{
	bool seen[64] = { false };
	int i, nic;

	if (!topo || !hca || !ucx || !hca_len || !ucx_len || (n < 0) ||
	    (n && !gpus)) {
		_err(err, EINVAL, "bad arguments");
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((gpus[i] < 0) || (gpus[i] >= topo->ngpu)) {
			_err(err, EINVAL, "GPU %d: the node has %d GPUs",
			     gpus[i], topo->ngpu);
			return -1;
		}
	hca[0] = ucx[0] = '\0';
	if (cpus)
		CPU_ZERO(cpus);
	for (i = 0; i < n; i++) {
		nic = topo->gpu[gpus[i]].nic;
		if (cpus)
			CPU_OR(cpus, cpus, &topo->gpu_cpus[gpus[i]]);
		if ((nic < 0) || ((nic < 64) && seen[nic]))
			continue;
		if (nic < 64)
			seen[nic] = true;
		if ((_append(hca, hca_len, topo->nic[nic].name, 0) < 0) ||
		    (_append(ucx, ucx_len, topo->nic[nic].name,
			     topo->nic[nic].port) < 0)) {
			_err(err, ENOSPC, "NIC list too long");
			return -1;
		}
	}
	return 0;
}

extern int tp_cpuset_to_list(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;
	int i, j, w;

	if (!buf || !len)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, set))
			continue;
		for (j = i; (j + 1 < CPU_SETSIZE) && CPU_ISSET(j + 1, set);)
			j++;
		if (j > i)
			w = snprintf(buf + used, len - used, "%s%d-%d",
				     used ? "," : "", i, j);
		else
			w = snprintf(buf + used, len - used, "%s%d",
				     used ? "," : "", i);
		if ((w < 0) || ((size_t) w >= len - used))
			return -1;
		used += w;
		i = j;
	}
	return 0;
}
