/*****************************************************************************\
 *  ibnet_live.c - the live fabric, walked with libibnetdisc.
 *
 *  The fabric is printed in ibnetdiscover's format and read back with
 *  ibnet_read(), so a live fabric and a dump go through one reader and
 *  give the same model.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ibnet_live.h"

#ifdef HAVE_IBNETDISC

#include <infiniband/ibnetdisc.h>

/* ibnetdiscover's name of a node: "S-", "H-" or "R-" and its GUID. */
static void _name(const ibnd_node_t *n, char *buf, size_t len)
{
	char kind = (n->type == IB_NODE_SWITCH) ? 'S' :
		(n->type == IB_NODE_ROUTER) ? 'R' : 'H';

	snprintf(buf, len, "%c-%016" PRIx64, kind, n->guid);
}

/* The node description, with no quote to end the dump's field early. */
static void _desc(const ibnd_node_t *n, char *buf, size_t len)
{
	snprintf(buf, len, "%s", n->nodedesc);
	for (char *c = buf; *c; c++)
		if (*c == '"' || *c == '\n')
			*c = '\'';
}

/* The active link rate of a port, as ibnetdiscover prints it. */
static void _rate(ibnd_port_t *p, char *buf, size_t len)
{
	static const char *const widths[] = {
		[1] = "1x", [2] = "4x", [4] = "8x", [8] = "12x", [16] = "2x",
	};
	uint32_t width = mad_get_field(p->info, 0, IB_PORT_LINK_WIDTH_ACTIVE_F);
	uint32_t speed = mad_get_field(p->info, 0, IB_PORT_LINK_SPEED_ACTIVE_F);
	uint32_t ext = mad_get_field(p->info, 0,
				     IB_PORT_LINK_SPEED_EXT_ACTIVE_F);
	const char *w = (width < 17) ? widths[width] : NULL, *s;

	/* Extended speeds (FDR on) override the base one when set. */
	switch (ext) {
	case 1: s = "FDR"; break;
	case 2: s = "EDR"; break;
	case 4: s = "HDR"; break;
	case 8: s = "NDR"; break;
	case 16: s = "XDR"; break;
	default:
		s = (speed == 1) ? "SDR" : (speed == 2) ? "DDR" :
			(speed == 4) ? "QDR" : NULL;
	}
	if (w && s)
		snprintf(buf, len, "%s%s", w, s);
	else
		buf[0] = '\0';
}

static void _print_node(FILE *out, ibnd_node_t *n)
{
	char name[32], desc[IB_SMP_DATA_SIZE + 1];

	_name(n, name, sizeof(name));
	_desc(n, desc, sizeof(desc));
	fprintf(out, "%s\t%d \"%s\"\t\t# \"%s\"\n",
		(n->type == IB_NODE_SWITCH) ? "Switch" :
		(n->type == IB_NODE_ROUTER) ? "Rt" : "Ca",
		n->numports, name, desc);
	for (int p = 1; p <= n->numports; p++) {
		ibnd_port_t *port = n->ports[p], *peer;
		char peer_name[32], peer_desc[IB_SMP_DATA_SIZE + 1], rate[16];

		if (!port || !(peer = port->remoteport))
			continue;
		_name(peer->node, peer_name, sizeof(peer_name));
		_desc(peer->node, peer_desc, sizeof(peer_desc));
		_rate(port, rate, sizeof(rate));
		fprintf(out, "[%d]\t\"%s\"[%d]\t\t# \"%s\" %s\n", p, peer_name,
			peer->portnum, peer_desc, rate);
	}
	fputc('\n', out);
}

extern ibnet_t *ibnet_live(char *ca, int port, tp_error_t *err)
{
	ibnd_config_t config = { 0 };
	ibnd_fabric_t *fabric;
	char *text = NULL;
	size_t len = 0;
	ibnet_t *net = NULL;
	FILE *out;

	if (!(fabric = ibnd_discover_fabric(ca, port, NULL, &config))) {
		snprintf(err->text, sizeof(err->text),
			 "cannot discover the fabric through %s port %d (no InfiniBand adapter, or no access to /dev/infiniband/umad*)",
			 ca ? ca : "the first adapter", port);
		errno = EIO;
		return NULL;
	}
	if ((out = open_memstream(&text, &len))) {
		for (ibnd_node_t *n = fabric->nodes; n; n = n->next)
			_print_node(out, n);
		if (!fclose(out) && (out = fmemopen(text, len, "r"))) {
			net = ibnet_read(out, "fabric", err);
			fclose(out);
		}
		/* Lines of a text nobody sees mean nothing in reports. */
		for (int i = 0; net && i < net->count; i++)
			net->node[i].line = 0;
	}
	if (!net && !err->text[0])
		snprintf(err->text, sizeof(err->text), "fabric: out of memory");
	free(text);
	ibnd_destroy_fabric(fabric);
	return net;
}

#else

extern ibnet_t *ibnet_live(char *ca, int port, tp_error_t *err)
{
	(void) ca;
	(void) port;
	snprintf(err->text, sizeof(err->text),
		 "built without libibnetdisc: give an ibnetdiscover dump instead");
	errno = ENOTSUP;
	return NULL;
}

#endif
