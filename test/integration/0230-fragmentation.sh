#!/usr/bin/env bash
#
# 0230-fragmentation DIR - backfill's topology options (bf_topopt_enable)
# ask the topology plugin how fragmented a start slot leaves the cluster
# (topology_p_get_fragmentation, Slurm 24.11 and later). 8 nodes of 8 GPUs
# under 2 leaves (n01-n04, n05-n08).
#
# Job A runs on n01 for up to 5 minutes, job B on n05 for up to 10; job C
# wants 7 whole nodes, so it can start when A ends, on every node but n05.
# Backfill scores that slot (DebugFlags=Backfill, "add slot ...
# job_score:S"): S is the fragmentation of the nodes C leaves out, {n05},
# a free node in a leaf that is not wholly free: 1 with topology/topopack,
# 0 with topology/tree (which does not count fragmentation).
#
# Slurm releases: 24.11+
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../cluster/cluster.sh"
# shellcheck source=placement-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/placement-lib.sh"

cluster_check_prereqs || exit 77
cluster_need_plugin topology_topopack
top_dir=${1:?usage: $0 DIR}
mkdir -p "$top_dir" || exit 1
failed=0

# score MODE SELECT TOPOLOGY: the job_score backfill logs for job C.
score() {
	local mode=$1 select=$2 topo=$3 a b c i s=""
	cluster_init "$top_dir/$mode" || cluster_fail "cluster_init"
	cluster_gen_fabric 8 2 1 8 || cluster_fail "cluster_gen_fabric"
	CLUSTER_DEBUG_FLAGS=Backfill CLUSTER_CTLD_DEBUG=verbose \
		cluster_write_conf "$select" "$topo" \
		"SchedulerParameters=sched_interval=1,bf_interval=1,bf_topopt_enable" ||
		cluster_fail "cluster_write_conf"
	cluster_start || cluster_fail "$mode: the cluster did not come up"
	a=$(cluster_submit -w n01 -N1 --exclusive --time=5 --wrap='sleep 600') &&
		b=$(cluster_submit -w n05 -N1 --exclusive --time=10 --wrap='sleep 600') ||
		cluster_fail "$mode: submit A, B"
	cluster_wait_state "$a" RUNNING 30 && cluster_wait_state "$b" RUNNING 30 ||
		cluster_fail "$mode: A and B do not run"
	c=$(cluster_submit -N7 --exclusive --time=5 --wrap='sleep 600') ||
		cluster_fail "$mode: submit C"
	for ((i = 0; i < 30; i++)); do
		sleep 1
		s=$(sed -n "s/.*JobId=$c add slot:0 .* job_score:\([0-9]*\).*/\1/p" \
			"$(cluster_log_ctld)" | tail -n 1)
		[ -n "$s" ] && break
	done
	echo "${s:-none}"
	cluster_stop >/dev/null 2>&1
	trap - EXIT
}

read -r tp_select tp_topo < <(cluster_topopack_stack)
check "stock (topology/tree): job_score of C's slot" \
	"$(score stock select/cons_tres topology/tree)" 0
check "topopack: job_score of C's slot" \
	"$(score topopack "$tp_select" "$tp_topo")" 1
exit "$failed"
