/*****************************************************************************\
 *  topopack_hold.c - preemption plans kept while their victims drain.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <pthread.h>
#include <string.h>

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/macros.h"
#include "src/common/xmalloc.h"

#include "topopack_hold.h"

/* Few jobs wait on preemption or recovery at once: a plain array is
 * enough. */
static pthread_mutex_t _lock = PTHREAD_MUTEX_INITIALIZER;
static topopack_hold_t *_hold = NULL;
static int _count = 0, _size = 0;

static void _copy(topopack_hold_t *to, const topopack_hold_t *from)
{
	to->job_id = from->job_id;
	to->kind = from->kind;
	to->nodes = from->nodes ? bit_copy(from->nodes) : NULL;
	to->failed = from->failed ? bit_copy(from->failed) : NULL;
	to->nvictims = from->nvictims;
	to->victim = xcalloc(from->nvictims + 1, sizeof(uint32_t));
	if (from->nvictims)
		memcpy(to->victim, from->victim,
		       sizeof(uint32_t) * from->nvictims);
	to->made = from->made;
}

extern void topopack_hold_free(topopack_hold_t *hold)
{
	if (!hold)
		return;
	FREE_NULL_BITMAP(hold->nodes);
	FREE_NULL_BITMAP(hold->failed);
	xfree(hold->victim);
	memset(hold, 0, sizeof(*hold));
}

/* Index of job_id's hold of that kind, or -1 (lock held). */
static int _find(uint32_t job_id, topopack_hold_kind_t kind)
{
	for (int k = 0; k < _count; k++)
		if ((_hold[k].job_id == job_id) && (_hold[k].kind == kind))
			return k;
	return -1;
}

/* Drop entry k (lock held). */
static void _drop(int k)
{
	topopack_hold_free(&_hold[k]);
	_hold[k] = _hold[--_count];
	memset(&_hold[_count], 0, sizeof(_hold[_count]));
}

/* Store a copy of in, replacing the hold of its job and kind. */
static void _put(const topopack_hold_t *in)
{
	int k;

	slurm_mutex_lock(&_lock);
	if ((k = _find(in->job_id, in->kind)) >= 0) {
		topopack_hold_free(&_hold[k]);
	} else {
		if (_count == _size) {
			_size = _size ? 2 * _size : 8;
			xrecalloc(_hold, _size, sizeof(*_hold));
		}
		k = _count++;
	}
	_copy(&_hold[k], in);
	slurm_mutex_unlock(&_lock);
}

extern void topopack_hold_put(uint32_t job_id, bitstr_t *nodes,
			      const uint32_t *victim, int nvictims,
			      time_t made)
{
	topopack_hold_t in = {
		.job_id = job_id, .kind = TOPOPACK_HOLD_PREEMPT,
		.nodes = nodes, .nvictims = nvictims,
		.victim = (uint32_t *) victim, .made = made
	};

	_put(&in);
}

extern void topopack_hold_put_recover(uint32_t job_id, bitstr_t *nodes,
				      bitstr_t *failed, time_t made)
{
	topopack_hold_t in = {
		.job_id = job_id, .kind = TOPOPACK_HOLD_RECOVER,
		.nodes = nodes, .failed = failed, .made = made
	};

	_put(&in);
}

extern bool topopack_hold_get_kind(uint32_t job_id, topopack_hold_kind_t kind,
				   topopack_hold_t *out)
{
	int k;

	memset(out, 0, sizeof(*out));
	slurm_mutex_lock(&_lock);
	if ((k = _find(job_id, kind)) >= 0)
		_copy(out, &_hold[k]);
	slurm_mutex_unlock(&_lock);
	return k >= 0;
}

extern bool topopack_hold_get(uint32_t job_id, topopack_hold_t *out)
{
	return topopack_hold_get_kind(job_id, TOPOPACK_HOLD_PREEMPT, out);
}

extern void topopack_hold_forget_kind(uint32_t job_id,
				      topopack_hold_kind_t kind)
{
	int k;

	slurm_mutex_lock(&_lock);
	if ((k = _find(job_id, kind)) >= 0)
		_drop(k);
	slurm_mutex_unlock(&_lock);
}

extern void topopack_hold_forget(uint32_t job_id)
{
	topopack_hold_forget_kind(job_id, TOPOPACK_HOLD_PREEMPT);
}

extern void topopack_hold_prune_kind(topopack_hold_kind_t kind,
				     bool (*keep)(const topopack_hold_t *hold,
						  void *arg), void *arg)
{
	slurm_mutex_lock(&_lock);
	for (int k = 0; k < _count;) {
		if ((_hold[k].kind != kind) || keep(&_hold[k], arg))
			k++;
		else
			_drop(k);
	}
	slurm_mutex_unlock(&_lock);
}

extern void topopack_hold_prune(bool (*keep)(const topopack_hold_t *hold,
					     void *arg), void *arg)
{
	topopack_hold_prune_kind(TOPOPACK_HOLD_PREEMPT, keep, arg);
}

extern bitstr_t *topopack_hold_recover_nodes(uint32_t job_id, int size)
{
	bitstr_t *out = NULL;

	slurm_mutex_lock(&_lock);
	for (int k = 0; k < _count; k++) {
		topopack_hold_t *h = &_hold[k];

		if ((h->kind != TOPOPACK_HOLD_RECOVER) || !h->nodes ||
		    (job_id && (h->job_id == job_id)) ||
		    (bit_size(h->nodes) != size) || (bit_ffs(h->nodes) < 0))
			continue;
		if (!out)
			out = bit_alloc(size);
		bit_or(out, h->nodes);
	}
	slurm_mutex_unlock(&_lock);
	return out;
}

extern bool topopack_hold_is_victim(const topopack_hold_t *hold, uint32_t id)
{
	for (int k = 0; k < hold->nvictims; k++)
		if (hold->victim[k] == id)
			return true;
	return false;
}

extern void topopack_hold_clear(void)
{
	slurm_mutex_lock(&_lock);
	while (_count)
		_drop(_count - 1);
	xfree(_hold);
	_size = 0;
	slurm_mutex_unlock(&_lock);
}
