/*****************************************************************************\
 *  status_svg.c - topopack-status --svg: the fabric as a picture.
 *
 *  Switches stand in rows by level, the top level first, each as wide as
 *  the leaves below it (leaves are laid out in depth-first order, so a
 *  switch's leaves are side by side). Under each leaf its nodes, four a
 *  row, those of one declared NVLink domain together in a box. A node is
 *  one rect of class "node USE", coloured by USE; spare nodes
 *  (topopack.conf Spares=) also have class "spare", a dashed outline,
 *  and the nodes of the job asked for (where it runs, or would start
 *  now) class "job".
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "status_render.h"

#define CELL 16		/* node square and its gap */
#define PER_ROW 4	/* nodes in a row under a leaf */
#define PAD 6
#define COL_W (PER_ROW * CELL + 2 * PAD)
#define COL_GAP 10
#define MARGIN 20
#define SW_H 24		/* switch box height */
#define LEVEL_H 56	/* from one switch row to the next */
#define TOP 40

typedef struct {
	int nsw;
	tp_switch_info_t *sw;
	int *leaf_of;		/* switch -> index in st->leaf, or -1 */
	int *col_of;		/* switch -> leftmost column */
	int *col_end;		/* switch -> rightmost column */
	int *order;		/* column -> switch (leaf), -1: loose nodes */
	int ncols;
	int top;		/* highest switch level */
	int *dom;		/* node -> declared domain, or INT_MAX */
	char *job;		/* node -> in the highlighted job */
} _layout_t;

extern void status_xml_puts(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void _layout_free(_layout_t *l)
{
	free(l->sw);
	free(l->leaf_of);
	free(l->col_of);
	free(l->col_end);
	free(l->order);
	free(l->dom);
	free(l->job);
}

/* Depth-first from switch s: columns of its leaves. */
static void _dfs(_layout_t *l, int s, int depth)
{
	l->col_of[s] = l->ncols;
	if (l->sw[s].level == 0 || depth > l->nsw)
		l->order[l->ncols++] = s;
	else
		for (int i = 0; i < l->sw[s].nswitches; i++)
			_dfs(l, l->sw[s].switches[i], depth + 1);
	l->col_end[s] = l->ncols ? l->ncols - 1 : 0;
	if (l->col_end[s] < l->col_of[s])
		l->col_end[s] = l->col_of[s];
}

static void _mark_job(const status_t *st, const char *job_id, char *mark)
{
	const status_jobq_t *q[2] = { st->running, st->pending };
	int n[2] = { st->nrunning, st->npending };

	if (!job_id)
		return;
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < n[k]; i++) {
			if (strcmp(q[k][i].job->id, job_id))
				continue;
			for (int j = 0; j < q[k][i].at.nnodes; j++)
				mark[q[k][i].at.node[j]] = 1;
		}
}

static int _layout(const status_t *st, const char *job_id, _layout_t *l)
{
	const tp_fabric_t *f = st->cluster->fabric;
	int nnodes = tp_fabric_node_count(f), leaf = 0;
	bool loose = false;
	int *parent;

	memset(l, 0, sizeof(*l));
	l->nsw = tp_fabric_switch_count(f);
	l->sw = calloc(l->nsw + 1, sizeof(tp_switch_info_t));
	l->leaf_of = calloc(l->nsw + 1, sizeof(int));
	l->col_of = calloc(l->nsw + 1, sizeof(int));
	l->col_end = calloc(l->nsw + 1, sizeof(int));
	l->order = calloc(l->nsw + 2, sizeof(int));
	l->dom = calloc(nnodes + 1, sizeof(int));
	l->job = calloc(nnodes + 1, 1);
	parent = calloc(l->nsw + 1, sizeof(int));
	if (!l->sw || !l->leaf_of || !l->col_of || !l->col_end ||
	    !l->order || !l->dom || !l->job || !parent) {
		free(parent);
		_layout_free(l);
		return -1;
	}
	for (int s = 0; s < l->nsw; s++) {
		tp_fabric_switch(f, s, &l->sw[s]);
		l->leaf_of[s] = l->sw[s].level == 0 ? leaf++ : -1;
		if (l->sw[s].level > l->top)
			l->top = l->sw[s].level;
		parent[s] = -1;
	}
	for (int s = 0; s < l->nsw; s++)
		for (int i = 0; i < l->sw[s].nswitches; i++)
			parent[l->sw[s].switches[i]] = s;
	for (int s = 0; s < l->nsw; s++)
		if (parent[s] < 0)
			_dfs(l, s, 0);
	free(parent);
	for (int n = 0; n < nnodes; n++) {
		l->dom[n] = INT_MAX;
		loose |= st->node_leaf[n] < 0;
	}
	if (loose)
		l->order[l->ncols++] = -1;	/* nodes under no leaf */
	for (int d = 0; d < st->ndomains; d++) {
		tp_domain_info_t di;

		if (st->domain[d].implicit || tp_fabric_domain(f, d, &di))
			continue;
		for (int i = 0; i < di.nnodes; i++)
			l->dom[di.nodes[i]] = d;
	}
	_mark_job(st, job_id, l->job);
	return 0;
}

static int _col_x(int col)
{
	return MARGIN + col * (COL_W + COL_GAP);
}

static int _level_y(const _layout_t *l, int level)
{
	return TOP + (l->top - level) * LEVEL_H;
}

static void _switch(FILE *f, const _layout_t *l, int s)
{
	int x0 = _col_x(l->col_of[s]), x1 = _col_x(l->col_end[s]) + COL_W;
	int y = _level_y(l, l->sw[s].level);

	for (int i = 0; i < l->sw[s].nswitches; i++) {
		int c = l->sw[s].switches[i];
		int cx = (_col_x(l->col_of[c]) + _col_x(l->col_end[c]) +
			  COL_W) / 2;

		fprintf(f, "<line class=\"link\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
			"y2=\"%d\"/>\n", (x0 + x1) / 2, y + SW_H, cx,
			_level_y(l, l->sw[c].level));
	}
	fprintf(f, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" "
		"height=\"%d\"><title>", l->sw[s].level ? "switch" : "leaf",
		x0, y, x1 - x0, SW_H);
	status_xml_puts(f, l->sw[s].name);
	fprintf(f, "</title></rect>\n<text x=\"%d\" y=\"%d\">",
		(x0 + x1) / 2, y + 16);
	status_xml_puts(f, l->sw[s].name);
	fputs("</text>\n", f);
}

static int _cmp_dom(const void *a, const void *b, void *arg)
{
	const int *dom = arg;
	int x = *(const int *) a, y = *(const int *) b;

	if (dom[x] != dom[y])
		return dom[x] < dom[y] ? -1 : 1;
	return (x > y) - (x < y);
}

/* The nodes of one column, sorted by domain. RET their count. */
static int _col_nodes(const status_t *st, const _layout_t *l, int col,
		      int *out)
{
	int nnodes = tp_fabric_node_count(st->cluster->fabric), n = 0;
	int s = l->order[col];
	int leaf = s >= 0 ? l->leaf_of[s] : -1;

	for (int i = 0; i < nnodes; i++)
		if (st->node_leaf[i] == leaf)
			out[n++] = i;
	qsort_r(out, n, sizeof(int), _cmp_dom, l->dom);
	return n;
}

static void _node(FILE *f, const status_t *st, const _layout_t *l, int n,
		  int x, int y)
{
	const status_cluster_t *c = st->cluster;
	int gpus = tp_fabric_node_gpus(c->fabric, n);
	int use = st->node_use[n];
	bool spare = tp_fabric_node_spare(c->fabric, n);
	int free_gpus = use <= STATUS_USE_BUSY ?
		tp_state_node_free_gpus(c->state, n) : 0;

	if (c->exclusive[n])
		free_gpus = 0;
	fprintf(f, "<rect class=\"node %s%s%s\" x=\"%d\" y=\"%d\" "
		"width=\"%d\" height=\"%d\"><title>", status_use_name(use),
		spare ? " spare" : "", l->job[n] ? " job" : "", x, y,
		CELL - 3, CELL - 3);
	status_xml_puts(f, tp_fabric_node_name(c->fabric, n));
	fprintf(f, ": %d GPUs, %d free, %s%s</title></rect>\n", gpus,
		free_gpus, status_use_name(use), spare ? ", spare" : "");
}

/* The y below column col's nodes. */
static int _column_end(const status_t *st, const _layout_t *l, int col,
		       int *nodes)
{
	int n = _col_nodes(st, l, col, nodes);
	int y = _level_y(l, 0) + SW_H + 12;

	for (int i = 0; i < n;) {
		int d = l->dom[nodes[i]], k = 0;

		while (i + k < n && l->dom[nodes[i + k]] == d)
			k++;
		y += (k + PER_ROW - 1) / PER_ROW * CELL + 10;
		i += k;
	}
	return y;
}

/* Draw column col's nodes. RET the y below them. */
static int _column(FILE *f, const status_t *st, const _layout_t *l,
		   int col, int *nodes)
{
	int n = _col_nodes(st, l, col, nodes);
	int x0 = _col_x(col), y = _level_y(l, 0) + SW_H + 12;

	if (l->order[col] < 0) {
		fprintf(f, "<text x=\"%d\" y=\"%d\">no leaf</text>\n",
			x0 + COL_W / 2, _level_y(l, 0) + 16);
	}
	for (int i = 0; i < n;) {
		int d = l->dom[nodes[i]], k = 0;
		int rows, ytop = y;

		while (i + k < n && l->dom[nodes[i + k]] == d)
			k++;
		rows = (k + PER_ROW - 1) / PER_ROW;
		if (d != INT_MAX) {
			fprintf(f, "<rect class=\"domain\" x=\"%d\" y=\"%d\" "
				"width=\"%d\" height=\"%d\"><title>",
				x0 + 2, ytop - 4, COL_W - 4,
				rows * CELL + 5);
			status_xml_puts(f, st->domain[d].name);
			fputs("</title></rect>\n", f);
		}
		for (int j = 0; j < k; j++)
			_node(f, st, l, nodes[i + j],
			      x0 + PAD + (j % PER_ROW) * CELL,
			      ytop + (j / PER_ROW) * CELL);
		y = ytop + rows * CELL + 10;
		i += k;
	}
	return y;
}

static const char _style[] =
	"<style>\n"
	"text { font: 10px sans-serif; text-anchor: middle; }\n"
	".switch, .leaf { fill: #e8e8f0; stroke: #556; }\n"
	".link { stroke: #99a; }\n"
	".domain { fill: none; stroke: #7570b3; stroke-dasharray: 3 2; }\n"
	".node { stroke: #333; stroke-width: 0.5; }\n"
	".free { fill: #1b9e77; }\n"
	".partly { fill: #e6ab02; }\n"
	".busy { fill: #d95f02; }\n"
	".down { fill: #999999; }\n"
	".reserved { fill: #7570b3; }\n"
	".spare { stroke-width: 1.5; stroke-dasharray: 2 1; }\n"
	".job { stroke: #000; stroke-width: 3; }\n"
	"</style>\n";

extern int status_svg(FILE *f, const status_t *st, const char *job_id)
{
	int nnodes = tp_fabric_node_count(st->cluster->fabric);
	int *nodes = malloc((nnodes + 1) * sizeof(int));
	int width, height = 0, y;
	_layout_t l;

	if (!nodes || _layout(st, job_id, &l)) {
		free(nodes);
		return -1;
	}
	for (int c = 0; c < l.ncols; c++) {
		y = _column_end(st, &l, c, nodes);
		if (y > height)
			height = y;
	}
	if (height < _level_y(&l, 0) + SW_H + 12)
		height = _level_y(&l, 0) + SW_H + 12;
	height += 30;
	width = _col_x(l.ncols ? l.ncols : 1) + MARGIN;
	if (width < 420)
		width = 420;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\">\n", width, height,
		width, height);
	fputs(_style, f);
	fprintf(f, "<text x=\"%d\" y=\"20\" style=\"text-anchor: start; "
		"font-size: 12px\">%d nodes, %d GPUs: %d busy, %d free, %d "
		"unavailable; fragmentation %.3f", MARGIN, st->total.nodes,
		st->total.gpus, st->total.busy, st->total.free,
		st->total.unavail, st->fragmentation);
	if (job_id) {
		fputs("; job ", f);
		status_xml_puts(f, job_id);
		fputs(" outlined", f);
	}
	fputs("</text>\n", f);
	for (int s = 0; s < l.nsw; s++)
		_switch(f, &l, s);
	for (int c = 0; c < l.ncols; c++)
		_column(f, st, &l, c, nodes);
	/* Legend */
	for (int u = STATUS_USE_FREE, x = MARGIN; u <= STATUS_USE_RESERVED;
	     u++, x += 80) {
		fprintf(f, "<rect class=\"legend %s\" x=\"%d\" y=\"%d\" "
			"width=\"12\" height=\"12\"/><text x=\"%d\" y=\"%d\" "
			"style=\"text-anchor: start\">%s</text>\n",
			status_use_name(u), x, height - 22, x + 16,
			height - 12, status_use_name(u));
	}
	fputs("</svg>\n", f);
	_layout_free(&l);
	free(nodes);
	return ferror(f) ? -1 : 0;
}
