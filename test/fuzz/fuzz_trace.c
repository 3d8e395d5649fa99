/*****************************************************************************\
 *  fuzz_trace.c - job trace files (SWF, CSV, plain or gzip) as
 *  topopack-sim reads them: jobs or an error naming file:line.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include <math.h>
#include <string.h>

#include "fuzz_file.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fuzz_file_t csv;
	sim_trace_t trace;
	tp_error_t err = { { 0 } };

	/* sim_trace_read() tells SWF from CSV by the file name. */
	if (!csv.path[0])
		fuzz_file_open(&csv, "trace");
	fuzz_file_set(&csv, data, size);
	memset(&trace, 0, sizeof(trace));
	if (sim_trace_read(csv.path, 0, &trace, &err) && !err.text[0])
		abort();
	/* What the replay relies on: finite times, in submit order. */
	for (int i = 0; i < trace.count; i++)
		if (trace.job[i].gpus < 1 || !isfinite(trace.job[i].duration) ||
		    trace.job[i].duration < 0 ||
		    !isfinite(trace.job[i].submit) ||
		    (i && trace.job[i].submit < trace.job[i - 1].submit))
			abort();
	sim_trace_free(&trace);
	return 0;
}
