/*****************************************************************************\
 *  sim_svg.c - plots of replays as standalone SVG files, viewable in any
 *  browser: busy GPUs over time, leaves per multi-node job, and the busy
 *  share of every leaf over time.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim.h"

#define WIDTH 800
#define HEIGHT 420
#define LEFT 70		/* plot area inside the image */
#define RIGHT 170
#define TOP 40
#define BOTTOM 50
#define TIME_BUCKETS 600
#define HEAT_BUCKETS 300
#define HEAT_MAX_ROWS 160	/* more leaves are merged into rows */

static const char *_color[] = { "#1b9e77", "#d95f02", "#7570b3", "#e7298a" };

typedef struct {
	double t0, t1;		/* time axis, seconds */
	double unit;		/* seconds per axis unit */
	const char *unit_name;
} _axis_t;

static FILE *_open(const char *dir, const char *name, tp_error_t *err)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		snprintf(err->text, sizeof(err->text), "%.200s: %s", path,
			 strerror(errno));
	return f;
}

static int _close(FILE *f, const char *name, tp_error_t *err)
{
	fprintf(f, "</svg>\n");
	if (ferror(f) | fclose(f)) {
		snprintf(err->text, sizeof(err->text), "%s: write error",
			 name);
		return -1;
	}
	return 0;
}

static void _header(FILE *f, int width, int height, const char *title)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		width, height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>\n",
		LEFT, title);
}

/* Axes of the plot area with n ticks each way. */
static void _axes(FILE *f, int width, int height, double x0, double x1,
		  double y0, double y1, const char *xlabel, const char *ylabel,
		  int xticks)
{
	int pw = width - LEFT - RIGHT, ph = height - TOP - BOTTOM;

	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"none\" stroke=\"black\"/>\n", LEFT, TOP, pw, ph);
	for (int i = 0; i <= xticks; i++) {
		double x = LEFT + pw * (double) i / xticks;

		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3g</text>\n",
			x, height - BOTTOM + 16,
			x0 + (x1 - x0) * i / xticks);
	}
	for (int i = 0; i <= 4; i++) {
		double y = TOP + ph - ph * i / 4.0;

		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n",
			LEFT - 6, y + 4, y0 + (y1 - y0) * i / 4);
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			"stroke=\"#ddd\"/>\n", LEFT + 1, y, LEFT + pw - 1, y);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
		LEFT + pw / 2, height - 12, xlabel);
	fprintf(f, "<text transform=\"translate(16 %d) rotate(-90)\" "
		"text-anchor=\"middle\">%s</text>\n", TOP + ph / 2, ylabel);
}

static void _legend(FILE *f, int width, const char *const *names, int n)
{
	for (int p = 0; p < n; p++) {
		int y = TOP + 10 + 18 * p;

		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
			"stroke=\"%s\" stroke-width=\"3\"/>\n", width - RIGHT + 12,
			y, width - RIGHT + 32, y, _color[p % 4]);
		fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n",
			width - RIGHT + 38, y + 4, names[p]);
	}
}

/*
 * Average over nb equal buckets of [t0, t1) of the step functions in
 * res->step: the steps of leaf l add into v[row(l) * nb ...], where row()
 * is rows * l / nleaves (leaf -1, the fabric, with nleaves == 0).
 */
static int _buckets(const sim_result_t *res, int nleaves, int rows,
		    double t0, double t1, int nb, double *v)
{
	int n = nleaves ? nleaves : 1;
	double width = (t1 - t0) / nb, *last_t = malloc(sizeof(double) * n);
	int *busy = calloc(n, sizeof(int));

	if (!last_t || !busy) {
		free(last_t);
		free(busy);
		return -1;
	}
	for (long b = 0; b < (long) rows * nb; b++)
		v[b] = 0;
	for (int l = 0; l < n; l++)
		last_t[l] = t0;
	for (long k = 0; width > 0 && k < res->nsteps + n; k++) {
		/* Past the steps, one more per leaf closes it at t1. */
		int l = k < res->nsteps ? res->step[k].leaf : (int) (k - res->nsteps);
		double t = k < res->nsteps ? res->step[k].t : t1;
		double *row;

		if (k < res->nsteps && (nleaves ? l < 0 : l >= 0))
			continue;
		if (l < 0)
			l = 0;
		row = v + (long) l * rows / n * nb;
		if (t > last_t[l] && busy[l]) {
			int b0 = (int) ((last_t[l] - t0) / width);
			int b1 = (int) ((t - t0) / width);

			for (int b = b0 < 0 ? 0 : b0; b <= b1 && b < nb; b++) {
				double lo = fmax(last_t[l], t0 + b * width);
				double hi = fmin(t, t0 + (b + 1) * width);

				if (hi > lo)
					row[b] += busy[l] * (hi - lo) / width;
			}
		}
		if (k < res->nsteps) {
			busy[l] = res->step[k].busy;
			last_t[l] = t;
		}
	}
	free(last_t);
	free(busy);
	return 0;
}

static _axis_t _time_axis(const sim_result_t *res, int n)
{
	_axis_t ax = { INFINITY, -INFINITY, 1, "seconds" };

	for (int p = 0; p < n; p++) {
		ax.t0 = fmin(ax.t0, res[p].first_submit);
		ax.t1 = fmax(ax.t1, res[p].last_end);
	}
	if (!(ax.t1 > ax.t0))
		ax.t1 = ax.t0 + 1;
	if (ax.t1 - ax.t0 > 3 * 86400.0) {
		ax.unit = 86400;
		ax.unit_name = "days since the first submission";
	} else if (ax.t1 - ax.t0 > 3 * 3600.0) {
		ax.unit = 3600;
		ax.unit_name = "hours since the first submission";
	} else {
		ax.unit_name = "seconds since the first submission";
	}
	return ax;
}

static int _utilization(const char *dir, const tp_fabric_t *fabric,
			const char *const *names, const sim_result_t *res,
			int n, tp_error_t *err)
{
	_axis_t ax = _time_axis(res, n);
	int pw = WIDTH - LEFT - RIGHT, ph = HEIGHT - TOP - BOTTOM;
	double gpus = tp_fabric_gpu_count(fabric);
	double v[TIME_BUCKETS];
	FILE *f = _open(dir, "utilization.svg", err);

	if (!f)
		return -1;
	_header(f, WIDTH, HEIGHT, "Busy share of the GPUs");
	_axes(f, WIDTH, HEIGHT, 0, (ax.t1 - ax.t0) / ax.unit, 0, 1,
	      ax.unit_name, "busy GPUs / GPUs", 5);
	for (int p = 0; p < n; p++) {
		if (_buckets(&res[p], 0, 1, ax.t0, ax.t1, TIME_BUCKETS, v)) {
			fclose(f);
			snprintf(err->text, sizeof(err->text), "out of memory");
			return -1;
		}
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"1.2\" points=\"", _color[p % 4]);
		for (int b = 0; b < TIME_BUCKETS; b++)
			fprintf(f, "%.1f,%.1f ",
				LEFT + pw * (b + 0.5) / TIME_BUCKETS,
				TOP + ph - ph * fmin(1, v[b] / gpus));
		fprintf(f, "\"/>\n");
	}
	_legend(f, WIDTH, names, n);
	return _close(f, "utilization.svg", err);
}

static int _leaves_cdf(const char *dir, const char *const *names,
		       const sim_result_t *res, int n, tp_error_t *err)
{
	int pw = WIDTH - LEFT - RIGHT, ph = HEIGHT - TOP - BOTTOM, max = 1;
	FILE *f;

	for (int p = 0; p < n; p++)
		for (int i = 0; i < res[p].count; i++)
			if (res[p].job[i].ran && res[p].job[i].nodes > 1 &&
			    res[p].job[i].leaves > max)
				max = res[p].job[i].leaves;
	f = _open(dir, "leaves-cdf.svg", err);
	if (!f)
		return -1;
	_header(f, WIDTH, HEIGHT, "Leaf switches per multi-node job (CDF)");
	_axes(f, WIDTH, HEIGHT, 0, max, 0, 1, "leaves spanned",
	      "share of multi-node jobs", max < 10 ? max : 10);
	for (int p = 0; p < n; p++) {
		long *at = calloc(max + 1, sizeof(long)), total = 0, sum = 0;

		if (!at) {
			fclose(f);
			snprintf(err->text, sizeof(err->text), "out of memory");
			return -1;
		}
		for (int i = 0; i < res[p].count; i++) {
			const sim_outcome_t *o = &res[p].job[i];

			if (o->ran && o->nodes > 1) {
				at[o->leaves]++;
				total++;
			}
		}
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
			"stroke-width=\"2\" points=\"%d,%d ", _color[p % 4],
			LEFT, TOP + ph);
		for (int l = 1; l <= max && total; l++) {
			double x0 = LEFT + pw * (double) (l - 1) / max;
			double x1 = LEFT + pw * (double) l / max;
			double y_prev = TOP + ph - ph * (double) sum / total;

			sum += at[l];
			fprintf(f, "%.1f,%.1f %.1f,%.1f %.1f,%.1f ", x0, y_prev,
				x1, y_prev, x1,
				TOP + ph - ph * (double) sum / total);
		}
		fprintf(f, "\"/>\n");
		free(at);
	}
	_legend(f, WIDTH, names, n);
	return _close(f, "leaves-cdf.svg", err);
}

/* White (idle) to dark blue (all GPUs busy). */
static void _heat_color(double x, char *out, size_t len)
{
	x = fmax(0, fmin(1, x));
	snprintf(out, len, "#%02x%02x%02x", (int) (255 - 247 * x),
		 (int) (255 - 207 * x), (int) (255 - 148 * x));
}

static int _occupancy(const char *dir, const tp_fabric_t *fabric,
		      const sim_leaves_t *lv, const char *name,
		      const sim_result_t *res, const _axis_t *ax,
		      tp_error_t *err)
{
	int rows = lv->nleaves < HEAT_MAX_ROWS ? lv->nleaves : HEAT_MAX_ROWS;
	int height = TOP + BOTTOM + (rows < 40 ? 10 * rows : 400);
	int pw = WIDTH - LEFT - RIGHT, ph = height - TOP - BOTTOM;
	double *row = calloc((size_t) rows * HEAT_BUCKETS, sizeof(double));
	double *cap = calloc(rows, sizeof(double));
	char file[256], title[320], color[16];
	FILE *f;

	if (!row || !cap ||
	    _buckets(res, lv->nleaves, rows, ax->t0, ax->t1, HEAT_BUCKETS, row)) {
		free(row);
		free(cap);
		snprintf(err->text, sizeof(err->text), "out of memory");
		return -1;
	}
	for (int i = 0; i < lv->nnodes; i++)
		cap[(long) lv->leaf_of[i] * rows / lv->nleaves] +=
			tp_fabric_node_gpus(fabric, i);
	snprintf(file, sizeof(file), "occupancy-%s.svg", name);
	snprintf(title, sizeof(title), "Busy share of each leaf switch: %s%s",
		 name, rows < lv->nleaves ? " (leaves merged into rows)" : "");
	f = _open(dir, file, err);
	if (f) {
		_header(f, WIDTH, height, title);
		for (int r = 0; r < rows; r++)
			for (int b = 0; b < HEAT_BUCKETS; b++) {
				_heat_color(cap[r] > 0 ?
					    row[(long) r * HEAT_BUCKETS + b] /
					    cap[r] : 0, color, sizeof(color));
				fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
					"height=\"%.2f\" fill=\"%s\"/>\n",
					LEFT + pw * (double) b / HEAT_BUCKETS,
					TOP + ph * (double) r / rows,
					pw / (double) HEAT_BUCKETS + 0.05,
					ph / (double) rows + 0.05, color);
			}
		_axes(f, WIDTH, height, 0, (ax->t1 - ax->t0) / ax->unit,
		      lv->nleaves, 0, ax->unit_name, "leaf (first on top)", 5);
		for (int i = 0; i <= 4; i++) {
			_heat_color(i / 4.0, color, sizeof(color));
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"14\" "
				"fill=\"%s\" stroke=\"#999\"/><text x=\"%d\" y=\"%d\">%d%% busy</text>\n",
				WIDTH - RIGHT + 12, TOP + 18 * i, color,
				WIDTH - RIGHT + 34, TOP + 18 * i + 12, 25 * i);
		}
	}
	free(row);
	free(cap);
	return f ? _close(f, file, err) : -1;
}

extern int sim_svg_write(const char *dir, const tp_fabric_t *fabric,
			 const sim_leaves_t *lv, const char *const *names,
			 const sim_result_t *res, int npolicies,
			 tp_error_t *err)
{
	_axis_t ax = _time_axis(res, npolicies);

	if (mkdir(dir, 0755) && errno != EEXIST) {
		snprintf(err->text, sizeof(err->text), "%s: %s", dir,
			 strerror(errno));
		return -1;
	}
	if (_utilization(dir, fabric, names, res, npolicies, err) ||
	    _leaves_cdf(dir, names, res, npolicies, err))
		return -1;
	for (int p = 0; p < npolicies; p++)
		if (_occupancy(dir, fabric, lv, names[p], &res[p], &ax, err))
			return -1;
	return 0;
}
