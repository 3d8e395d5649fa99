/*****************************************************************************\
 *  discover_nvlink.h - "topopack-discover nvlink": topopack.conf NVLink
 *  domains from the "nvidia-smi -q" output of each node.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#ifndef _TOPOPACK_DISCOVER_NVLINK_H
#define _TOPOPACK_DISCOVER_NVLINK_H

#include <stdio.h>

#include "topopack.h"

/* Usage lines of the subcommand. */
extern const char discover_nvlink_usage[];

/* Nodes whose GPUs share one multi-node NVLink clique. */
typedef struct {
	char name[64];		/* "nvl1", or PREFIX1 */
	char cluster[37];	/* ClusterUUID */
	unsigned long clique;	/* CliqueId */
	char **host;		/* sorted as hostlists count */
	int *host_gpus;		/* by host: its GPU count */
	int nhosts;
	int gpus;		/* GPUs per node: the count most nodes have */
} nvlink_domain_t;

/* Something an administrator should look at. */
typedef struct {
	char *host;
	char *text;		/* "host: problem" */
} nvlink_anomaly_t;

typedef struct {
	nvlink_domain_t *domain;	/* ordered by first host */
	int ndomains;
	char **no_fabric;	/* hosts without a multi-node fabric */
	int nno_fabric;
	char **left_out;	/* hosts left out for an anomaly */
	int nleft_out;
	nvlink_anomaly_t *anomaly;	/* by host, then as found */
	int nanomalies;
} nvlink_result_t;

/*
 * Read every file of dir (one per node, named after the node, with or
 * without a .txt or .log suffix; hidden files and directories skipped),
 * and group the nodes by the (ClusterUUID, CliqueId) of their GPUs.
 * A node is in a domain when every one of its GPUs is registered on the
 * fabric (state Completed, status Success) in that one clique. Nodes
 * whose GPUs have no multi-node fabric are listed in no_fabric. Anomalies:
 * an unreadable or empty file, or one without GPU; a file showing fewer
 * GPUs than "Attached GPUs"; a GPU whose fabric registration did not end
 * well; GPUs of one node in different cliques; a node whose GPU count is
 * not that of most nodes of its domain. A node with one of the first four
 * is left out (in left_out).
 * IN dir - the directory; prefix - domain name prefix ("nvl" when NULL)
 * OUT res - the domains, to free with nvlink_result_free()
 * OUT err - on failure, "file:line: problem" or "dir: problem"
 * RET 0, or -1 with err set (a file nvidia-smi could not have written,
 *	two files for one node, dir unreadable, out of memory)
 */
extern int nvlink_scan(const char *dir, const char *prefix,
		       nvlink_result_t *res, tp_error_t *err);

extern void nvlink_result_free(nvlink_result_t *res);

/*
 * Write the domains as topopack.conf lines, each under a comment naming
 * its cluster and clique:
 *	# ClusterUUID 9c6f5af3-... CliqueId 4026
 *	DomainName=nvl1 Nodes=gb[001-004]
 * RET 0, or -1 (ENOMEM, or a write error)
 */
extern int nvlink_write_conf(FILE *out, const nvlink_result_t *res);

/*
 * Write the result as one JSON object: "domains" (name, cluster_uuid,
 * clique_id, nodes as a hostlist, hosts, gpus_per_node), "no_fabric",
 * "left_out" and "anomalies" (host, text).
 * RET 0, or -1 (ENOMEM, or a write error)
 */
extern int nvlink_write_json(FILE *out, const nvlink_result_t *res);

/*
 * Run the subcommand with its arguments (argv[0] is "nvlink").
 * RET the exit status: 0, 1 when written with anomalies, 2 on an error or
 *	bad usage
 */
extern int discover_nvlink(int argc, char **argv);

#endif /* _TOPOPACK_DISCOVER_NVLINK_H */
