/*****************************************************************************\
 *  status_render.h - the outputs of topopack-status, each from a status_t:
 *  the table, JSON, Prometheus text exposition, an SVG picture of the
 *  fabric and an HTML page holding both.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_STATUS_RENDER_H
#define _TOPOPACK_STATUS_RENDER_H

#include <stdio.h>

#include "status_model.h"

/*
 * Each writes st to f and RETs 0, or -1 when f reports a write error.
 */

/* The table admins read: capacity per leaf and declared NVLink domain,
 * free slots by shape, where a shape would start, running jobs worst
 * placed first, pending jobs with where they would start now. */
extern int status_text(FILE *f, const status_t *st);

/* The same as one JSON object on one line. */
extern int status_json(FILE *f, const status_t *st);

/* Prometheus text exposition format (version 0.0.4), with # HELP and
 * # TYPE lines, for node_exporter's textfile collector. */
extern int status_prom(FILE *f, const status_t *st);

/*
 * A standalone SVG picture: switches on top, leaves, declared NVLink
 * domains as boxes inside them, one rect of class "node USE" per node
 * (USE as status_use_name()); the nodes of job job_id (may be NULL) also
 * have class "job".
 */
extern int status_svg(FILE *f, const status_t *st, const char *job_id);

/* An HTML page holding the SVG picture and the table. */
extern int status_html(FILE *f, const status_t *st, const char *job_id);

/* Write s with XML's special characters escaped. */
extern void status_xml_puts(FILE *f, const char *s);

#endif /* _TOPOPACK_STATUS_RENDER_H */
