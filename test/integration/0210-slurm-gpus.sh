#!/usr/bin/env bash
#
# 0210-slurm-gpus DIR - topopack with GPUs only where a site puts them:
# slurm.conf Gres=gpu:h100:8 and gres.conf, topology.conf, and no
# topopack.conf at all. The same submissions run on stock Slurm
# (select/cons_tres + topology/tree) and on topopack: on 22.05 with
# select/topopack over topology/tree (select/topopack reads topology.conf
# itself) and over topology/topopack (the topology plugin reads it,
# select/topopack takes the shared fabric and gives it Slurm's GPU
# counts); from 24.11 on with topology/topopack under select/cons_tres.
#
# 8 nodes of 8 GPUs under 2 leaves (n01-n04, n05-n08), partitions "low"
# (preempted with REQUEUE) and "high".
#  1. Packing: n01 idle, n02 with 4 GPUs in use, n03-n08 full. A 4-GPU
#     job fits on both; stock takes n01 (first in index order) and the
#     next 8-GPU job waits; topopack takes the half-used n02 and the
#     8-GPU job runs on n01.
#  2. Preemption: leaf 1 holds four whole-node low jobs started first,
#     leaf 2 four started 20 s later. A 4-node high job preempts the
#     younger leaf under topopack (least work lost), on one leaf.
#  3. A topopack.conf that gives n03 4 GPUs: "scontrol reconfigure" logs
#     the difference once for n03 and Slurm's 8 GPUs are used (from 24.11
#     on, where a reconfigure restarts slurmctld and the fabric takes
#     Slurm's counts at the first placement, once a job is submitted).
# On 22.05 the log never shows the live allocation state differing from
# a recount (DebugFlags=SelectType checks before every placement).
#
# Slurm releases: 22.05 24.11+
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../cluster/cluster.sh"

cluster_check_prereqs || exit 77
read -r tp_select tp_topo < <(cluster_topopack_stack)
[ "$tp_select" = select/cons_tres ] || cluster_need_plugin select_topopack
cluster_need_plugin topology_topopack
top_dir=${1:?usage: $0 DIR}
mkdir -p "$top_dir" || exit 1

failed=0

. "$(dirname "${BASH_SOURCE[0]}")/preempt-lib.sh"

# whole JOB...: wait until every job runs.
whole() {
	wait_running "$@" || cluster_fail "$mode: fill jobs did not run"
}

# run MODE SELECT TOPOLOGY: both scenarios on a new cluster; sets the
# results.
run() {
	local select=$2 topology=$3 j low_old=() low_young=()
	mode=$1
	echo "# $mode: SelectType=$select TopologyPlugin=$topology, no topopack.conf"
	cluster_init "$top_dir/$mode" || cluster_fail "cluster_init"
	CLUSTER_TOPOPACK_CONF=none cluster_gen_fabric 8 2 1 8 ||
		cluster_fail "cluster_gen_fabric"
	[ -e "$CLUSTER_DIR/etc/topopack.conf" ] &&
		cluster_fail "a topopack.conf was written"
	mapfile -t conf < <(partition_prio REQUEUE)
	cluster_write_conf "$select" "$topology" "${conf[@]}" ||
		cluster_fail "cluster_write_conf"
	cluster_start || cluster_fail "$mode: the cluster did not come up"

	# 1. packing
	fills=()
	for j in 03 04 05 06 07 08; do
		fills+=("$(cluster_submit -p low -w n$j -N1 --gpus-per-node=8 \
			--wrap='sleep 600')")
	done
	fills+=("$(cluster_submit -p low -w n02 -N1 --gpus-per-node=4 \
		--wrap='sleep 600')")
	whole "${fills[@]}"
	four=$(cluster_submit -p low -N1 --gpus-per-node=4 --wrap='sleep 600')
	cluster_wait_state "$four" RUNNING 30 || cluster_fail "$mode: 4-GPU job"
	four_nodes=$(cluster_job_nodes "$four")
	eight=$(cluster_submit -p low -N1 --gpus-per-node=8 --wrap='sleep 600')
	sleep 8
	eight_state=$(cluster_job_state "$eight")
	eight_nodes=$(cluster_job_nodes "$eight")
	echo "# $mode: 4-GPU job on $four_nodes; 8-GPU job $eight_state on ${eight_nodes:-none}"
	scancel "${fills[@]}" "$four" "$eight"
	for j in "${fills[@]}" "$four" "$eight"; do
		cluster_wait_state "$j" "CANCELLED|COMPLETED" 60 >/dev/null 2>&1
	done
	sleep 3

	# 2. preemption: leaf 1 first, leaf 2 20 s later
	for j in 01 02 03 04; do
		low_old+=("$(cluster_submit -p low -w n$j -N1 --exclusive \
			--gpus-per-node=8 --wrap='sleep 600')")
	done
	whole "${low_old[@]}"
	sleep 20
	for j in 05 06 07 08; do
		low_young+=("$(cluster_submit -p low -w n$j -N1 --exclusive \
			--gpus-per-node=8 --wrap='sleep 600')")
	done
	whole "${low_young[@]}"
	sleep 5
	high=$(cluster_submit -p high -N 4 --gpus-per-node=8 \
		--wrap='sleep 600') || cluster_fail "$mode: submit high"
	cluster_wait_state "$high" RUNNING 60 || cluster_fail "$mode: high job"
	high_nodes=$(expand "$(cluster_job_nodes "$high")")
	old_hit=$(preempted_among "${low_old[@]}")
	young_hit=$(preempted_among "${low_young[@]}")
	echo "# $mode: high job on $high_nodes; preempted: old ${old_hit:-none}, young ${young_hit:-none}"
	young_ids=$(printf '%s\n' "${low_young[@]}" | sort | paste -sd, -)
}

# topopack_checks: what select/topopack must have done in the run just
# made, then 3. on its cluster, which it stops.
topopack_checks() {
	local log
	log=$(cluster_log_ctld)
	check "$mode: 4-GPU job on the half-used node" "$four_nodes" n02
	check "$mode: 8-GPU job" "$eight_state $eight_nodes" "RUNNING n01"
	check "$mode: high job on the younger leaf" "$high_nodes" \
		"n05,n06,n07,n08"
	check "$mode: preempted: the younger leaf's jobs" "$young_hit" \
		"$young_ids"
	check "$mode: preempted: none of the older leaf" "${old_hit:-none}" \
		none
	grep -q "GPUs from slurm.conf/gres.conf" "$log" &&
		ok "$mode: fabric line: GPUs from slurm.conf/gres.conf" ||
		not_ok "$mode: no fabric line naming slurm.conf/gres.conf"
	grep -q "fabric: 8 nodes, 64 GPUs" "$log" &&
		ok "$mode: fabric: 64 GPUs from Slurm" ||
		not_ok "$mode: fabric GPU count"

	# 3. a topopack.conf that disagrees with Slurm on n03
	echo "NodeName=n03 Gpus=4" >"$CLUSTER_DIR/etc/topopack.conf"
	scontrol reconfigure || not_ok "$mode: scontrol reconfigure"
	sleep 3
	if [ "$tp_select" = select/cons_tres ]; then
		cluster_submit -p low -N1 --gpus-per-node=1 \
			--wrap='sleep 600' >/dev/null ||
			not_ok "$mode: submit after reconfigure"
		sleep 3
	fi
	check "$mode: difference logged once for n03" \
		"$(grep -c "topopack: node n03: topopack.conf gives 4 GPUs, Slurm 8 of type h100 (slurm.conf/gres.conf); Slurm's are used" "$log")" 1
	check "$mode: no other node logged" \
		"$(grep -c "topopack: node n0[^3]: topopack.conf gives" "$log")" 0
	grep -q "fabric: 8 nodes, 64 GPUs" "$log" ||
		not_ok "$mode: fabric count after reconfigure"
	# select/topopack's live state (22.05); from 24.11 on each call's
	# offer is the state.
	[ "$tp_select" = select/topopack ] &&
		check "$mode: live state never differed from a recount" \
			"$(grep -c "differs from a recount" "$log")" 0

	cluster_stop || cluster_fail "$mode: cluster_stop left daemons"
	trap - EXIT
}

run stock select/cons_tres topology/tree
cluster_stop || cluster_fail "stock: cluster_stop left daemons"
trap - EXIT

if [ "$tp_select" = select/topopack ]; then
	CLUSTER_DEBUG_FLAGS=SelectType run topopack select/topopack \
		topology/tree
	topopack_checks
fi
CLUSTER_DEBUG_FLAGS=SelectType run topopack+topo "$tp_select" "$tp_topo"
topopack_checks
exit "$failed"
