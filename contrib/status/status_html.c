/*****************************************************************************\
 *  status_html.c - topopack-status --html: one page with the picture of
 *  the fabric (the SVG inline) and the table under it.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE

#include <stdlib.h>

#include "status_render.h"

extern int status_html(FILE *f, const status_t *st, const char *job_id)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int rc;

	if (!mem)
		return -1;
	rc = status_text(mem, st);
	if (fclose(mem) || rc) {
		free(text);
		return -1;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\"/>\n<title>topopack status</title>\n"
	      "</head>\n<body>\n<h1>topopack status</h1>\n", f);
	rc = status_svg(f, st, job_id);
	fputs("<pre>\n", f);
	status_xml_puts(f, text);
	fputs("</pre>\n</body>\n</html>\n", f);
	free(text);
	return (rc || ferror(f)) ? -1 : 0;
}
