/*****************************************************************************\
 *  test_nvlink.c - "nvidia-smi -q" outputs read and grouped into NVLink
 *  domains: the DomainName lines, the anomalies and the exit status for a
 *  healthy and a faulty set of nodes, and file:line errors.
 *****************************************************************************
 *  Copyright (C) 2026 The topopack authors.
 *  SPDX-License-Identifier: GPL-2.0-or-later
\*****************************************************************************/

#define _GNU_SOURCE
#include "tp_check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discover_nvlink.h"
#include "nvsmi.h"

#define CLUSTER "4f6b2a91-3c0e-4d57-9a1e-8b2c7d5e6f10"

static nvsmi_t *_read_file(const char *path)
{
	tp_error_t err = { .text = "" };
	FILE *f = fopen(path, "r");
	nvsmi_t *smi;

	ck_assert_msg(f, "%s", path);
	smi = nvsmi_read(f, path, &err);
	fclose(f);
	ck_assert_msg(smi, "%s", err.text);
	return smi;
}

static nvsmi_t *_read_text(const char *text, tp_error_t *err)
{
	FILE *f = fmemopen((void *) text, strlen(text), "r");
	nvsmi_t *smi = nvsmi_read(f, "smi", err);

	fclose(f);
	return smi;
}

/* The topopack.conf lines of a result. */
static char *_conf(const nvlink_result_t *res)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(nvlink_write_conf(f, res), 0);
	fclose(f);
	return text;
}

static void _scan(const char *set, nvlink_result_t *res)
{
	tp_error_t err = { .text = "" };

	ck_assert_msg(!nvlink_scan(tp_test_data("nvsmi", set), NULL, res,
				   &err), "%s", err.text);
}

/* Run the subcommand with stdout and stderr sent to /dev/null. */
static int _run(int argc, char **argv)
{
	int null = open("/dev/null", O_WRONLY), out, err, rc;

	fflush(stdout);
	fflush(stderr);
	out = dup(1);
	err = dup(2);
	dup2(null, 1);
	dup2(null, 2);
	rc = discover_nvlink(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	close(null);
	return rc;
}

/* A GB200 node: four GPUs in clique 32766, the bus ids of a compute
 * tray; HGX H100 nodes: a fabric that is single-node (zero UUID), and
 * none at all (no Fabric section, or N/A everywhere). */
START_TEST(test_fields)
{
	nvsmi_t *smi = _read_file(tp_test_data("nvsmi", "good/gb001"));

	ck_assert_int_eq(smi->count, 4);
	ck_assert_int_eq(smi->attached, 4);
	ck_assert_str_eq(smi->gpu[0].busid, "00000008:01:00.0");
	ck_assert_str_eq(smi->gpu[3].busid, "00000019:01:00.0");
	for (int i = 0; i < 4; i++) {
		ck_assert(smi->gpu[i].fabric);
		ck_assert_str_eq(smi->gpu[i].state, "Completed");
		ck_assert_str_eq(smi->gpu[i].status, "Success");
		ck_assert(smi->gpu[i].has_clique);
		ck_assert_uint_eq(smi->gpu[i].clique, 32766);
		ck_assert_str_eq(smi->gpu[i].cluster, CLUSTER);
		ck_assert(nvsmi_multinode(&smi->gpu[i]));
		ck_assert(!nvsmi_fabric_failed(&smi->gpu[i]));
	}
	ck_assert_int_eq(smi->gpu[0].fabric_line, 69);
	nvsmi_free(smi);

	smi = _read_file(tp_test_data("nvsmi", "good/h100-01"));
	ck_assert_int_eq(smi->count, 8);
	ck_assert(smi->gpu[7].fabric);
	ck_assert_uint_eq(smi->gpu[7].clique, 0);
	ck_assert(!nvsmi_multinode(&smi->gpu[7]));
	ck_assert(!nvsmi_fabric_failed(&smi->gpu[7]));
	nvsmi_free(smi);

	smi = _read_file(tp_test_data("nvsmi", "good/h100-02.log"));
	ck_assert_int_eq(smi->count, 8);
	ck_assert(!smi->gpu[0].fabric);
	ck_assert_int_eq(smi->gpu[0].fabric_line, 0);
	nvsmi_free(smi);

	smi = _read_file(tp_test_data("nvsmi", "faulty/h100-03"));
	ck_assert_int_eq(smi->count, 8);
	ck_assert(!smi->gpu[0].fabric);
	ck_assert(!smi->gpu[0].has_clique);
	ck_assert_str_eq(smi->gpu[0].cluster, "");
	nvsmi_free(smi);

	smi = _read_file(tp_test_data("nvsmi", "faulty/gb014"));
	ck_assert(nvsmi_fabric_failed(&smi->gpu[2]));
	ck_assert_str_eq(smi->gpu[2].state, "In Progress");
	ck_assert(!nvsmi_multinode(&smi->gpu[2]));
	nvsmi_free(smi);
}
END_TEST

/* Two cliques of four GB200 nodes in one cluster (gb005.txt names
 * gb005), two H100 nodes left to topopack.conf's default. */
START_TEST(test_good_set)
{
	nvlink_result_t res;
	char *conf;

	_scan("good", &res);
	conf = _conf(&res);
	ck_assert_str_eq(conf,
		"# ClusterUUID " CLUSTER " CliqueId 32766\n"
		"DomainName=nvl1 Nodes=gb[001-004]\n"
		"# ClusterUUID " CLUSTER " CliqueId 4026\n"
		"DomainName=nvl2 Nodes=gb[005-008]\n");
	free(conf);
	ck_assert_int_eq(res.ndomains, 2);
	ck_assert_int_eq(res.domain[0].gpus, 4);
	ck_assert_int_eq(res.domain[1].gpus, 4);
	ck_assert_int_eq(res.nanomalies, 0);
	ck_assert_int_eq(res.nleft_out, 0);
	ck_assert_int_eq(res.nno_fabric, 2);
	ck_assert_str_eq(res.no_fabric[0], "h100-01");
	ck_assert_str_eq(res.no_fabric[1], "h100-02");
	nvlink_result_free(&res);
}
END_TEST

/* The faulty set: every anomaly, in host order; only the healthy nodes
 * and the one short of a GPU stay in the domain. */
START_TEST(test_faulty_set)
{
	nvlink_result_t res;
	char *conf, want[12][400];
	const char *gb014 = tp_test_data("nvsmi", "faulty/gb014");
	const char *gb015 = tp_test_data("nvsmi", "faulty/gb015");
	static const char *const bus[] = {
		"00000008:01:00.0", "00000009:01:00.0", "00000018:01:00.0",
		"00000019:01:00.0"
	};
	static const char *const left[] = {
		"gb013", "gb014", "gb015", "gb017", "gb018"
	};
	int n = 0;

	snprintf(want[n++], sizeof(want[0]),
		 "gb013: GPUs in different NVLink cliques: 3 GPUs in cluster "
		 CLUSTER " clique 32766, 1 GPU in cluster " CLUSTER
		 " clique 32767; left out");
	snprintf(want[n++], sizeof(want[0]),
		 "gb014: GPU 00000018:01:00.0: fabric state In Progress, status N/A (%s:217); left out",
		 gb014);
	for (int i = 0; i < 4; i++)
		snprintf(want[n++], sizeof(want[0]),
			 "gb015: GPU %s: fabric state Completed, status Insufficient Resources (%s:%d); left out",
			 bus[i], gb015, 69 + 74 * i);
	snprintf(want[n++], sizeof(want[0]),
		 "gb016: 3 GPUs, while most nodes of nvl1 have 4");
	snprintf(want[n++], sizeof(want[0]), "gb017: %s is empty; left out",
		 tp_test_data("nvsmi", "faulty/gb017"));
	snprintf(want[n++], sizeof(want[0]),
		 "gb018: no GPU in %s (first line: \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. M\"); left out",
		 tp_test_data("nvsmi", "faulty/gb018"));

	_scan("faulty", &res);
	conf = _conf(&res);
	ck_assert_str_eq(conf,
		"# ClusterUUID " CLUSTER " CliqueId 32766\n"
		"DomainName=nvl1 Nodes=gb[011-012,016]\n");
	free(conf);
	ck_assert_int_eq(res.nanomalies, n);
	for (int i = 0; i < n; i++)
		ck_assert_str_eq(res.anomaly[i].text, want[i]);
	ck_assert_str_eq(res.anomaly[2].host, "gb015");
	ck_assert_int_eq(res.nleft_out, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_str_eq(res.left_out[i], left[i]);
	ck_assert_int_eq(res.nno_fabric, 1);
	ck_assert_str_eq(res.no_fabric[0], "h100-03");
	nvlink_result_free(&res);
}
END_TEST

START_TEST(test_json)
{
	nvlink_result_t res;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	_scan("good", &res);
	ck_assert_int_eq(nvlink_write_json(f, &res), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text,
		"{\"domains\":[{\"name\":\"nvl1\",\"cluster_uuid\":\"" CLUSTER
		"\",\"clique_id\":32766,\"nodes\":\"gb[001-004]\",\"hosts\":"
		"[\"gb001\",\"gb002\",\"gb003\",\"gb004\"],\"gpus_per_node\":4}"));
	ck_assert_ptr_nonnull(strstr(text,
		"],\"no_fabric\":[\"h100-01\",\"h100-02\"],\"left_out\":[],"
		"\"anomalies\":[]}\n"));
	free(text);
	nvlink_result_free(&res);
}
END_TEST

/* Exit status as diff's: 0 clean, 1 written with anomalies, 2 trouble. */
START_TEST(test_exit_status)
{
	char good[4096], faulty[4096];
	char *ok[] = { "nvlink", good };
	char *anomalies[] = { "nvlink", "--prefix", "rack", faulty };
	char *json[] = { "nvlink", "--json", faulty };
	char *none[] = { "nvlink" };
	char *two[] = { "nvlink", good, faulty };
	char *option[] = { "nvlink", "--frobnicate", good };
	char *prefix[] = { "nvlink", "--prefix=a b", good };
	char *missing[] = { "nvlink", "/nonexistent/nvsmi" };

	snprintf(good, sizeof(good), "%s", tp_test_data("nvsmi", "good"));
	snprintf(faulty, sizeof(faulty), "%s", tp_test_data("nvsmi", "faulty"));
	ck_assert_int_eq(_run(2, ok), 0);
	ck_assert_int_eq(_run(4, anomalies), 1);
	ck_assert_int_eq(_run(3, json), 1);
	ck_assert_int_eq(_run(1, none), 2);
	ck_assert_int_eq(_run(3, two), 2);
	ck_assert_int_eq(_run(3, option), 2);
	ck_assert_int_eq(_run(3, prefix), 2);
	ck_assert_int_eq(_run(2, missing), 2);
}
END_TEST

#define GPU "GPU 00000008:01:00.0\n    Product Name : NVIDIA GB200\n"
#define FABRIC "    Fabric\n"

/* Bad input: the error names the line. */
static const struct {
	const char *text, *error;
} bad[] = {
	{ "GPU 0000000Z:01:00.0\n", "smi:1: bad GPU bus id \"0000000Z:01:00.0\"" },
	{ "GPU 00000008:01:00\n", "smi:1: bad GPU bus id" },
	{ GPU GPU, "smi:3: GPU 00000008:01:00.0 listed twice (first on line 1)" },
	{ FABRIC "        State : Completed\n",
	  "smi:1: a Fabric section outside any GPU section" },
	{ GPU FABRIC "        CliqueId : 12ab\n",
	  "smi:4: CliqueId \"12ab\" is not a clique number" },
	{ GPU FABRIC "        CliqueId : 4294967296\n",
	  "smi:4: CliqueId \"4294967296\" is not a clique number" },
	{ GPU FABRIC "        ClusterUUID : 1234\n",
	  "smi:4: ClusterUUID \"1234\" is not a UUID" },
	{ GPU FABRIC "        State : Completed\n        State : Completed\n",
	  "smi:5: State given twice in the Fabric section of GPU 00000008:01:00.0 (first on line 4)" },
	{ GPU FABRIC "        State : Completed\n" FABRIC,
	  "smi:5: a second Fabric section for GPU 00000008:01:00.0 (first on line 3)" },
	{ "Attached GPUs : four\n", "smi:1: Attached GPUs \"four\" is not a GPU count" },
};

START_TEST(test_bad_text)
{
	tp_error_t err = { .text = "" };
	nvsmi_t *smi = _read_text(bad[_i].text, &err);

	ck_assert_ptr_null(smi);
	ck_assert_msg(strstr(err.text, bad[_i].error), "got \"%s\", want \"%s\"",
		      err.text, bad[_i].error);
}
END_TEST

/* What nvidia-smi writes for a value it lacks is no error; a Fabric
 * section nested in another one is not the GPU's; lines not needed,
 * however odd, are skipped. */
START_TEST(test_tolerated)
{
	static const char text[] =
		"garbage without colon\n"
		"Attached GPUs : 2\n"
		GPU
		"    Something\n"
		"        Fabric\n"
		"            State : Completed\n"
		FABRIC
		"        State : Not Supported\n"
		"        Status : [Unknown Error]\n"
		"        CliqueId : N/A\n"
		"        ClusterUUID : Not Supported\n"
		"        Health\n"
		"            State : 12\n"
		"    Processes : None\n";
	tp_error_t err = { .text = "" };
	nvsmi_t *smi = _read_text(text, &err);

	ck_assert_msg(smi, "%s", err.text);
	ck_assert_int_eq(smi->count, 1);
	ck_assert_int_eq(smi->attached, 2);
	ck_assert_str_eq(smi->first, "garbage without colon");
	ck_assert(!smi->gpu[0].fabric);
	ck_assert_str_eq(smi->gpu[0].state, "Not Supported");
	ck_assert_int_eq(smi->gpu[0].fabric_line, 9);
	ck_assert(!smi->gpu[0].has_clique);
	nvsmi_free(smi);
}
END_TEST

/* A directory of its own under $TMPDIR with the given files. */
static char *_dir(const char *const *name, const char *const *text, int n)
{
	const char *tmp = getenv("TMPDIR");
	char *dir, path[4200];

	ck_assert_int_gt(asprintf(&dir, "%s/test_nvlink.XXXXXX",
				  (tmp && *tmp) ? tmp : "/tmp"), 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (int i = 0; i < n; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, name[i]);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(text[i], f);
		fclose(f);
	}
	return dir;
}

static void _rmdir(char *dir, const char *const *name, int n)
{
	char path[4200];

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, name[i]);
		unlink(path);
	}
	rmdir(dir);
	free(dir);
}

#define NODE(clique) \
	"Attached GPUs : 1\n" GPU FABRIC "        State : Completed\n" \
	"        Status : Success\n        CliqueId : " clique "\n" \
	"        ClusterUUID : " CLUSTER "\n"

/* Errors of the directory: two files for one node, a file the reader
 * refuses, no file; a file of "nvidia-smi -q -i 0" is an anomaly. */
START_TEST(test_dir)
{
	static const char *const twice[] = { "gpu1", "gpu1.txt" };
	static const char *const broken[] = { "gpu1", "gpu2.log" };
	static const char *const partial[] = { "gpu1", "gpu2", ".hidden" };
	static const char *const texts[] = {
		NODE("7"), GPU FABRIC "        CliqueId : x7\n", "x"
	};
	static const char *const partial_texts[] = {
		NODE("7"), "Attached GPUs : 4\n" GPU, "not read"
	};
	tp_error_t err = { .text = "" };
	nvlink_result_t res;
	char *dir, want[600], *conf;

	dir = _dir(twice, texts, 2);
	ck_assert_int_eq(nvlink_scan(dir, NULL, &res, &err), -1);
	snprintf(want, sizeof(want), "%s: two files for node gpu1: %s/gpu1 and %s/gpu1.txt",
		 dir, dir, dir);
	ck_assert_str_eq(err.text, want);
	_rmdir(dir, twice, 2);

	dir = _dir(broken, texts, 2);
	ck_assert_int_eq(nvlink_scan(dir, NULL, &res, &err), -1);
	snprintf(want, sizeof(want), "%s/gpu2.log:4: CliqueId \"x7\" is not a clique number",
		 dir);
	ck_assert_str_eq(err.text, want);
	_rmdir(dir, broken, 2);

	dir = _dir(partial, partial_texts, 3);
	ck_assert_int_eq(nvlink_scan(dir, "rack", &res, &err), 0);
	conf = _conf(&res);
	ck_assert_str_eq(conf, "# ClusterUUID " CLUSTER " CliqueId 7\n"
			 "DomainName=rack1 Nodes=gpu1\n");
	free(conf);
	ck_assert_int_eq(res.nanomalies, 1);
	snprintf(want, sizeof(want),
		 "gpu2: %s/gpu2 shows 1 of the 4 attached GPUs (nvidia-smi -q -i?); left out",
		 dir);
	ck_assert_str_eq(res.anomaly[0].text, want);
	nvlink_result_free(&res);
	_rmdir(dir, partial, 3);

	dir = _dir(NULL, NULL, 0);
	ck_assert_int_eq(nvlink_scan(dir, NULL, &res, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.text, ": no file in it"));
	_rmdir(dir, NULL, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nvlink");
	TCase *tc = tcase_create("nvlink");

	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_good_set);
	tcase_add_test(tc, test_faulty_set);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_exit_status);
	tcase_add_loop_test(tc, test_bad_text, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_tolerated);
	tcase_add_test(tc, test_dir);
	suite_add_tcase(s, tc);
	return tp_check_run(s);
}
