/*****************************************************************************\
 *  status_http.c - topopack-status --listen: GET /metrics over HTTP/1.0
 *  and 1.1 for Prometheus.
 *
 *  One connection at a time: a scrape takes milliseconds and Prometheus
 *  scrapes a target every few seconds at most, so no thread is needed.
 *  Each client has STATUS_HTTP_TIMEOUT seconds in all (a deadline, not a
 *  per-read timeout, which a client sending a byte now and then would
 *  renew forever). SIGINT and SIGTERM are blocked except inside ppoll(),
 *  so a signal arriving between two checks is never lost.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "status_http.h"

/* The longest request taken: Prometheus sends a few hundred bytes. */
#define REQUEST_MAX 8192

static volatile sig_atomic_t _stop = 0;

static void _on_signal(int sig)
{
	(void) sig;
	_stop = 1;
}

static double _now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Wait for events on fd until deadline (0: none) with the stop signals
 * let through. RET 1 ready, 0 timed out, -1 stopped or failed.
 */
static int _wait(int fd, short events, double deadline,
		 const sigset_t *open_mask)
{
	struct pollfd p = { .fd = fd, .events = events };
	struct timespec ts, *tsp = NULL;
	int rc;

	do {
		if (_stop)
			return -1;
		if (deadline > 0) {
			double left = deadline - _now();

			if (left <= 0)
				return 0;
			ts.tv_sec = (time_t) left;
			ts.tv_nsec = (long) ((left - ts.tv_sec) * 1e9);
			tsp = &ts;
		}
		rc = ppoll(&p, 1, tsp, open_mask);
	} while (rc < 0 && errno == EINTR);
	return rc < 0 ? -1 : rc;
}

/* Send all of buf before deadline. RET 0 or -1. */
static int _send(int fd, const char *buf, size_t len, double deadline,
		 const sigset_t *open_mask)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			buf += n;
			len -= n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			return -1;
		} else if (_wait(fd, POLLOUT, deadline, open_mask) != 1) {
			return -1;
		}
	}
	return 0;
}

static void _answer(int fd, const char *status, const char *type,
		    const char *extra, const char *body, size_t len,
		    double deadline, const sigset_t *open_mask)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     status, type, len, extra);
	if (n < 0 || (size_t) n >= sizeof(head) ||
	    _send(fd, head, n, deadline, open_mask))
		return;
	(void) _send(fd, body, len, deadline, open_mask);
}

static void _plain(int fd, const char *status, const char *extra,
		   const char *text, double deadline,
		   const sigset_t *open_mask)
{
	_answer(fd, status, "text/plain; charset=utf-8", extra, text,
		strlen(text), deadline, open_mask);
}

/*
 * Read the request head (up to the blank line) into buf.
 * RET its length; 0 when the client closed, timed out or the server is
 * stopping; -1 when it is longer than REQUEST_MAX.
 */
static ssize_t _read_head(int fd, char *buf, double deadline,
			  const sigset_t *open_mask)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = recv(fd, buf + len, REQUEST_MAX - 1 - len,
				 MSG_DONTWAIT);

		if (n > 0) {
			len += n;
			buf[len] = '\0';
			if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
				return (ssize_t) len;
			if (len == REQUEST_MAX - 1)
				return -1;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR) ||
		    _wait(fd, POLLIN, deadline, open_mask) != 1)
			return 0;
	}
}

/* One request: "GET /metrics HTTP/1.1" and headers, which are not read. */
static void _serve_one(int fd, status_http_scrape_t scrape, void *arg,
		       FILE *log, const sigset_t *open_mask)
{
	double deadline = _now() + STATUS_HTTP_TIMEOUT;
	char buf[REQUEST_MAX], *method, *target, *version, *end, *save;
	tp_error_t err = { .text = "" };
	char why[sizeof(err.text) + 1];
	char *body = NULL;
	size_t len = 0;
	ssize_t got;
	FILE *f;

	got = _read_head(fd, buf, deadline, open_mask);
	if (got < 0) {
		_plain(fd, "400 Bad Request", "", "request too long\n",
		       deadline, open_mask);
		return;
	}
	if (got == 0) {
		if (!_stop && _now() >= deadline)
			_plain(fd, "408 Request Timeout", "",
			       "request not received in time\n",
			       _now() + 1, open_mask);
		return;
	}
	end = buf + strcspn(buf, "\r\n");
	*end = '\0';
	method = strtok_r(buf, " ", &save);
	target = strtok_r(NULL, " ", &save);
	version = strtok_r(NULL, " ", &save);
	if (!method || !target || !version || strtok_r(NULL, " ", &save) ||
	    (strcmp(version, "HTTP/1.0") && strcmp(version, "HTTP/1.1")) ||
	    target[0] != '/') {
		_plain(fd, "400 Bad Request", "", "malformed request\n",
		       deadline, open_mask);
		return;
	}
	if (strcmp(method, "GET")) {
		_plain(fd, "405 Method Not Allowed", "Allow: GET\r\n",
		       "only GET is served\n", deadline, open_mask);
		return;
	}
	/* A query string (Prometheus may add params) does not matter. */
	target[strcspn(target, "?")] = '\0';
	if (strcmp(target, "/metrics")) {
		_plain(fd, "404 Not Found", "", "only /metrics is served\n",
		       deadline, open_mask);
		return;
	}
	if (!(f = open_memstream(&body, &len))) {
		_plain(fd, "500 Internal Server Error", "", "out of memory\n",
		       deadline, open_mask);
		return;
	}
	if (scrape(f, arg, &err)) {
		fclose(f);
		fprintf(log, "scrape failed: %s\n", err.text);
		fflush(log);
		snprintf(why, sizeof(why), "%s\n", err.text);
		_plain(fd, "503 Service Unavailable", "", why, deadline,
		       open_mask);
	} else if (fclose(f)) {
		_plain(fd, "500 Internal Server Error", "", "out of memory\n",
		       deadline, open_mask);
	} else {
		_answer(fd, "200 OK", "text/plain; version=0.0.4", "", body,
			len, deadline, open_mask);
	}
	free(body);
}

/* A listening socket on addr. RET the socket, or -1 with err. */
static int _listen(const char *addr, FILE *log, tp_error_t *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], shown[INET6_ADDRSTRLEN], port[16];
	const char *colon = strrchr(addr, ':'), *h = addr;
	size_t hlen;
	int fd = -1, one = 1, zero = 0, rc, e = 0;

	if (!colon || !colon[1] || strlen(colon + 1) >= sizeof(port)) {
		snprintf(err->text, sizeof(err->text), "--listen %s: give "
			 "HOST:PORT or :PORT", addr);
		return -1;
	}
	hlen = colon - addr;
	if (hlen >= 2 && addr[0] == '[' && addr[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen >= sizeof(host)) {
		snprintf(err->text, sizeof(err->text), "--listen: host name "
			 "too long");
		return -1;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	strcpy(port, colon + 1);
	if ((rc = getaddrinfo(hlen ? host : NULL, port, &hints, &res))) {
		snprintf(err->text, sizeof(err->text), "--listen %s: %s", addr,
			 gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		(void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				  sizeof(one));
		/* ":PORT" on IPv6 takes IPv4 clients too. */
		if (ai->ai_family == AF_INET6 && !hlen)
			(void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
					  sizeof(zero));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 16))
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err->text, sizeof(err->text), "--listen %s: %s", addr,
			 strerror(e));
		return -1;
	}
	if (!getsockname(fd, (struct sockaddr *) &ss, &sl)) {
		bool v6 = ss.ss_family == AF_INET6;
		const void *a = v6 ?
			(const void *) &((struct sockaddr_in6 *) &ss)->sin6_addr
			: (const void *) &((struct sockaddr_in *) &ss)->sin_addr;
		int p = ntohs(v6 ? ((struct sockaddr_in6 *) &ss)->sin6_port :
			      ((struct sockaddr_in *) &ss)->sin_port);

		if (inet_ntop(ss.ss_family, a, shown, sizeof(shown)))
			fprintf(log, "listening on %s%s%s:%d\n", v6 ? "[" : "",
				shown, v6 ? "]" : "", p);
		fflush(log);
	}
	return fd;
}

extern int status_http_serve(const char *addr, status_http_scrape_t scrape,
			     void *arg, FILE *log, tp_error_t *err)
{
	struct sigaction sa = { .sa_handler = _on_signal }, old_int, old_term;
	sigset_t stops, old_mask, open_mask;
	int lfd, fd;

	if ((lfd = _listen(addr, log, err)) < 0)
		return -1;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, &old_mask);
	open_mask = old_mask;
	sigdelset(&open_mask, SIGINT);
	sigdelset(&open_mask, SIGTERM);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	_stop = 0;
	while (_wait(lfd, POLLIN, 0, &open_mask) == 1) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		_serve_one(fd, scrape, arg, log, &open_mask);
		close(fd);
	}
	if (!_stop)
		snprintf(err->text, sizeof(err->text), "--listen %s: %s", addr,
			 strerror(errno));
	close(lfd);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	return _stop ? 0 : -1;
}
