/*****************************************************************************\
 *  name_index.c - open-addressing hash map from names to indices.
 *
 *  Fabrics name up to hundreds of thousands of nodes; config readers and
 *  the Slurm adapters look names up for every line and every node record,
 *  so a linear search would make loading quadratic.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "name_index_private.h"

typedef struct {
	const char *key;	/* NULL: empty slot */
	int value;
} _slot_t;

struct tp_name_index {
	_slot_t *slots;
	size_t size;		/* power of two */
	size_t used;
};

static uint64_t _hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char) *s;
		h *= 1099511628211ULL;
	}
	return h;
}

extern tp_name_index_t *tp_name_index_new(void)
{
	tp_name_index_t *map = calloc(1, sizeof(*map));

	if (!map)
		return NULL;
	map->size = 64;
	map->slots = calloc(map->size, sizeof(_slot_t));
	if (!map->slots) {
		free(map);
		return NULL;
	}
	return map;
}

extern void tp_name_index_free(tp_name_index_t *map)
{
	if (!map)
		return;
	free(map->slots);
	free(map);
}

static _slot_t *_find(_slot_t *slots, size_t size, const char *key)
{
	size_t i = _hash(key) & (size - 1);

	while (slots[i].key && strcmp(slots[i].key, key))
		i = (i + 1) & (size - 1);
	return &slots[i];
}

static int _grow(tp_name_index_t *map)
{
	size_t size = map->size * 2;
	_slot_t *slots = calloc(size, sizeof(_slot_t));

	if (!slots)
		return -1;
	for (size_t i = 0; i < map->size; i++)
		if (map->slots[i].key)
			*_find(slots, size, map->slots[i].key) = map->slots[i];
	free(map->slots);
	map->slots = slots;
	map->size = size;
	return 0;
}

extern int tp_name_index_put(tp_name_index_t *map, const char *key,
			     int value)
{
	_slot_t *slot;

	/* Keep the load under one half so probes stay short. */
	if ((map->used + 1) * 2 > map->size && _grow(map))
		return -1;
	slot = _find(map->slots, map->size, key);
	if (slot->key) {
		errno = EEXIST;
		return -1;
	}
	slot->key = key;
	slot->value = value;
	map->used++;
	return 0;
}

extern int tp_name_index_get(const tp_name_index_t *map, const char *key)
{
	const _slot_t *slot = _find(map->slots, map->size, key);

	return slot->key ? slot->value : -1;
}
