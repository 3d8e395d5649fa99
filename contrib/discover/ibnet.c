/*****************************************************************************\
 *  ibnet.c - read ibnetdiscover's output.
 *
 *  The format (infiniband-diags, ibnetdiscover(8)): blocks of key=value
 *  lines (vendid=, devid=, sysimgguid=, switchguid=, caguid=), then a
 *  header line per node
 *	Switch	36 "S-0008f10500200b50"	# "Voltaire 4036" enhanced port 0 lid 9 lmc 0
 *	Ca	2 "H-0002c9030009b5cc"	# "gpu001 HCA-1"
 *  and one line per connected port: a switch port names its peer first,
 *	[4]	"H-003048c749cd0000"[1](3048c749cd0001)	# "desc" lid 72 4xDDR
 *  an adapter port its own port GUID first,
 *	[1](3048c707b60001)	"S-0008f10500200b50"[32]	# lid 93 lmc 0 "desc" lid 9 4xDDR
 *  Newer releases write split ports as "[1][ext 3]". Comments start with
 *  '#'; the tool's own warnings, when its stderr went to the same file,
 *  are skipped; anything else is refused with file:line.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ibnet.h"

/* A port line's peer, by name until every node is known. */
typedef struct {
	int node, port, peer_port, line;
	char *peer;		/* by name while reading */
	int peer_index;		/* once every node is known */
	char rate[16];
} pending_t;

typedef struct {
	ibnet_t *net;
	int cap;
	pending_t *pend;
	int npend, pend_cap;
	const char *name;
	int line;
	tp_error_t *err;
} reader_t;

static int _fail(reader_t *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int _fail(reader_t *r, const char *fmt, ...)
{
	char text[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(r->err->text, sizeof(r->err->text), "%s:%d: %s", r->name,
		 r->line, text);
	errno = EINVAL;
	return -1;
}

static const char *_skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A quoted string at *p: a malloc'd copy, *p past it; NULL if none. */
static char *_quoted(const char **p)
{
	const char *q = *p, *end;
	char *s;

	if (*q != '"' || !(end = strchr(q + 1, '"')))
		return NULL;
	if (!(s = strndup(q + 1, end - q - 1)))
		return NULL;
	*p = end + 1;
	return s;
}

/* "[N]" (and a following "[ext M]") at *p: N, *p past it; -1 if none. */
static int _port(const char **p)
{
	const char *q = *p;
	char *end;
	long v;

	if (*q != '[' || !isdigit((unsigned char) q[1]))
		return -1;
	errno = 0;
	v = strtol(q + 1, &end, 10);
	if (errno || *end != ']' || v < 0 || v > 65535)
		return -1;
	q = end + 1;
	if (!strncmp(q, "[ext ", 5)) {
		if (!(q = strchr(q, ']')))
			return -1;
		q++;
	}
	*p = q;
	return (int) v;
}

/* "(hex)" at *p: skipped. */
static void _skip_guid(const char **p)
{
	const char *q = *p;

	if (*q != '(')
		return;
	q++;
	while (isxdigit((unsigned char) *q))
		q++;
	if (*q == ')')
		*p = q + 1;
}

/* The link rate: the last word of a port line's comment when it reads
 * like "4xHDR" (width, 'x', speed). */
static void _rate(const char *comment, char *rate, size_t len)
{
	const char *end = comment + strlen(comment), *w;

	rate[0] = '\0';
	while (end > comment && isspace((unsigned char) end[-1]))
		end--;
	w = end;
	while (w > comment && !isspace((unsigned char) w[-1]))
		w--;
	if ((end - w) < 3 || (size_t) (end - w) >= len ||
	    !isdigit((unsigned char) w[0]))
		return;
	for (const char *c = w; c < end; c++)
		if (!isalnum((unsigned char) *c))
			return;
	if (!strchr(w, 'x') || (strchr(w, 'x') >= end))
		return;
	memcpy(rate, w, end - w);
	rate[end - w] = '\0';
}

static int _header(reader_t *r, const char *p, ibnet_kind_t kind)
{
	ibnet_node_t *n;
	char *end;
	long ports;

	if (r->net->count == r->cap) {
		int cap = r->cap ? 2 * r->cap : 64;
		ibnet_node_t *grown = realloc(r->net->node,
					      cap * sizeof(*grown));

		if (!grown)
			return _fail(r, "out of memory");
		r->net->node = grown;
		r->cap = cap;
	}
	n = &r->net->node[r->net->count];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->line = r->line;
	p = _skip_blank(p);
	errno = 0;
	ports = strtol(p, &end, 10);
	if (errno || end == p || ports < 1 || ports > 65535)
		return _fail(r, "a port count is expected after the node type");
	n->nports = (int) ports;
	p = _skip_blank(end);
	if (!(n->name = _quoted(&p)) || !n->name[0]) {
		free(n->name);
		return _fail(r, "a quoted node name is expected after the port count");
	}
	p = _skip_blank(p);
	if (*p == '#') {
		p = _skip_blank(p + 1);
		n->desc = _quoted(&p);
	}
	if (!n->desc && !(n->desc = strdup(""))) {
		free(n->name);
		return _fail(r, "out of memory");
	}
	r->net->count++;
	return 0;
}

static int _port_line(reader_t *r, const char *p)
{
	pending_t *pd;
	int port, peer_port;
	char *peer;

	if (!r->net->count)
		return _fail(r, "a port line before any Switch or Ca line");
	if ((port = _port(&p)) < 0)
		return _fail(r, "a port number \"[N]\" is expected");
	_skip_guid(&p);
	p = _skip_blank(p);
	if (!(peer = _quoted(&p)) || !peer[0]) {
		free(peer);
		return _fail(r, "the port's peer \"NAME\"[PORT] is expected");
	}
	if ((peer_port = _port(&p)) < 0) {
		_fail(r, "a port number is expected after \"%.60s\"", peer);
		free(peer);
		return -1;
	}
	if (r->npend == r->pend_cap) {
		int cap = r->pend_cap ? 2 * r->pend_cap : 256;
		pending_t *grown = realloc(r->pend, cap * sizeof(*grown));

		if (!grown) {
			free(peer);
			return _fail(r, "out of memory");
		}
		r->pend = grown;
		r->pend_cap = cap;
	}
	pd = &r->pend[r->npend++];
	pd->node = r->net->count - 1;
	pd->port = port;
	pd->peer = peer;
	pd->peer_port = peer_port;
	pd->line = r->line;
	_rate(p, pd->rate, sizeof(pd->rate));
	return 0;
}

/* "file.c:LINE; " at the start of a line: a diagnostic of libibmad. */
static bool _tool_warning(const char *p)
{
	const char *c = strstr(p, ".c:");

	if (!c || strchr(p, ' ') < c)
		return false;
	c += 3;
	if (!isdigit((unsigned char) *c))
		return false;
	while (isdigit((unsigned char) *c))
		c++;
	return *c == ';';
}

/* One line (without its newline). */
static int _line(reader_t *r, const char *p)
{
	p = _skip_blank(p);
	if (!*p || *p == '#')
		return 0;
	if (!strncmp(p, "Switch", 6) && isspace((unsigned char) p[6]))
		return _header(r, p + 6, IBNET_SWITCH);
	if (!strncmp(p, "Ca", 2) && isspace((unsigned char) p[2]))
		return _header(r, p + 2, IBNET_CA);
	if (!strncmp(p, "Rt", 2) && isspace((unsigned char) p[2]))
		return _header(r, p + 2, IBNET_ROUTER);
	if (*p == '[')
		return _port_line(r, p);
	/* vendid=, devid=, sysimgguid=, switchguid=, caguid=, routerguid=;
	 * "Chassis ..." and "Non-Chassis Nodes" group titles. */
	if (strchr(p, '=') || !strncmp(p, "Chassis", 7) ||
	    !strncmp(p, "Non-Chassis", 11))
		return 0;
	/* ibnetdiscover's own warnings, when stderr went to the same file
	 * ("src/query_smp.c:195; umad ... timed out", "ibwarn: ..."). */
	if (!strncmp(p, "ibwarn", 6) || _tool_warning(p))
		return 0;
	return _fail(r, "not a line of ibnetdiscover's output: \"%.60s\"", p);
}

extern int ibnet_find(const ibnet_t *net, const char *name)
{
	for (int i = 0; i < net->count; i++)
		if (!strcmp(net->node[i].name, name))
			return i;
	return -1;
}

static int _cmp_name(const void *a, const void *b)
{
	const ibnet_node_t *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Whether node n has a link on port. */
static bool _has_port(const ibnet_node_t *n, int port)
{
	for (int k = 0; k < n->nlinks; k++)
		if (n->link[k].port == port)
			return true;
	return false;
}

/*
 * Give each cable both its ends: a dump may show a cable from one end
 * only (a node whose block was cut, or one reached but not described in
 * full), and the model walks cables from either end.
 */
static int _mirror(ibnet_t *net)
{
	int count = net->count;

	for (int i = 0; i < count; i++)
		for (int k = 0; k < net->node[i].nlinks; k++) {
			ibnet_link_t l = net->node[i].link[k];
			ibnet_node_t *p = &net->node[l.peer];
			ibnet_link_t *grown;

			if (_has_port(p, l.peer_port))
				continue;
			grown = realloc(p->link, (p->nlinks + 1) * sizeof(*grown));
			if (!grown)
				return -1;
			p->link = grown;
			p->link[p->nlinks++] = (ibnet_link_t) {
				.port = l.peer_port, .peer = i, .peer_port = l.port };
			memcpy(p->link[p->nlinks - 1].rate, l.rate,
			       sizeof(l.rate));
		}
	return 0;
}

/* Turn the peers' names into indices and give each node its links. */
static int _resolve(reader_t *r)
{
	ibnet_t *net = r->net;
	ibnet_node_t **sorted = calloc(net->count + 1, sizeof(*sorted));
	int *nlinks = calloc(net->count + 1, sizeof(int));
	int rc = -1;

	if (!sorted || !nlinks) {
		_fail(r, "out of memory");
		goto fini;
	}
	for (int i = 0; i < net->count; i++)
		sorted[i] = &net->node[i];
	qsort(sorted, net->count, sizeof(*sorted), _cmp_name);
	for (int i = 1; i < net->count; i++)
		if (!strcmp(sorted[i]->name, sorted[i - 1]->name)) {
			r->line = sorted[i]->line;
			_fail(r, "node \"%.60s\" is described twice (first on line %d)",
			      sorted[i]->name, sorted[i - 1]->line);
			goto fini;
		}
	for (int k = 0; k < r->npend; k++) {
		ibnet_node_t key = { .name = r->pend[k].peer }, *kp = &key;
		ibnet_node_t **hit = bsearch(&kp, sorted, net->count,
					     sizeof(*sorted), _cmp_name);

		if (!hit) {
			r->line = r->pend[k].line;
			_fail(r, "link to \"%.60s\", which the dump never describes",
			      r->pend[k].peer);
			goto fini;
		}
		nlinks[r->pend[k].node]++;
		free(r->pend[k].peer);
		r->pend[k].peer = NULL;
		r->pend[k].peer_index = (int) (*hit - net->node);
	}
	for (int i = 0; i < net->count; i++) {
		net->node[i].link = calloc(nlinks[i] + 1, sizeof(ibnet_link_t));
		if (!net->node[i].link) {
			_fail(r, "out of memory");
			goto fini;
		}
	}
	for (int k = 0; k < r->npend; k++) {
		ibnet_node_t *n = &net->node[r->pend[k].node];
		ibnet_link_t *l = &n->link[n->nlinks++];

		l->port = r->pend[k].port;
		l->peer = r->pend[k].peer_index;
		l->peer_port = r->pend[k].peer_port;
		memcpy(l->rate, r->pend[k].rate, sizeof(l->rate));
	}
	if (_mirror(net))
		_fail(r, "out of memory");
	else
		rc = 0;
fini:
	free(sorted);
	free(nlinks);
	return rc;
}

extern void ibnet_free(ibnet_t *net)
{
	if (!net)
		return;
	for (int i = 0; i < net->count; i++) {
		free(net->node[i].name);
		free(net->node[i].desc);
		free(net->node[i].link);
	}
	free(net->node);
	free(net);
}

extern ibnet_t *ibnet_read(FILE *f, const char *name, tp_error_t *err)
{
	reader_t r = { .name = name, .err = err };
	char *buf = NULL;
	size_t len = 0;
	ssize_t got;
	int rc = 0;

	if (!(r.net = calloc(1, sizeof(*r.net)))) {
		snprintf(err->text, sizeof(err->text), "%s: out of memory",
			 name);
		return NULL;
	}
	while (!rc && (got = getline(&buf, &len, f)) >= 0) {
		r.line++;
		if (got && buf[got - 1] == '\n')
			buf[--got] = '\0';
		if (got && buf[got - 1] == '\r')
			buf[--got] = '\0';
		if (strlen(buf) != (size_t) got)
			rc = _fail(&r, "a NUL byte in the line");
		else
			rc = _line(&r, buf);
	}
	free(buf);
	if (!rc && ferror(f))
		rc = _fail(&r, "read error");
	if (!rc && !r.net->count) {
		r.line = 0;
		rc = _fail(&r, "no Switch or Ca line: not ibnetdiscover's output");
	}
	if (!rc)
		rc = _resolve(&r);
	for (int k = 0; k < r.npend; k++)
		free(r.pend[k].peer);
	free(r.pend);
	if (rc) {
		ibnet_free(r.net);
		return NULL;
	}
	return r.net;
}
