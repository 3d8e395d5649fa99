/*****************************************************************************\
 *  fuzz_file.h - the parsers read files by path: give them the fuzzer's
 *  input as a file, in memory (memfd) so that a run costs no disk I/O.
 *  Built with -D_GNU_SOURCE (memfd_create).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_FUZZ_FILE_H
#define _TOPOPACK_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
	int fd;
	char path[64];
} fuzz_file_t;

/* Open an in-memory file once; its path is /proc/self/fd/N. */
static inline void fuzz_file_open(fuzz_file_t *f, const char *name)
{
	if ((f->fd = memfd_create(name, 0)) < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(f->path, sizeof(f->path), "/proc/self/fd/%d", f->fd);
}

/* Make data its whole content. */
static inline void fuzz_file_set(fuzz_file_t *f, const uint8_t *data,
				 size_t size)
{
	if (ftruncate(f->fd, 0) ||
	    pwrite(f->fd, data, size, 0) != (ssize_t) size) {
		perror("fuzz_file_set");
		abort();
	}
}

#endif /* _TOPOPACK_FUZZ_FILE_H */
