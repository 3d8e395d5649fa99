/*****************************************************************************\
 *  discover_nvlink.c - "topopack-discover nvlink": topopack.conf NVLink
 *  domains from the "nvidia-smi -q" output of each node.
 *
 *  On GB200 NVL72-class racks the GPUs of several nodes share one NVLink
 *  fabric; nvidia-smi shows it in each GPU's Fabric section as a cluster
 *  UUID and a clique id, which the fabric manager gives to every GPU of
 *  one NVLink partition. Nodes whose GPUs all have the same pair are one
 *  NVLink domain for topopack.conf. A clique id alone is not unique (each
 *  fabric numbers its own), hence the pair.
 *
 *  Output: per domain a comment with the pair, then
 *	DomainName=nvl1 Nodes=gb[001-018]
 *  Nodes without a multi-node fabric (HGX boards, whose NVLink ends at
 *  the node) are left out: topopack.conf makes each of them a domain of
 *  its own.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE	/* strverscmp */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "discover_nvlink.h"
#include "nvsmi.h"

const char discover_nvlink_usage[] =
	"       topopack-discover nvlink [--prefix NAME] [--json] DIR\n"
	"  Print topopack.conf DomainName lines for the multi-node NVLink\n"
	"  domains found in DIR, which holds the \"nvidia-smi -q\" output of\n"
	"  each node in a file named after it (gpu001, or gpu001.txt).\n"
	"  --prefix NAME  name the domains NAME1, NAME2, ... (default nvl)\n"
	"  --json         one JSON object instead of topopack.conf lines\n"
	"  Exit status: 0, 1 when written with anomalies (on stderr), 2 on\n"
	"  an error\n";

/* One node's file. */
typedef struct {
	char *host;
	char *path;
} node_file_t;

/* A (cluster, clique) pair while grouping. */
typedef struct {
	const char *cluster;
	unsigned long clique;
	int gpus;		/* how many of the node's GPUs have it */
} clique_key_t;

static int _cmp_host(const void *a, const void *b)
{
	const node_file_t *x = a, *y = b;
	/* gpu9 before gpu10, as hostlists count; the paths order two files
	 * of one host, so that the error naming them is always the same. */
	int c = strverscmp(x->host, y->host);

	return c ? c : strcmp(x->path, y->path);
}

/* The node a file is about: its name without ".txt" or ".log". */
static char *_host_of(const char *file)
{
	size_t len = strlen(file);

	if ((len > 4) && (!strcmp(file + len - 4, ".txt") ||
			  !strcmp(file + len - 4, ".log")))
		len -= 4;
	return strndup(file, len);
}

static void _files_free(node_file_t *files, int n)
{
	for (int i = 0; i < n; i++) {
		free(files[i].host);
		free(files[i].path);
	}
	free(files);
}

/* The regular files of dir, sorted by host. RET count, or -1 with err. */
static int _list(const char *dir, node_file_t **out, tp_error_t *err)
{
	node_file_t *files = NULL;
	struct dirent *e;
	struct stat st;
	int n = 0, cap = 0;
	DIR *d = opendir(dir);

	if (!d) {
		snprintf(err->text, sizeof(err->text), "%s: %s", dir,
			 strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char *path;

		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s%s%s", dir,
			     dir[strlen(dir) - 1] == '/' ? "" : "/",
			     e->d_name) < 0)
			goto nomem;
		if (stat(path, &st) || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (n == cap) {
			node_file_t *p;

			cap = cap ? 2 * cap : 64;
			if (!(p = realloc(files, cap * sizeof(*p)))) {
				free(path);
				goto nomem;
			}
			files = p;
		}
		files[n].path = path;
		if (!(files[n++].host = _host_of(e->d_name)))
			goto nomem;
	}
	closedir(d);
	if (!n) {
		snprintf(err->text, sizeof(err->text),
			 "%s: no file in it (one per node expected)", dir);
		free(files);
		return -1;
	}
	qsort(files, n, sizeof(*files), _cmp_host);
	for (int i = 1; i < n; i++)
		if (!strcmp(files[i - 1].host, files[i].host)) {
			snprintf(err->text, sizeof(err->text),
				 "%s: two files for node %s: %s and %s", dir,
				 files[i].host, files[i - 1].path,
				 files[i].path);
			_files_free(files, n);
			return -1;
		}
	*out = files;
	return n;
nomem:
	closedir(d);
	_files_free(files, n);
	snprintf(err->text, sizeof(err->text), "%s: out of memory", dir);
	return -1;
}

static int _anomaly(nvlink_result_t *res, const char *host,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int _anomaly(nvlink_result_t *res, const char *host,
		    const char *fmt, ...)
{
	nvlink_anomaly_t *p = realloc(res->anomaly, (res->nanomalies + 1) *
				      sizeof(*p));
	char *text = NULL, *line = NULL;
	va_list ap;
	int rc;

	if (!p)
		return -1;
	res->anomaly = p;
	va_start(ap, fmt);
	rc = vasprintf(&text, fmt, ap);
	va_end(ap);
	if ((rc < 0) || (asprintf(&line, "%s: %s", host, text) < 0)) {
		free(text);
		return -1;
	}
	free(text);
	p[res->nanomalies].text = line;
	if (!(p[res->nanomalies].host = strdup(host))) {
		free(line);
		return -1;
	}
	res->nanomalies++;
	return 0;
}

static int _push(char ***list, int *n, const char *s)
{
	char **p = realloc(*list, (*n + 1) * sizeof(char *));

	if (!p)
		return -1;
	*list = p;
	if (!(p[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

/* The domain of (cluster, clique), made when new. NULL on ENOMEM. */
static nvlink_domain_t *_domain(nvlink_result_t *res, const char *prefix,
				const char *cluster, unsigned long clique)
{
	nvlink_domain_t *p;

	for (int i = 0; i < res->ndomains; i++)
		if ((res->domain[i].clique == clique) &&
		    !strcmp(res->domain[i].cluster, cluster))
			return &res->domain[i];
	if (!(p = realloc(res->domain, (res->ndomains + 1) * sizeof(*p))))
		return NULL;
	res->domain = p;
	p = &res->domain[res->ndomains++];
	memset(p, 0, sizeof(*p));
	/* Nodes come in host order: domains are numbered by first host. */
	snprintf(p->name, sizeof(p->name), "%s%d", prefix, res->ndomains);
	snprintf(p->cluster, sizeof(p->cluster), "%s", cluster);
	p->clique = clique;
	return p;
}

/* The cliques of the node's GPUs (GPUs whose registration failed are
 * already reported, and left out of the count), in the order of their
 * first GPU; cluster NULL stands for GPUs without multi-node fabric.
 * RET the number of keys. */
static int _keys(const nvsmi_t *smi, clique_key_t *key)
{
	int nkeys = 0;

	for (int i = 0; i < smi->count; i++) {
		const nvsmi_gpu_t *g = &smi->gpu[i];
		const char *cluster = nvsmi_multinode(g) ? g->cluster : NULL;
		int k;

		if (nvsmi_fabric_failed(g))
			continue;
		for (k = 0; k < nkeys; k++)
			if ((!cluster && !key[k].cluster) ||
			    (cluster && key[k].cluster &&
			     !strcmp(cluster, key[k].cluster) &&
			     (g->clique == key[k].clique)))
				break;
		if (k == nkeys) {
			key[nkeys].cluster = cluster;
			key[nkeys].clique = cluster ? g->clique : 0;
			key[nkeys++].gpus = 0;
		}
		key[k].gpus++;
	}
	return nkeys;
}

/* "3 GPUs in cluster U clique 4026, 1 without multi-node fabric". */
static char *_keys_text(const clique_key_t *key, int nkeys)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (int k = 0; k < nkeys; k++) {
		fprintf(f, "%s%d GPU%s ", k ? ", " : "", key[k].gpus,
			(key[k].gpus == 1) ? "" : "s");
		if (key[k].cluster)
			fprintf(f, "in cluster %s clique %lu", key[k].cluster,
				key[k].clique);
		else
			fprintf(f, "without multi-node fabric");
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * Sort one node into res: a domain, no_fabric, or left_out with its
 * anomalies.
 * RET 0, or -1 on ENOMEM
 */
static int _node(nvlink_result_t *res, const char *prefix,
		 const node_file_t *file, const nvsmi_t *smi)
{
	clique_key_t *key;
	nvlink_domain_t *d;
	bool out = false;
	int nkeys, *p;

	if (smi->blank)
		return (_anomaly(res, file->host, "%s is empty; left out",
				 file->path) ||
			_push(&res->left_out, &res->nleft_out, file->host)) ?
			-1 : 0;
	if (!smi->count)
		return (_anomaly(res, file->host,
				 "no GPU in %s (first line: \"%s\"); left out",
				 file->path, smi->first) ||
			_push(&res->left_out, &res->nleft_out, file->host)) ?
			-1 : 0;
	if (smi->attached > smi->count) {
		if (_anomaly(res, file->host,
			     "%s shows %d of the %d attached GPUs (nvidia-smi -q -i?); left out",
			     file->path, smi->count, smi->attached))
			return -1;
		out = true;
	}
	for (int i = 0; i < smi->count; i++) {
		const nvsmi_gpu_t *g = &smi->gpu[i];

		if (!nvsmi_fabric_failed(g))
			continue;
		if (_anomaly(res, file->host,
			     "GPU %s: fabric state %s, status %s (%s:%d); left out",
			     g->busid, g->state,
			     g->status[0] ? g->status : "none", file->path,
			     g->fabric_line))
			return -1;
		out = true;
	}
	if (!(key = calloc(smi->count, sizeof(*key))))
		return -1;
	nkeys = _keys(smi, key);
	if (nkeys > 1) {
		char *text = _keys_text(key, nkeys);
		int rc = !text ||
			_anomaly(res, file->host,
				 "GPUs in different NVLink cliques: %s; left out",
				 text);

		free(text);
		if (rc) {
			free(key);
			return -1;
		}
		out = true;
	}
	if (out) {
		free(key);
		return _push(&res->left_out, &res->nleft_out, file->host);
	}
	if (!nkeys || !key[0].cluster) {
		free(key);
		return _push(&res->no_fabric, &res->nno_fabric, file->host);
	}
	d = _domain(res, prefix, key[0].cluster, key[0].clique);
	free(key);
	if (!d)
		return -1;
	if (!(p = realloc(d->host_gpus, (d->nhosts + 1) * sizeof(int))))
		return -1;
	d->host_gpus = p;
	p[d->nhosts] = smi->count;
	return _push(&d->host, &d->nhosts, file->host);
}

/* The GPU count most nodes of a domain have; on a tie the larger, since a
 * GPU that fell off the bus is likelier than one too many. */
static int _common_count(const int *count, int n)
{
	int best = 0, best_n = 0;

	for (int i = 0; i < n; i++) {
		int k = 0;

		for (int j = 0; j < n; j++)
			k += (count[j] == count[i]);
		if ((k > best_n) || ((k == best_n) && (count[i] > best))) {
			best = count[i];
			best_n = k;
		}
	}
	return best;
}

/* Anomalies by host, and as found within a host: an insertion sort, as
 * qsort() is not stable. Only the GPU count anomalies, found last, move. */
static void _sort_anomalies(nvlink_result_t *res)
{
	for (int i = 1; i < res->nanomalies; i++) {
		nvlink_anomaly_t a = res->anomaly[i];
		int j = i;

		while ((j > 0) &&
		       (strverscmp(res->anomaly[j - 1].host, a.host) > 0)) {
			res->anomaly[j] = res->anomaly[j - 1];
			j--;
		}
		res->anomaly[j] = a;
	}
}

extern int nvlink_scan(const char *dir, const char *prefix,
		       nvlink_result_t *res, tp_error_t *err)
{
	node_file_t *files = NULL;
	int n, rc = -1;

	memset(res, 0, sizeof(*res));
	if (!prefix)
		prefix = "nvl";
	if ((n = _list(dir, &files, err)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		FILE *f = fopen(files[i].path, "r");
		nvsmi_t *smi;
		int failed;

		if (!f) {
			if (_anomaly(res, files[i].host,
				     "cannot read %s: %s; left out",
				     files[i].path, strerror(errno)) ||
			    _push(&res->left_out, &res->nleft_out,
				  files[i].host))
				goto nomem;
			continue;
		}
		smi = nvsmi_read(f, files[i].path, err);
		failed = ferror(f);
		fclose(f);
		if (!smi)
			goto fini;
		if (failed) {
			nvsmi_free(smi);
			if (_anomaly(res, files[i].host,
				     "cannot read %s; left out",
				     files[i].path) ||
			    _push(&res->left_out, &res->nleft_out,
				  files[i].host))
				goto nomem;
			continue;
		}
		failed = _node(res, prefix, &files[i], smi);
		nvsmi_free(smi);
		if (failed)
			goto nomem;
	}
	for (int d = 0; d < res->ndomains; d++) {
		nvlink_domain_t *dom = &res->domain[d];

		dom->gpus = _common_count(dom->host_gpus, dom->nhosts);
		for (int h = 0; h < dom->nhosts; h++)
			if ((dom->host_gpus[h] != dom->gpus) &&
			    _anomaly(res, dom->host[h],
				     "%d GPU%s, while most nodes of %s have %d",
				     dom->host_gpus[h],
				     (dom->host_gpus[h] == 1) ? "" : "s",
				     dom->name, dom->gpus))
				goto nomem;
	}
	_sort_anomalies(res);
	rc = 0;
	goto fini;
nomem:
	snprintf(err->text, sizeof(err->text), "%s: out of memory", dir);
fini:
	_files_free(files, n);
	if (rc)
		nvlink_result_free(res);
	return rc;
}

extern void nvlink_result_free(nvlink_result_t *res)
{
	for (int d = 0; d < res->ndomains; d++) {
		for (int h = 0; h < res->domain[d].nhosts; h++)
			free(res->domain[d].host[h]);
		free(res->domain[d].host);
		free(res->domain[d].host_gpus);
	}
	free(res->domain);
	for (int i = 0; i < res->nno_fabric; i++)
		free(res->no_fabric[i]);
	free(res->no_fabric);
	for (int i = 0; i < res->nleft_out; i++)
		free(res->left_out[i]);
	free(res->left_out);
	for (int i = 0; i < res->nanomalies; i++) {
		free(res->anomaly[i].host);
		free(res->anomaly[i].text);
	}
	free(res->anomaly);
	memset(res, 0, sizeof(*res));
}

extern int nvlink_write_conf(FILE *out, const nvlink_result_t *res)
{
	for (int d = 0; d < res->ndomains; d++) {
		const nvlink_domain_t *dom = &res->domain[d];
		char *list = tp_hostlist_compress(dom->host, dom->nhosts);

		if (!list)
			return -1;
		fprintf(out, "# ClusterUUID %s CliqueId %lu\n", dom->cluster,
			dom->clique);
		fprintf(out, "DomainName=%s Nodes=%s\n", dom->name, list);
		free(list);
	}
	return ferror(out) ? -1 : 0;
}

/* s as a JSON string. */
static void _jstr(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if ((*s == '"') || (*s == '\\'))
			fprintf(out, "\\%c", *s);
		else if ((unsigned char) *s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char) *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void _jlist(FILE *out, char *const *names, int n)
{
	fputc('[', out);
	for (int i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		_jstr(out, names[i]);
	}
	fputc(']', out);
}

extern int nvlink_write_json(FILE *out, const nvlink_result_t *res)
{
	fprintf(out, "{\"domains\":[");
	for (int d = 0; d < res->ndomains; d++) {
		const nvlink_domain_t *dom = &res->domain[d];
		char *list = tp_hostlist_compress(dom->host, dom->nhosts);

		if (!list)
			return -1;
		fprintf(out, "%s{\"name\":", d ? "," : "");
		_jstr(out, dom->name);
		fprintf(out, ",\"cluster_uuid\":\"%s\",\"clique_id\":%lu,\"nodes\":",
			dom->cluster, dom->clique);
		_jstr(out, list);
		free(list);
		fprintf(out, ",\"hosts\":");
		_jlist(out, dom->host, dom->nhosts);
		fprintf(out, ",\"gpus_per_node\":%d}", dom->gpus);
	}
	fprintf(out, "],\"no_fabric\":");
	_jlist(out, res->no_fabric, res->nno_fabric);
	fprintf(out, ",\"left_out\":");
	_jlist(out, res->left_out, res->nleft_out);
	fprintf(out, ",\"anomalies\":[");
	for (int i = 0; i < res->nanomalies; i++) {
		fprintf(out, "%s{\"host\":", i ? "," : "");
		_jstr(out, res->anomaly[i].host);
		fprintf(out, ",\"text\":");
		_jstr(out, res->anomaly[i].text);
		fputc('}', out);
	}
	fprintf(out, "]}\n");
	return ferror(out) ? -1 : 0;
}

static int _bad_usage(const char *what)
{
	fprintf(stderr, "topopack-discover nvlink: %s\n", what);
	fputs("Usage:", stderr);
	fputs(discover_nvlink_usage + strlen("      "), stderr);
	return 2;
}

/* A prefix topopack.conf takes as part of a name: no blank, '=', '#',
 * ',' or bracket, short enough for a number after it. */
static bool _prefix_ok(const char *p)
{
	if (!*p || (strlen(p) > 40))
		return false;
	for (; *p; p++)
		if ((unsigned char) *p <= ' ' || strchr("=#,[]\"\\", *p))
			return false;
	return true;
}

/* The hosts of a list as one hostlist on stderr, after what. */
static void _say_hosts(const char *what, char **hosts, int n)
{
	char *list;

	if (!n)
		return;
	/* Already in host order (the files were sorted). */
	list = tp_hostlist_compress(hosts, n);
	fprintf(stderr, "topopack-discover nvlink: %s: %s\n", what,
		list ? list : "(out of memory)");
	free(list);
}

extern int discover_nvlink(int argc, char **argv)
{
	const char *dir = NULL, *prefix = "nvl";
	tp_error_t err = { .text = "" };
	nvlink_result_t res;
	bool json = false;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--prefix") && (i + 1 < argc))
			prefix = argv[++i];
		else if (!strncmp(argv[i], "--prefix=", 9))
			prefix = argv[i] + 9;
		else if ((argv[i][0] == '-') && argv[i][1])
			return _bad_usage("unknown option");
		else if (dir)
			return _bad_usage("one directory only");
		else
			dir = argv[i];
	}
	if (!dir)
		return _bad_usage("a directory is needed");
	if (!_prefix_ok(prefix))
		return _bad_usage("--prefix: a name without blanks, '=', '#', ',', brackets or quotes, at most 40 characters");
	if (nvlink_scan(dir, prefix, &res, &err)) {
		fprintf(stderr, "topopack-discover: %s\n", err.text);
		return 2;
	}
	if ((json ? nvlink_write_json(stdout, &res) :
		    nvlink_write_conf(stdout, &res)) || fflush(stdout)) {
		perror("topopack-discover");
		nvlink_result_free(&res);
		return 2;
	}
	_say_hosts("no multi-node NVLink fabric, each its own domain",
		   res.no_fabric, res.nno_fabric);
	for (int i = 0; i < res.nanomalies; i++)
		fprintf(stderr, "topopack-discover nvlink: %s\n",
			res.anomaly[i].text);
	_say_hosts("left out for the anomalies above", res.left_out,
		   res.nleft_out);
	rc = res.nanomalies ? 1 : 0;
	nvlink_result_free(&res);
	return rc;
}
