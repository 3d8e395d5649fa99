/*****************************************************************************\
 *  name_index_private.h - string to index hash map for node, switch and domain
 *  names. Keys are borrowed: the caller keeps the strings alive.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_NAME_INDEX_PRIVATE_H
#define _TOPOPACK_NAME_INDEX_PRIVATE_H

typedef struct tp_name_index tp_name_index_t;

/* RET an empty map, or NULL (ENOMEM). */
extern tp_name_index_t *tp_name_index_new(void);
extern void tp_name_index_free(tp_name_index_t *map);

/* Map key to value; key must not be present. RET 0, or -1 (ENOMEM). */
extern int tp_name_index_put(tp_name_index_t *map, const char *key,
			     int value);

/* RET the value stored for key, or -1. */
extern int tp_name_index_get(const tp_name_index_t *map, const char *key);

#endif /* _TOPOPACK_NAME_INDEX_PRIVATE_H */
