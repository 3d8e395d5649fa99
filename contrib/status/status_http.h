/*****************************************************************************\
 *  status_http.h - topopack-status --listen: a minimal HTTP server that
 *  answers Prometheus scrapes of GET /metrics, one connection at a time.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_STATUS_HTTP_H
#define _TOPOPACK_STATUS_HTTP_H

#include <stdio.h>

#include "topopack.h"

/* A client gets this long, in seconds, to send its request and take the
 * answer; then it is dropped, so a stalled client holds the server no
 * longer. */
#define STATUS_HTTP_TIMEOUT 10

/*
 * Write the body of one scrape to f.
 * RET 0, or -1 with err: the client then gets 503 and err's text.
 */
typedef int (*status_http_scrape_t)(FILE *f, void *arg, tp_error_t *err);

/*
 * Serve until SIGINT or SIGTERM: GET /metrics (HTTP/1.0 or 1.1) gets 200
 * and what scrape writes, as "text/plain; version=0.0.4"; another path
 * 404, another method 405, a malformed request 400, a request not
 * complete within STATUS_HTTP_TIMEOUT 408. Every answer closes the
 * connection.
 * IN addr - "HOST:PORT", "[IPV6]:PORT" or ":PORT" (every address); port
 *	0 takes a free one
 * IN log - where "listening on ADDRESS:PORT" and failed scrapes are
 *	said
 * RET 0 after the signal, or -1 with err when it cannot listen or
 *	waiting for clients fails
 */
extern int status_http_serve(const char *addr, status_http_scrape_t scrape,
			     void *arg, FILE *log, tp_error_t *err);

#endif /* _TOPOPACK_STATUS_HTTP_H */
