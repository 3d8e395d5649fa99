/*****************************************************************************\
 *  ibnet_fabric.c - compute hosts, leaf groups and anomalies of an
 *  InfiniBand fabric.
 *
 *  A rail-optimised fabric (each server's adapters cabled to different
 *  leaves, one "rail" each) puts a host under several leaves, which
 *  topology.conf cannot say. Hosts cabled to the same set of leaves form
 *  a scalable unit, and the unit takes the leaves' place: two of its hosts
 *  talk through one switch on every rail, as two hosts of one leaf do.
 *  The units are found from the sets themselves, most common first, so a
 *  host with a rail missing or a cable on another unit's leaf is put in
 *  the unit it shares most leaves with, and reported.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE	/* strverscmp */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ibnet_fabric.h"

static const char *const anomaly_names[] = {
	[IBNET_MISSING_RAIL] = "missing-rail",
	[IBNET_SHARED_LEAF] = "shared-leaf",
	[IBNET_WRONG_RAIL] = "wrong-rail",
	[IBNET_TWO_UNITS] = "two-units",
	[IBNET_FEW_UPLINKS] = "few-uplinks",
	[IBNET_UNKNOWN_DEVICE] = "unknown-device",
	[IBNET_NO_HOSTS] = "no-hosts",
	[IBNET_UNREACHED] = "unreached",
	[IBNET_CUT_LEVEL] = "cut-level",
};

extern const char *ibnet_anomaly_name(ibnet_anomaly_kind_t kind)
{
	return anomaly_names[kind];
}

extern double ibnet_rate_gbps(const char *rate)
{
	static const struct {
		const char *name;
		double lane;
	} speeds[] = {
		{ "SDR", 2.5 }, { "DDR", 5 }, { "QDR", 10 }, { "FDR10", 10 },
		{ "FDR", 14 }, { "EDR", 25 }, { "HDR", 50 }, { "NDR", 100 },
		{ "XDR", 200 },
	};
	char *x;
	long width = strtol(rate, &x, 10);

	if (width < 1 || width > 12 || *x != 'x')
		return 0;
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		if (!strcmp(x + 1, speeds[i].name))
			return width * speeds[i].lane;
	return 0;
}

/* A description the adapter left at its factory default. */
static bool _factory(const char *desc)
{
	return !desc[0] || strstr(desc, "Mellanox") || strstr(desc, "NVIDIA") ||
		(desc[0] == 'M' && desc[1] == 'T' &&
		 isdigit((unsigned char) desc[2]));
}

/* A SHARP aggregation node: a switch's own adapter, not a host. */
static bool _aggregation_node(const ibnet_node_t *n)
{
	return (n->kind == IBNET_CA) && strstr(n->desc, "Aggregation Node");
}

extern char *ibnet_host(const ibnet_node_t *ca, const ibnet_naming_t *naming)
{
	const ibnet_map_t *map = naming ? naming->map : NULL;
	const char *guid = strchr(ca->name, '-');
	regmatch_t m[2];

	for (int i = 0; map && i < map->count; i++)
		if (!strcmp(map->name[i], ca->name) ||
		    (guid && !strcasecmp(map->name[i], guid + 1)))
			return strdup(map->host[i]);
	if (naming && naming->hosts) {
		if (regexec(naming->hosts, ca->desc, 2, m, 0))
			return NULL;
		if (m[1].rm_so < 0)
			m[1] = m[0];
		if (m[1].rm_eo <= m[1].rm_so)
			return NULL;
		return strndup(ca->desc + m[1].rm_so, m[1].rm_eo - m[1].rm_so);
	}
	if (_factory(ca->desc))
		return NULL;
	return strndup(ca->desc, strcspn(ca->desc, " \t"));
}

static int _add(ibnet_fabric_t *fab, ibnet_anomaly_kind_t kind, int node,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int _add(ibnet_fabric_t *fab, ibnet_anomaly_kind_t kind, int node,
		const char *fmt, ...)
{
	ibnet_anomaly_t *grown, *a;
	va_list ap;
	int rc;

	grown = realloc(fab->anomaly, (fab->nanomalies + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	fab->anomaly = grown;
	a = &fab->anomaly[fab->nanomalies];
	a->kind = kind;
	a->node = node;
	va_start(ap, fmt);
	rc = vasprintf(&a->text, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	fab->nanomalies++;
	return 0;
}

static int _cmp_host(const void *a, const void *b)
{
	/* gpu9 before gpu10, as hostlists count. */
	return strverscmp(*(char *const *) a, *(char *const *) b);
}

/* The word after the host in an adapter's description ("mlx5_3"), or "". */
static const char *_rail_word(const ibnet_node_t *ca, size_t *len)
{
	const char *p = ca->desc + strcspn(ca->desc, " \t");

	p += strspn(p, " \t");
	*len = strcspn(p, " \t");
	return p;
}

/* Name the compute adapters' hosts: fab->host sorted, host_of set. */
static int _hosts(ibnet_fabric_t *fab, char **names)
{
	const ibnet_t *net = fab->net;
	char **sorted = calloc(net->count + 1, sizeof(char *));
	int n = 0;

	if (!sorted)
		return -1;
	for (int i = 0; i < net->count; i++)
		if (names[i])
			sorted[n++] = names[i];
	qsort(sorted, n, sizeof(char *), _cmp_host);
	if (!(fab->host = calloc(n + 1, sizeof(ibnet_host_t)))) {
		free(sorted);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (!fab->nhosts ||
		    strcmp(sorted[i], fab->host[fab->nhosts - 1].name)) {
			fab->host[fab->nhosts].unit = -1;
			if (!(fab->host[fab->nhosts++].name =
			      strdup(sorted[i]))) {
				free(sorted);
				return -1;
			}
		}
	free(sorted);
	for (int i = 0; i < net->count; i++) {
		ibnet_host_t key = { .name = names[i] }, *h;

		if (!names[i])
			continue;
		h = bsearch(&key, fab->host, fab->nhosts, sizeof(*h),
			    _cmp_host);
		fab->host_of[i] = (int) (h - fab->host);
		if (!(h->nca % 8)) {
			int *grown = realloc(h->ca, (h->nca + 8) * sizeof(int));

			if (!grown)
				return -1;
			h->ca = grown;
		}
		h->ca[h->nca++] = i;
		for (int k = 0; k < net->node[i].nlinks; k++) {
			double g = ibnet_rate_gbps(net->node[i].link[k].rate);

			if (g > h->nic_gbps)
				h->nic_gbps = g;
		}
	}
	return 0;
}

/* A host's leaves: the level-0 switches its adapters are cabled to,
 * sorted, distinct. RET their count, -1 on ENOMEM. */
static int _host_leaves(const ibnet_fabric_t *fab, const ibnet_host_t *h,
			int **out)
{
	const ibnet_t *net = fab->net;
	int n = 0, *leaves = NULL, cap = 0;

	for (int c = 0; c < h->nca; c++) {
		const ibnet_node_t *ca = &net->node[h->ca[c]];

		for (int k = 0; k < ca->nlinks; k++) {
			int p = ca->link[k].peer, j;

			if (fab->tree.level[p] != 0)
				continue;
			for (j = 0; j < n && leaves[j] != p; j++)
				;
			if (j < n)
				continue;
			if (n == cap) {
				int *grown;

				cap = cap ? 2 * cap : 8;
				if (!(grown = realloc(leaves, cap * sizeof(int)))) {
					free(leaves);
					return -1;
				}
				leaves = grown;
			}
			leaves[n++] = p;
		}
	}
	for (int i = 1; i < n; i++)	/* few: insertion sort */
		for (int j = i; j > 0 && leaves[j - 1] > leaves[j]; j--) {
			int t = leaves[j];

			leaves[j] = leaves[j - 1];
			leaves[j - 1] = t;
		}
	*out = leaves;
	return n;
}

typedef struct {
	int *leaf;
	int n;
	int count;		/* hosts with exactly this set */
	int first;		/* its first host */
} leaf_set_t;

static int _cmp_set_leaves(const leaf_set_t *a, const leaf_set_t *b)
{
	if (a->n != b->n)
		return a->n - b->n;
	if (!a->n)
		return 0;
	return memcmp(a->leaf, b->leaf, a->n * sizeof(int));
}

/* Most hosts first, then bigger sets, then by first host. */
static int _cmp_set_rank(const void *x, const void *y)
{
	const leaf_set_t *a = x, *b = y;

	if (a->count != b->count)
		return b->count - a->count;
	if (a->n != b->n)
		return b->n - a->n;
	return a->first - b->first;
}

/* Each leaf's rail: the adapter name most of its hosts use there. */
static int _rails(ibnet_fabric_t *fab)
{
	const ibnet_t *net = fab->net;

	for (int i = 0; i < net->count; i++) {
		const ibnet_node_t *sw = &net->node[i];
		const char *best = "";
		size_t best_len = 0;
		int best_votes = 0;

		if (fab->tree.level[i] != 0)
			continue;
		for (int k = 0; k < sw->nlinks; k++) {
			const char *w;
			size_t len;
			int votes = 0;

			if (fab->host_of[sw->link[k].peer] < 0)
				continue;
			w = _rail_word(&net->node[sw->link[k].peer], &len);
			for (int j = 0; len && j < sw->nlinks; j++) {
				const char *v;
				size_t vlen;

				if (fab->host_of[sw->link[j].peer] < 0)
					continue;
				v = _rail_word(&net->node[sw->link[j].peer],
					       &vlen);
				votes += (vlen == len) && !strncmp(v, w, len);
			}
			if (votes > best_votes) {
				best_votes = votes;
				best = w;
				best_len = len;
			}
		}
		if (!(fab->rail[i] = strndup(best, best_len)))
			return -1;
	}
	return 0;
}

static int _add_unit(ibnet_fabric_t *fab, const int *leaf, int n)
{
	ibnet_unit_t *grown = realloc(fab->unit,
				      (fab->nunits + 1) * sizeof(*grown));
	ibnet_unit_t *u;

	if (!grown)
		return -1;
	fab->unit = grown;
	u = &fab->unit[fab->nunits++];
	memset(u, 0, sizeof(*u));
	if (!(u->leaf = malloc(n * sizeof(int))))
		return -1;
	memcpy(u->leaf, leaf, n * sizeof(int));
	u->nleaves = n;
	for (int i = 0; i < n; i++)
		fab->unit_of[leaf[i]] = fab->nunits - 1;
	return 0;
}

/* Group hosts into units; fab->rails from the sets' usual size. */
static int _units(ibnet_fabric_t *fab, leaf_set_t *host_set)
{
	leaf_set_t *sets = calloc(fab->nhosts + 1, sizeof(*sets));
	int nsets = 0, *size_count = calloc(fab->net->count + 1, sizeof(int));
	int rc = -1;

	if (!sets || !size_count)
		goto fini;
	for (int h = 0; h < fab->nhosts; h++) {
		int s;

		size_count[host_set[h].n]++;
		for (s = 0; s < nsets; s++)
			if (!_cmp_set_leaves(&sets[s], &host_set[h]))
				break;
		if (s == nsets)
			sets[nsets++] = (leaf_set_t) {
				.leaf = host_set[h].leaf, .n = host_set[h].n,
				.first = h };
		sets[s].count++;
	}
	fab->rails = 1;
	for (int n = 2; n <= fab->net->count; n++)
		if (size_count[n] > size_count[fab->rails])
			fab->rails = n;
	qsort(sets, nsets, sizeof(*sets), _cmp_set_rank);
	for (int s = 0; s < nsets; s++) {
		bool free_leaves = sets[s].n > 0;

		for (int i = 0; i < sets[s].n; i++)
			if (fab->unit_of[sets[s].leaf[i]] >= 0)
				free_leaves = false;
		if (free_leaves && _add_unit(fab, sets[s].leaf, sets[s].n))
			goto fini;
	}
	/* Leaves no set claimed whole (reached only by odd cabling). */
	for (int i = 0; i < fab->net->count; i++)
		if (!fab->tree.level[i] && fab->unit_of[i] < 0 &&
		    _add_unit(fab, &i, 1))
			goto fini;
	rc = 0;
fini:
	free(sets);
	free(size_count);
	return rc;
}

/* Each host into the unit it shares most leaves with; units' host
 * counts. */
static void _place_hosts(ibnet_fabric_t *fab, const leaf_set_t *host_set)
{
	int *shared = calloc(fab->nunits + 1, sizeof(int));

	for (int h = 0; shared && h < fab->nhosts; h++) {
		int best = -1;

		memset(shared, 0, fab->nunits * sizeof(int));
		for (int i = 0; i < host_set[h].n; i++)
			shared[fab->unit_of[host_set[h].leaf[i]]]++;
		for (int u = 0; u < fab->nunits; u++)
			if (shared[u] && (best < 0 || shared[u] > shared[best]))
				best = u;
		fab->host[h].unit = best;
		if (best >= 0)
			fab->unit[best].nhosts++;
	}
	free(shared);
}

/* qsort has no context argument. */
static const ibnet_fabric_t *sort_fab;
static const int *sort_first;

static int _cmp_unit(const void *a, const void *b)
{
	return sort_first[*(const int *) a] - sort_first[*(const int *) b];
}

static int _cmp_rail(const void *a, const void *b)
{
	int x = *(const int *) a, y = *(const int *) b;
	int c = strverscmp(sort_fab->rail[x], sort_fab->rail[y]);

	return c ? c : x - y;
}

/* Units in the order of their first host, leaves by rail; names. */
static int _order_units(ibnet_fabric_t *fab)
{
	int *order = malloc((fab->nunits + 1) * sizeof(int));
	int *renum = malloc((fab->nunits + 1) * sizeof(int));
	int *first = malloc((fab->nunits + 1) * sizeof(int));
	ibnet_unit_t *sorted = calloc(fab->nunits + 1, sizeof(*sorted));
	int rc = -1, su = 0;

	if (!order || !renum || !first || !sorted)
		goto fini;
	sort_fab = fab;
	sort_first = first;
	for (int u = 0; u < fab->nunits; u++) {
		order[u] = u;
		first[u] = fab->nhosts;
	}
	for (int h = fab->nhosts - 1; h >= 0; h--)
		if (fab->host[h].unit >= 0)
			first[fab->host[h].unit] = h;
	qsort(order, fab->nunits, sizeof(int), _cmp_unit);
	for (int u = 0; u < fab->nunits; u++) {
		sorted[u] = fab->unit[order[u]];
		renum[order[u]] = u;
		qsort(sorted[u].leaf, sorted[u].nleaves, sizeof(int),
		      _cmp_rail);
	}
	free(fab->unit);
	fab->unit = sorted;
	sorted = NULL;
	for (int h = 0; h < fab->nhosts; h++)
		if (fab->host[h].unit >= 0)
			fab->host[h].unit = renum[fab->host[h].unit];
	for (int i = 0; i < fab->net->count; i++)
		if (fab->unit_of[i] >= 0)
			fab->unit_of[i] = renum[fab->unit_of[i]];
	for (int u = 0; u < fab->nunits; u++) {
		ibnet_unit_t *unit = &fab->unit[u];

		if (unit->nleaves == 1)
			unit->name = strdup(fab->switch_name[unit->leaf[0]]);
		else if (asprintf(&unit->name, "su%d", ++su) < 0)
			unit->name = NULL;
		if (!unit->name)
			goto fini;
	}
	rc = 0;
fini:
	sort_fab = NULL;
	sort_first = NULL;
	free(order);
	free(renum);
	free(first);
	free(sorted);
	return rc;
}

/* A description usable as a switch name in topology.conf. */
static bool _name_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char) *s) && !strchr("._-", *s))
			return false;
	return true;
}

static int _switch_names(ibnet_fabric_t *fab)
{
	const ibnet_t *net = fab->net;
	bool descs = true;

	for (int i = 0; descs && i < net->count; i++) {
		if (net->node[i].kind != IBNET_SWITCH ||
		    fab->tree.level[i] < 0)
			continue;
		if (!_name_word(net->node[i].desc))
			descs = false;
		for (int j = 0; descs && j < i; j++)
			if (net->node[j].kind == IBNET_SWITCH &&
			    fab->tree.level[j] >= 0 &&
			    !strcmp(net->node[i].desc, net->node[j].desc))
				descs = false;
	}
	for (int i = 0; i < net->count; i++) {
		if (net->node[i].kind != IBNET_SWITCH)
			continue;
		fab->switch_name[i] = strdup((descs &&
					      _name_word(net->node[i].desc)) ?
					     net->node[i].desc :
					     net->node[i].name);
		if (!fab->switch_name[i])
			return -1;
	}
	return 0;
}

/* Cables to the level above, and their rate. */
static void _uplinks(ibnet_fabric_t *fab)
{
	const ibnet_t *net = fab->net;

	for (int i = 0; i < net->count; i++) {
		int lvl = fab->tree.level[i];

		if (net->node[i].kind != IBNET_SWITCH || lvl < 0)
			continue;
		for (int k = 0; k < net->node[i].nlinks; k++) {
			const ibnet_link_t *l = &net->node[i].link[k];
			double g = ibnet_rate_gbps(l->rate);

			if (fab->tree.level[l->peer] != lvl + 1)
				continue;
			fab->uplinks[i]++;
			if (g > fab->uplink_gbps[i])
				fab->uplink_gbps[i] = g;
		}
	}
}

/* The name of the node a device is cabled to, and the port there. */
static const char *_attached(const ibnet_fabric_t *fab, int node, int *port)
{
	const ibnet_node_t *n = &fab->net->node[node];
	int peer;

	if (!n->nlinks) {
		*port = 0;
		return "nothing";
	}
	peer = n->link[0].peer;
	*port = n->link[0].peer_port;
	return fab->switch_name[peer] ? fab->switch_name[peer] :
		fab->net->node[peer].name;
}

/* ", line N" where the device is in a dump; "" for a live fabric. */
static const char *_line(const ibnet_node_t *n, char *buf, size_t size)
{
	buf[0] = '\0';
	if (n->line > 0)
		snprintf(buf, size, ", line %d", n->line);
	return buf;
}

static int _device_anomalies(ibnet_fabric_t *fab, const bool *aggregation)
{
	const ibnet_t *net = fab->net;

	for (int i = 0; i < net->count; i++) {
		const ibnet_node_t *n = &net->node[i];
		int port, rc = 0;
		const char *sw;

		char line[32];

		if (n->kind == IBNET_SWITCH || aggregation[i] ||
		    fab->host_of[i] >= 0)
			continue;
		sw = _attached(fab, i, &port);
		rc = _add(fab, IBNET_UNKNOWN_DEVICE, i,
			  "%s %s (\"%s\"%s) on %s port %d: %s",
			  n->kind == IBNET_ROUTER ? "router" : "adapter",
			  n->name, n->desc, _line(n, line, sizeof(line)), sw,
			  port,
			  n->kind == IBNET_ROUTER ? "not a compute host" :
			  "no host name (node description not set, or not matched)");
		if (rc)
			return -1;
	}
	for (int i = 0; i < net->count; i++) {
		const ibnet_node_t *n = &net->node[i];
		char line[32];
		int rc = 0;

		if (n->kind != IBNET_SWITCH || fab->tree.level[i] >= 0)
			continue;
		_line(n, line, sizeof(line));
		if (fab->tree.level[i] == IBNET_CUT)
			rc = _add(fab, IBNET_CUT_LEVEL, i,
				  "switch %s (\"%s\"%s) left out: cabled above a level where not every switch has a parent",
				  n->name, n->desc, line);
		else if (ibnet_tree_holds_devices(net, i))
			rc = _add(fab, IBNET_NO_HOSTS, i,
				  "switch %s (\"%s\"%s) has adapters but no compute host: left out",
				  n->name, n->desc, line);
		else
			rc = _add(fab, IBNET_UNREACHED, i,
				  "switch %s (\"%s\"%s) is not cabled to the compute leaves: left out",
				  n->name, n->desc, line);
		if (rc)
			return -1;
	}
	return 0;
}

static int _host_anomalies(ibnet_fabric_t *fab, const leaf_set_t *host_set)
{
	const ibnet_t *net = fab->net;

	for (int h = 0; h < fab->nhosts; h++) {
		const ibnet_host_t *host = &fab->host[h];
		const ibnet_unit_t *u;
		const leaf_set_t *s = &host_set[h];

		if (host->unit < 0)
			continue;
		u = &fab->unit[host->unit];
		for (int i = 0; i < s->n; i++) {
			int other = fab->unit_of[s->leaf[i]];

			if (other != host->unit &&
			    _add(fab, IBNET_TWO_UNITS, s->leaf[i],
				 "%s is in %s but cabled to %s of %s too",
				 host->name, u->name,
				 fab->switch_name[s->leaf[i]],
				 fab->unit[other].name))
				return -1;
		}
		for (int i = 0; i < u->nleaves; i++) {
			const char *rail = fab->rail[u->leaf[i]];
			int j;

			for (j = 0; j < s->n && s->leaf[j] != u->leaf[i]; j++)
				;
			if (j < s->n)
				continue;
			if (_add(fab, IBNET_MISSING_RAIL, u->leaf[i],
				 "%s has no cable to %s (rail %s of %s)",
				 host->name, fab->switch_name[u->leaf[i]],
				 rail[0] ? rail : "?", u->name))
				return -1;
		}
		if (fab->rails < 2)
			continue;
		for (int c = 0; c < host->nca; c++) {
			const ibnet_node_t *ca = &net->node[host->ca[c]];

			for (int k = 0; k < ca->nlinks; k++) {
				int leaf = ca->link[k].peer, rc = 0;
				const char *rail = fab->rail[leaf], *w;
				size_t len;

				if (fab->tree.level[leaf] != 0)
					continue;
				for (int d = 0; d < c; d++) {
					const ibnet_node_t *o =
						&net->node[host->ca[d]];

					for (int m = 0; !rc && m < o->nlinks; m++)
						if (o->link[m].peer == leaf)
							rc = 1;
				}
				if (rc && _add(fab, IBNET_SHARED_LEAF, leaf,
					       "%s has two adapters on %s (\"%s\" and another)",
					       host->name,
					       fab->switch_name[leaf], ca->desc))
					return -1;
				w = _rail_word(ca, &len);
				if (!rail[0] || !len ||
				    (len == strlen(rail) &&
				     !strncmp(w, rail, len)))
					continue;
				if (_add(fab, IBNET_WRONG_RAIL, host->ca[c],
					 "%s %.*s is cabled to %s, where the other hosts have %s (swapped cables?)",
					 host->name, (int) len, w,
					 fab->switch_name[leaf], rail))
					return -1;
			}
		}
	}
	return 0;
}

/* Switches with fewer uplinks than most switches of their level. */
static int _uplink_anomalies(ibnet_fabric_t *fab)
{
	const ibnet_t *net = fab->net;

	for (int lvl = 0; lvl + 1 < fab->tree.levels; lvl++) {
		int usual = 0, usual_count = 0;

		for (int i = 0; i < net->count; i++) {
			int count = 0;

			if (fab->tree.level[i] != lvl)
				continue;
			for (int j = 0; j < net->count; j++)
				count += (fab->tree.level[j] == lvl) &&
					(fab->uplinks[j] == fab->uplinks[i]);
			if (count > usual_count ||
			    (count == usual_count && fab->uplinks[i] > usual)) {
				usual = fab->uplinks[i];
				usual_count = count;
			}
		}
		for (int i = 0; i < net->count; i++)
			if (fab->tree.level[i] == lvl &&
			    fab->uplinks[i] < usual &&
			    _add(fab, IBNET_FEW_UPLINKS, i,
				 "%s %s has %d uplink%s, most of its level have %d",
				 lvl ? "switch" : "leaf", fab->switch_name[i],
				 fab->uplinks[i],
				 fab->uplinks[i] == 1 ? "" : "s", usual))
				return -1;
	}
	return 0;
}

extern int ibnet_fabric_build(const ibnet_t *net, const ibnet_naming_t *naming,
			      ibnet_fabric_t *fab)
{
	int n = net->count + 1, rc = -1;
	char **names = calloc(n, sizeof(char *));
	unsigned char *role = calloc(n, 1);
	bool *aggregation = calloc(n, sizeof(bool));
	leaf_set_t *host_set = NULL;

	memset(fab, 0, sizeof(*fab));
	fab->net = net;
	fab->switch_name = calloc(n, sizeof(char *));
	fab->host_of = malloc(n * sizeof(int));
	fab->unit_of = malloc(n * sizeof(int));
	fab->uplinks = calloc(n, sizeof(int));
	fab->uplink_gbps = calloc(n, sizeof(double));
	fab->rail = calloc(n, sizeof(char *));
	if (!fab->rail || !names || !role || !aggregation || !fab->switch_name ||
	    !fab->host_of || !fab->unit_of || !fab->uplinks ||
	    !fab->uplink_gbps)
		goto fini;
	for (int i = 0; i < net->count; i++) {
		const ibnet_node_t *node = &net->node[i];

		fab->host_of[i] = fab->unit_of[i] = -1;
		if (node->kind == IBNET_SWITCH)
			continue;
		if (_aggregation_node(node)) {
			aggregation[i] = true;
			fab->aggregation_nodes++;
			continue;
		}
		role[i] = IBNET_OTHER;
		if (node->kind == IBNET_CA) {
			errno = 0;
			names[i] = ibnet_host(node, naming);
			if (!names[i] && errno == ENOMEM)
				goto fini;
			if (names[i])
				role[i] = IBNET_COMPUTE;
		}
	}
	if (ibnet_tree(net, role, &fab->tree) || _switch_names(fab) ||
	    _hosts(fab, names))
		goto fini;
	if (!(host_set = calloc(fab->nhosts + 1, sizeof(*host_set))))
		goto fini;
	for (int h = 0; h < fab->nhosts; h++)
		if ((host_set[h].n = _host_leaves(fab, &fab->host[h],
						  &host_set[h].leaf)) < 0)
			goto fini;
	_uplinks(fab);
	if (_rails(fab) || _units(fab, host_set))
		goto fini;
	_place_hosts(fab, host_set);
	if (_order_units(fab) || _host_anomalies(fab, host_set) ||
	    _uplink_anomalies(fab) || _device_anomalies(fab, aggregation))
		goto fini;
	rc = 0;
fini:
	for (int h = 0; host_set && h < fab->nhosts; h++)
		free(host_set[h].leaf);
	free(host_set);
	for (int i = 0; names && i < net->count; i++)
		free(names[i]);
	free(names);
	free(role);
	free(aggregation);
	if (rc) {
		ibnet_fabric_free(fab);
		errno = ENOMEM;
	}
	return rc;
}

extern void ibnet_fabric_free(ibnet_fabric_t *fab)
{
	const int count = fab->net ? fab->net->count : 0;

	ibnet_tree_free(&fab->tree);
	for (int i = 0; fab->switch_name && i < count; i++)
		free(fab->switch_name[i]);
	free(fab->switch_name);
	for (int i = 0; fab->rail && i < count; i++)
		free(fab->rail[i]);
	free(fab->rail);
	free(fab->host_of);
	free(fab->unit_of);
	free(fab->uplinks);
	free(fab->uplink_gbps);
	for (int h = 0; h < fab->nhosts; h++) {
		free(fab->host[h].name);
		free(fab->host[h].ca);
	}
	free(fab->host);
	for (int u = 0; u < fab->nunits; u++) {
		free(fab->unit[u].name);
		free(fab->unit[u].leaf);
	}
	free(fab->unit);
	for (int a = 0; a < fab->nanomalies; a++)
		free(fab->anomaly[a].text);
	free(fab->anomaly);
	memset(fab, 0, sizeof(*fab));
}
