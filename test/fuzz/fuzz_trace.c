/*****************************************************************************\
 *  fuzz_trace.c - job trace files (SWF, CSV, plain or gzip) as
 *  topopack-sim reads them: jobs or an error naming file:line.
 *
 *  sim_trace_read() takes the format from the file name (.swf, .csv),
 *  else from the first line: each input is read under the three names,
 *  the last time only up to a few records (--jobs).
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <math.h>
#include <string.h>

#include "fuzz_file.h"
#include "sim.h"

static void _read(const fuzz_file_t *file, long max_jobs)
{
	sim_trace_t trace;
	tp_error_t err = { { 0 } };

	memset(&trace, 0, sizeof(trace));
	if (sim_trace_read(file->path, max_jobs, &trace, &err)) {
		if (!err.text[0])
			abort();
		return;
	}
	if (trace.records < 1 || trace.count + trace.invalid != trace.records ||
	    (max_jobs > 0 && trace.records > max_jobs))
		abort();
	/* What the replay relies on: finite times, in submit order. */
	for (int i = 0; i < trace.count; i++)
		if (trace.job[i].gpus < 1 || trace.job[i].nodes < 0 ||
		    !isfinite(trace.job[i].duration) ||
		    trace.job[i].duration < 0 ||
		    !isfinite(trace.job[i].submit) ||
		    trace.job[i].submit < 0 ||
		    (i && trace.job[i].submit < trace.job[i - 1].submit))
			abort();
	sim_trace_free(&trace);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fuzz_file_t swf, csv, any;

	if (!any.path[0]) {
		fuzz_file_open(&swf, "trace.swf");
		fuzz_file_open(&csv, "trace.csv");
		fuzz_file_open(&any, "trace");
	}
	fuzz_file_set(&swf, data, size);
	fuzz_file_set(&csv, data, size);
	fuzz_file_set(&any, data, size);
	_read(&swf, 0);
	_read(&csv, 0);
	_read(&any, 1 + (long) (size % 3));
	return 0;
}
