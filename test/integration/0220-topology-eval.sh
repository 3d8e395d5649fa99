#!/usr/bin/env bash
#
# 0220-topology-eval DIR - topology/topopack choosing nodes for stock
# select/cons_tres (Slurm 24.11 and later, topology_p_eval_nodes) against
# stock topology/tree, on a real cluster: 16 nodes of 8 GPUs under 4 leaf
# switches of 4 nodes (n01-n04 leaf1, ... n13-n16 leaf4), NVLink domains
# of 2 nodes (n01-n02 nvl1, n03-n04 nvl2, ...), one spine.
#
# The same submissions run on both stacks; every job is submitted once
# the one before it runs, so each placement is exact:
#
#  1. leaves: three 3-node jobs fill n01-03, n05-07, n09-11; a --gpus=16
#     job then fits one leaf (two nodes of leaf4): topopack n13-n14,
#     "sbatch --test-only" naming the same nodes; stock counts nodes and
#     spreads it over two leaves. With every CPU of n13-n14 taken by a
#     job without GPUs, cons_tres does not offer them and topopack takes
#     n15-n16.
#  2. NVLink domains: on an idle cluster a 1-node job takes n01, then a
#     2-node job: topopack n03-n04 (all of nvl2), stock n02-n03 (nvl1 and
#     nvl2).
#  3. --switches=1: with leaves 1-3 as in 1, a --gpus=16 --switches=1 job
#     runs at once in leaf4 with topopack, while stock keeps it pending;
#     a 5-node --switches=1 job can never fit a 4-node leaf: pending with
#     both.
#  4. restart: slurmctld is restarted while the three fill jobs of 3 run;
#     they keep running on the same nodes, and a new --gpus=16 job is
#     placed as in 1.
#  5. The client commands work through the plugin (sinfo, squeue,
#     scontrol show node and show topology, the latter giving
#     topology/tree's switch table).
#  6. topopack only: "scontrol reconfigure" with an unknown key on line 3
#     of topopack.conf fails; slurmctld's log says file:line, and Slurm
#     keeps the running slurmctld (a reconfigure restarts it from 23.11
#     on), which still places jobs. Once the file is fixed, the
#     reconfigure goes through.
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
mode=""		# stock or topopack, the run going on
declare -A seen	# "mode case" -> result, for the summary

# run_sequence MODE SELECT TOPOLOGY: every case on a new cluster.
run_sequence() {
	local select=$2 topo=$3 f1 f2 f3 fill c j k s4 s5 before after

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
		"$STOCK_GPUS16" n13,n14
	j=$(run_job --gpus=16 -J leaves) || cluster_fail "$mode: --gpus=16"
	expect "--gpus=16 after fill" "$(cluster_job_nodes "$j")" \
		"$STOCK_GPUS16" n13,n14
	cancel "$j" || cluster_fail "$mode: cancel"
	c=$(run_job -N 2 -w n13,n14 --ntasks-per-node=8 -J cpus) ||
		cluster_fail "$mode: CPU job"
	j=$(run_job --gpus=16 -J cpusbusy) || cluster_fail "$mode: --gpus=16"
	expect "--gpus=16 beside a CPU job on n13-n14" \
		"$(cluster_job_nodes "$j")" "$STOCK_GPUS16" n15,n16
	cancel "$f1" "$f2" "$f3" "$c" "$j" || cluster_fail "$mode: cancel"
	cluster_wait_idle 60 || cluster_fail "$mode: not idle after 1"

	# 2. NVLink domains
	k=$(run_job -N 1 --gpus-per-node=8 -J one) || cluster_fail "$mode: 1 node"
	expect "1 node on idle cluster" "$(cluster_job_nodes "$k")" n01 n01
	j=$(run_job -N 2 --gpus-per-node=8 -J domain) ||
		cluster_fail "$mode: 2 nodes"
	expect "2 nodes after 1" "$(cluster_job_nodes "$j")" n02,n03 n03,n04
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

	# 4. restart while the fill jobs run
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
		"$STOCK_GPUS16" n13,n14

	# 5. client commands, through the plugin
	sinfo -h -N -o '%N %t %G' >/dev/null || cluster_fail "$mode: sinfo"
	scontrol show node n01 >/dev/null || cluster_fail "$mode: scontrol"
	squeue >/dev/null || cluster_fail "$mode: squeue"
	expect "scontrol show topology, first line" \
		"$(scontrol show topology | head -n 1 | awk '{ print $1, $2, $NF }')" \
		"SwitchName=leaf1 Level=0 Nodes=n[01-04]" \
		"SwitchName=leaf1 Level=0 Nodes=n[01-04]"
	[ "$mode" = topopack ] && bad_file
	cluster_stop || cluster_fail "$mode: cluster_stop left daemons"
	trap - EXIT
}

# 6. a reconfigure with a broken topopack.conf
bad_file() {
	local conf=$CLUSTER_DIR/etc/topopack.conf log j
	log=$(cluster_log_ctld)
	cp "$conf" "$conf.good"
	{ head -n 2 "$conf.good"; echo "Frobnicate=yes"; tail -n +3 "$conf.good"; } >"$conf"
	if scontrol reconfigure 2>/dev/null; then
		expect "reconfigure with a broken file" accepted refused refused
	else
		expect "reconfigure with a broken file" refused refused refused
	fi
	sleep 2
	grep -q "fatal: $conf:3: " "$log" &&
		expect "file:line in the log" yes yes yes ||
		expect "file:line in the log" no yes yes
	grep -q "reconfigure failed" "$log" &&
		expect "running slurmctld kept" yes yes yes ||
		expect "running slurmctld kept" no yes yes
	j=$(run_job --gpus=16 -J afterbadfile) ||
		cluster_fail "$mode: no job runs after a refused reconfigure"
	expect "--gpus=16 after a refused reconfigure" \
		"$(cluster_job_nodes "$j")" "$STOCK_GPUS16" n15,n16
	mv "$conf.good" "$conf"
	scontrol reconfigure && expect "reconfigure, file fixed" ok ok ok ||
		expect "reconfigure, file fixed" failed ok ok
}

# What stock topology/tree does with the --gpus=16 job of case 1 (on
# 24.11.5 and 26.05.3 as on 22.05): two leaves, as it counts nodes, not
# GPUs, and fills the leaf with the fewest usable nodes first.
STOCK_GPUS16=n04,n08

read -r tp_select tp_topo < <(cluster_topopack_stack)
run_sequence stock select/cons_tres topology/tree
run_sequence topopack "$tp_select" "$tp_topo"

echo "# case: stock | topopack"
for key in "${!seen[@]}"; do
	case $key in stock\ *) ;; *) continue ;; esac
	printf '#   %s: %s | %s\n' "${key#stock }" "${seen[$key]}" \
		"${seen[topopack ${key#stock }]:-}"
done | sort
exit "$failed"
