/*****************************************************************************\
 *  fabric_shared.c - the fabric of this process, loaded once and shared.
 *
 *  slurmctld loads a topology plugin and a select plugin that both need
 *  the fabric. Reading topology.conf in each gave two copies, two failure
 *  policies and twice the work at every reconfiguration. The plugins link
 *  one libtopopack, so the library keeps the fabric for them: the plugin
 *  that reads the configuration publishes it, the other holds it. A
 *  fabric replaced while a plugin holds it lives until that plugin puts
 *  it, so a placement running during a reconfiguration never sees its
 *  fabric freed under it.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <pthread.h>

#include "fabric_private.h"

static pthread_mutex_t _lock = PTHREAD_MUTEX_INITIALIZER;
static tp_fabric_t *_current;
static unsigned long _generation;

extern unsigned long tp_fabric_publish(tp_fabric_t *fabric)
{
	tp_fabric_t *old;
	unsigned long generation;

	pthread_mutex_lock(&_lock);
	old = _current;
	_current = fabric;
	generation = ++_generation;
	if (old && old != fabric) {
		old->retired = true;
		if (old->holders)
			old = NULL;	/* the last tp_fabric_put() frees it */
	} else {
		old = NULL;
	}
	pthread_mutex_unlock(&_lock);
	tp_fabric_free(old);
	return generation;
}

extern tp_fabric_t *tp_fabric_hold(unsigned long *generation)
{
	tp_fabric_t *f;

	pthread_mutex_lock(&_lock);
	if ((f = _current))
		f->holders++;
	if (generation)
		*generation = _generation;
	pthread_mutex_unlock(&_lock);
	return f;
}

extern void tp_fabric_put(tp_fabric_t *fabric)
{
	bool last;

	if (!fabric)
		return;
	pthread_mutex_lock(&_lock);
	last = !--fabric->holders && fabric->retired;
	pthread_mutex_unlock(&_lock);
	if (last)
		tp_fabric_free(fabric);
}
