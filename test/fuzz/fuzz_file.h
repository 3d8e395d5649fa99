/*****************************************************************************\
 *  fuzz_file.h - the parsers read files by path: give them the fuzzer's
 *  input as a file, kept open and rewritten in place so that a run costs
 *  no open or close.
 *
 *  The files live in a directory of the process's own, removed at exit:
 *  a relative Include then finds only the files written there. (In
 *  /proc/self/fd, where a memfd is, "Include 0" read the fuzzer's
 *  standard input, and blocked on a terminal.)
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_FUZZ_FILE_H
#define _TOPOPACK_FUZZ_FILE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_FILES_MAX 4

typedef struct {
	int fd;
	char path[4200];
} fuzz_file_t;

static char _fuzz_dir[4096];
static const char *_fuzz_paths[FUZZ_FILES_MAX];
static int _fuzz_nfiles;

static inline void _fuzz_die(const char *what)
{
	perror(what);
	abort();
}

static inline void _fuzz_cleanup(void)
{
	for (int i = 0; i < _fuzz_nfiles; i++)
		unlink(_fuzz_paths[i]);
	rmdir(_fuzz_dir);
}

/* Create the file name in the process's directory (made on first use). */
static inline void fuzz_file_open(fuzz_file_t *f, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	if (!_fuzz_dir[0]) {
		snprintf(_fuzz_dir, sizeof(_fuzz_dir), "%s/topopack-fuzz-XXXXXX",
			 (tmp && *tmp) ? tmp : "/tmp");
		if (!mkdtemp(_fuzz_dir))
			_fuzz_die(_fuzz_dir);
		atexit(_fuzz_cleanup);
	}
	if (_fuzz_nfiles == FUZZ_FILES_MAX) {
		fprintf(stderr, "fuzz_file_open: more than %d files\n",
			FUZZ_FILES_MAX);
		abort();
	}
	snprintf(f->path, sizeof(f->path), "%s/%s", _fuzz_dir, name);
	if ((f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0)
		_fuzz_die(f->path);
	_fuzz_paths[_fuzz_nfiles++] = f->path;
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
