#!/usr/bin/env bash
#
# 0200-select-pack DIR - SelectType=select/topopack against stock
# select/cons_tres on a real cluster: 16 nodes of 8 GPUs under 4 leaf
# switches of 4 nodes (n01-n04 leaf1, ... n13-n16 leaf4), NVLink domains
# of 2 nodes (n01-n02 nvl1, n03-n04 nvl2, ...), one spine.
#
# The same submissions run twice, once with select/cons_tres and once
# with select/topopack, both with TopologyPlugin=topology/tree (the
# topopack plugins stay in PluginDir for the stock run, where
# select/topopack must stay idle), and a third time with select/topopack
# and topology/topopack. Every job is submitted
# once the one before it runs, so each placement is exact:
#
#  1. leaves: three 3-node jobs fill n01-03, n05-07, n09-11; a job of
#     --gpus=16 then fits one leaf (two nodes of leaf4), but stock Slurm
#     counts nodes, fills the leaf with the fewest usable nodes first and
#     spreads it over n04 and n08 (two leaves). topopack: n13-n14, 8
#     GPUs on each; "sbatch --test-only" (WILL_RUN) names the same nodes.
#     Then a job without GPUs takes every CPU of n13-n14: topopack still
#     sees their GPUs free, cons_tres refuses them, and the placement's
#     leaf is offered next: n15-n16 (stock: n04 and n08 again).
#  2. NVLink domains: on an idle cluster a 1-node job takes n01, then a
#     2-node job: stock takes n02-n03 (domains nvl1 and nvl2), topopack
#     n03-n04 (all of nvl2).
#  3. --switches=1: with leaves 1-3 as in 1, a --gpus=16 --switches=1 job
#     runs at once in leaf4 with topopack; stock only finds the 2-leaf
#     pick and keeps it pending. A 5-node --switches=1 job can never fit
#     a 4-node leaf: pending with both (its wait is 10 minutes).
#  4. reservation: "scontrol create reservation NodeCnt=4" with leaves
#     1-3 partly busy gets the 4 nodes of leaf4 (n13-n16), with both.
#  5. restart: slurmctld is restarted while the three fill jobs of 3
#     run; they keep running on the same nodes, and a new --gpus=16 job
#     is placed as in 1 (topopack works from the restored state, whose
#     job records carry select/topopack's plugin id).
# With select/topopack every started job's placement is logged as
# "topopack: JobId=N nodes=... leaves=L domains=D max_hops=H
# busbw=B.BGB/s efficiency=E.EE" (E between 0.00 and 1.00) and shown as
# the job's system comment (SystemComment);
# the user's Comment stays empty.
#
# select/topopack exists for 22.05 only: from 24.11 on topopack places
# jobs as a topology plugin under the stock select/cons_tres.
# Slurm releases: 22.05
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../cluster/cluster.sh"
# shellcheck source=placement-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/placement-lib.sh"

cluster_check_prereqs || exit 77
cluster_need_plugin select_topopack
cluster_need_plugin topology_topopack
top_dir=${1:?usage: $0 DIR}
mkdir -p "$top_dir" || exit 1

failed=0
mode=""		# stock or topopack, the run going on
declare -A seen	# "mode case" -> result, for the summary

# gpus_per_node JOB: GPUs on each of the job's nodes, comma separated.
gpus_per_node() {
	local list n h
	scontrol show job -d "$1" |
		sed -n 's/^ *Nodes=\([^ ]*\) .*GRES=gpu[^(]*:\([0-9]*\)(IDX.*/\1 \2/p' |
		while read -r list n; do
			for h in $(scontrol show hostnames "$list"); do
				echo "$n"
			done
		done | paste -sd, -
}

# The job's system comment (slurmctld's, where the report goes), or
# "(null)".
comment_of() {
	local c
	c=$(scontrol show job "$1" | sed -n 's/^ *SystemComment=\(.*\) *$/\1/p')
	echo "${c:-(null)}"
}

# The user's comment, which the report must leave alone.
user_comment_of() {
	squeue -h -j "$1" -o %k
}

# The placement quality figures that end a report line: bus bandwidth in
# GB/s with one decimal, efficiency in [0, 1] with two; then the end of
# the line, or the blank scontrol pads SystemComment with.
quality_re=' busbw=[0-9]+\.[0-9]GB/s efficiency=(0\.[0-9][0-9]|1\.00)( |$)'

# The placement line of a job, from the comment and from the log.
check_report() {
	local job=$1 nodes=$2 leaves=$3 domains=$4 hops=$5 comment line re
	comment=$(comment_of "$job")
	line="topopack: JobId=$job nodes=$nodes leaves=$leaves domains=$domains max_hops=$hops"
	if [ "$mode" = stock ]; then
		expect "job $job comment" "$comment" "(null)" ""
		return
	fi
	expect "job $job user comment" "$(user_comment_of "$job")" "(null)" "(null)"
	# The line's fixed part, with regex metacharacters escaped.
	re="$(printf '%s' "$line" | sed -e 's/[.*^$[]/\\&/g' -e 's/]/\\]/g')$quality_re"
	if [[ $comment =~ ^$re ]]; then
		expect "job $job comment" ok ok ok
	else
		expect "job $job comment" "$comment" "" "$line busbw=...GB/s efficiency=..."
	fi
	if grep -qE "$re" "$(cluster_log_ctld)"; then
		expect "job $job log line" ok ok ok
	else
		expect "job $job log line" missing ok ok
	fi
}

# run_sequence MODE SELECT TOPOLOGY: every case on a new cluster.
run_sequence() {
	local select=$2 topo=$3 f1 f2 f3 fill c j k r s4 s5 before after res

	mode=$1
	echo "# $mode: SelectType=$select TopologyPlugin=$topo"
	cluster_init "$top_dir/$mode" || cluster_fail "cluster_init"
	cluster_gen_fabric 16 4 2 8 || cluster_fail "cluster_gen_fabric"
	cluster_write_conf "$select" "$topo" ||
		cluster_fail "cluster_write_conf"
	cluster_start || cluster_fail "$mode: the cluster did not come up"

	# 1. leaves
	fill=$(fill_three_leaves) || cluster_fail "$mode: fill jobs"
	read -r f1 f2 f3 <<<"$(echo $fill)"
	expect "fill 1" "$(cluster_job_nodes "$f1")" n01,n02,n03 n01,n02,n03
	expect "fill 2" "$(cluster_job_nodes "$f2")" n05,n06,n07 n05,n06,n07
	expect "fill 3" "$(cluster_job_nodes "$f3")" n09,n10,n11 n09,n10,n11
	expect "--gpus=16 --test-only after fill" "$(test_only --gpus=16)" \
		n04,n08 n13,n14
	j=$(run_job --gpus=16 -J leaves) || cluster_fail "$mode: --gpus=16"
	expect "--gpus=16 after fill" "$(cluster_job_nodes "$j")" \
		n04,n08 n13,n14
	expect "--gpus=16 GPUs per node" "$(gpus_per_node "$j")" 8,8 8,8
	check_report "$j" "n[13-14]" 1 1 2
	cancel "$j" || cluster_fail "$mode: cancel"

	# 1b. widening: the CPUs of n13-n14 are taken by a job without GPUs,
	# so cons_tres cannot use the GPUs topopack sees free there; the
	# placement's leaf is offered next.
	c=$(run_job -N 2 -w n13,n14 --ntasks-per-node=8 -J cpus) ||
		cluster_fail "$mode: CPU job"
	j=$(run_job --gpus=16 -J widen) || cluster_fail "$mode: --gpus=16"
	expect "--gpus=16 beside a CPU job on n13-n14" \
		"$(cluster_job_nodes "$j")" n04,n08 n15,n16
	check_report "$j" "n[15-16]" 1 1 2
	cancel "$f1" "$f2" "$f3" "$c" "$j" || cluster_fail "$mode: cancel"
	cluster_wait_idle 60 || cluster_fail "$mode: not idle after 1"

	# 2. NVLink domains
	k=$(run_job -N 1 --gpus-per-node=8 -J one) || cluster_fail "$mode: 1 node"
	expect "1 node on idle cluster" "$(cluster_job_nodes "$k")" n01 n01
	j=$(run_job -N 2 --gpus-per-node=8 -J domain) ||
		cluster_fail "$mode: 2 nodes"
	expect "2 nodes after 1" "$(cluster_job_nodes "$j")" n02,n03 n03,n04
	check_report "$j" "n[03-04]" 1 1 2
	cancel "$k" "$j" || cluster_fail "$mode: cancel"
	cluster_wait_idle 60 || cluster_fail "$mode: not idle after 2"

	# 3. --switches=1
	fill=$(fill_three_leaves) || cluster_fail "$mode: fill jobs"
	read -r f1 f2 f3 <<<"$(echo $fill)"
	s4=$(cluster_submit --gpus=16 --switches=1@10:00 -J switch1 \
		--wrap='sleep 1000') || cluster_fail "$mode: --switches=1"
	sleep 8
	expect "--gpus=16 --switches=1 after fill" \
		"$(cluster_job_state "$s4") $(cluster_job_nodes "$s4")" \
		"PENDING " "RUNNING n13,n14"
	cancel "$s4" || cluster_fail "$mode: cancel"
	s5=$(pending_job -N 5 --gpus-per-node=8 --switches=1@10:00 -J switch5)
	expect "-N 5 --switches=1" "$(cluster_job_state "$s5")" PENDING PENDING
	cancel "$s5" || cluster_fail "$mode: cancel"

	# 4. reservation, leaves 1-3 still partly busy
	res=$(scontrol create reservation ReservationName=tp4 NodeCnt=4 \
		StartTime=now Duration=10 Users=root 2>&1)
	echo "# $res"
	r=$(scontrol -o show reservation tp4 | tr ' ' '\n' |
		sed -n 's/^Nodes=//p')
	r=$(scontrol show hostnames "$r" 2>/dev/null | sort -V | paste -sd, -)
	expect "reservation NodeCnt=4" "$r" n13,n14,n15,n16 n13,n14,n15,n16
	scontrol delete reservation tp4 || cluster_fail "$mode: delete reservation"

	# 5. restart while the fill jobs run
	before="$(cluster_job_nodes "$f1") $(cluster_job_nodes "$f2") $(cluster_job_nodes "$f3")"
	cluster_restart_ctld || cluster_fail "$mode: slurmctld restart"
	sleep 3
	after="$(cluster_job_state "$f1") $(cluster_job_state "$f2") $(cluster_job_state "$f3")"
	expect "fill jobs after restart" "$after" \
		"RUNNING RUNNING RUNNING" "RUNNING RUNNING RUNNING"
	after="$(cluster_job_nodes "$f1") $(cluster_job_nodes "$f2") $(cluster_job_nodes "$f3")"
	expect "fill nodes after restart" "$after" "$before" "$before"
	j=$(run_job --gpus=16 -J afterrestart) ||
		cluster_fail "$mode: --gpus=16 after restart"
	expect "--gpus=16 after restart" "$(cluster_job_nodes "$j")" \
		n04,n08 n13,n14
	check_report "$j" "n[13-14]" 1 1 2

	# The client commands work through the plugin (job and node records
	# are cons_tres's, tagged with the SelectType's id).
	sinfo -h -N -o '%N %t %G' >/dev/null || cluster_fail "$mode: sinfo"
	scontrol show node n01 >/dev/null || cluster_fail "$mode: scontrol"
	squeue >/dev/null || cluster_fail "$mode: squeue"

	# 6. A reconfigure reads the fabric's files once, whichever of the
	# two plugins reads them (the topology plugin, or select/topopack
	# under topology/tree).
	r=$(grep -c "topopack: reading" "$(cluster_log_ctld)")
	scontrol reconfigure || cluster_fail "$mode: scontrol reconfigure"
	sleep 3
	r=$(($(grep -c "topopack: reading" "$(cluster_log_ctld)") - r))
	expect "fabric files read at a reconfigure" "$r" 0 1

	if [ "$mode" = stock ]; then
		# select/topopack is in PluginDir but must have stayed idle.
		if grep -q 'topopack: JobId=\|select/topopack: .*fabric' \
			"$(cluster_log_ctld)"; then
			expect "select/topopack idle" active idle idle
		else
			expect "select/topopack idle" idle idle idle
		fi
	fi
	# DebugFlags=SelectType: the live state is compared with a recount
	# before every placement, restart included.
	expect "live state = recount" \
		"$(grep -c "differs from a recount" "$(cluster_log_ctld)")" 0 0
	cluster_stop || cluster_fail "$mode: cluster_stop left daemons"
	trap - EXIT
}

export CLUSTER_DEBUG_FLAGS=SelectType
run_sequence stock select/cons_tres topology/tree
run_sequence topopack select/topopack topology/tree
# With topology/topopack as well: the same placements.
run_sequence topopack+topo select/topopack topology/topopack

echo "# case: stock | topopack | topopack+topology/topopack"
for key in "${!seen[@]}"; do
	case $key in stock\ *) ;; *) continue ;; esac
	printf '#   %s: %s | %s | %s\n' "${key#stock }" "${seen[$key]}" \
		"${seen[topopack ${key#stock }]:-}" \
		"${seen[topopack+topo ${key#stock }]:--}"
done | sort
exit "$failed"
