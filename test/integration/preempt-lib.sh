# test/integration/preempt-lib.sh - what the preemption tests share:
# their prologue and cluster, TAP-like checks, job fields, leaves of
# nodes, the low-priority fill and the partition_prio configuration.
# Sourced first by each test (it sources test/cluster/cluster.sh), which
# then calls preempt_test with its arguments. The caller may set LOW_WRAP
# before, the command of every low job (default: sleep 600).
#
# shellcheck shell=bash

# shellcheck source=../cluster/cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/../cluster/cluster.sh"
# shellcheck source=placement-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/placement-lib.sh"

LOW_WRAP=${LOW_WRAP:-sleep 600}

# preempt_stack STACK: "SELECT TOPOLOGY" of a preemption test's cluster:
# stock is select/cons_tres + topology/tree; topopack is select/topopack
# + topology/tree on 22.05, select/cons_tres + topology/topopack from
# 24.11 on (where the topology plugin places, preemption included).
preempt_stack() {
	case $1 in
	stock) echo "select/cons_tres topology/tree" ;;
	topopack)
		if cluster_release_at_least 24.11; then
			cluster_topopack_stack
		else
			echo "select/topopack topology/tree"
		fi ;;
	*) cluster_fail "preempt_stack: no stack '$1'" ;;
	esac
}

# preempt_test DIR: the prologue of a preemption test: skip it (exit 77)
# unless a cluster with topopack's placing plugin can run here, make DIR,
# its work directory (top_dir), and count no failure yet (failed=0).
preempt_test() {
	cluster_check_prereqs || exit 77
	if cluster_release_at_least 24.11; then
		cluster_need_plugin topology_topopack
	else
		cluster_need_plugin select_topopack
	fi
	top_dir=${1:?usage: $0 DIR}
	mkdir -p "$top_dir" || exit 1
	failed=0
}

# preempt_cluster NAME STACK NODES LEAVES NODES_PER_DOMAIN [LINE...]: a
# new cluster in $top_dir/NAME, on the fabric cluster_gen_fabric makes of
# NODES nodes of 8 GPUs under LEAVES leaves, with the plugins of STACK
# (stock or topopack, see preempt_stack) and the slurm.conf LINEs,
# started; the test fails when it does not come up.
preempt_cluster() {
	local name=$1 select topo nodes=$3 leaves=$4 nvl=$5
	read -r select topo < <(preempt_stack "$2")
	shift 5
	cluster_init "$top_dir/$name" || cluster_fail "cluster_init"
	cluster_gen_fabric "$nodes" "$leaves" "$nvl" 8 ||
		cluster_fail "cluster_gen_fabric"
	cluster_write_conf "$select" "$topo" "$@" ||
		cluster_fail "cluster_write_conf"
	cluster_start || cluster_fail "$name: the cluster did not come up"
}

restarts() {
	_cluster_job_field "$1" Restarts
}

reason() {
	_cluster_job_field "$1" Reason
}

# leaf_of NODE: leaf switch number of node nNN (4 nodes per leaf).
leaf_of() {
	local n=${1#n}
	echo $(((10#$n - 1) / 4 + 1))
}

# leaves_of n01,n02,...: the distinct leaves, comma separated.
leaves_of() {
	local h
	for h in ${1//,/ }; do
		leaf_of "$h"
	done | sort -un | paste -sd, -
}

# expand HOSTLIST: the nodes, sorted, comma separated.
expand() {
	[ -n "$1" ] || return 0
	timeout 15 scontrol show hostnames "$1" | sort -V | paste -sd, -
}

wait_running() {
	local j
	for j in "$@"; do
		cluster_wait_state "$j" RUNNING 60 || return 1
	done
}

# seconds_to_run JOB: the seconds (polled every second, at most 60) until
# JOB runs, or -1.
seconds_to_run() {
	local i
	for ((i = 0; i < 60; i++)); do
		[ "$(cluster_job_state "$1")" = RUNNING ] && { echo "$i"; return; }
		sleep 1
	done
	echo -1
}

# _low COUNT NODES GPUS: submit COUNT low jobs of NODES x GPUS; prints ids.
_low() {
	local i
	for ((i = 0; i < $1; i++)); do
		cluster_submit -p low --requeue -N "$2" --gpus-per-node="$3" \
			-J "low$2x$3" --wrap="$LOW_WRAP" || return 1
	done
}

# fill: the low jobs, in three waves a few seconds apart (so their run
# times differ), each running before the next; prints their ids.
fill() {
	local wave=()
	mapfile -t wave < <(_low 2 2 8; _low 4 1 8)
	[ "${#wave[@]}" -eq 6 ] && wait_running "${wave[@]}" || return 1
	printf '%s\n' "${wave[@]}"
	sleep 4
	mapfile -t wave < <(_low 8 1 4)
	[ "${#wave[@]}" -eq 8 ] && wait_running "${wave[@]}" || return 1
	printf '%s\n' "${wave[@]}"
	sleep 4
	mapfile -t wave < <(_low 16 1 2)
	[ "${#wave[@]}" -eq 16 ] && wait_running "${wave[@]}" || return 1
	printf '%s\n' "${wave[@]}"
}

# preempted_among JOB...: those of the jobs that were preempted (Restarts >= 1,
# or not running), sorted, comma separated.
preempted_among() {
	local j r s
	for j in "$@"; do
		r=$(restarts "$j")
		s=$(cluster_job_state "$j")
		if [ "${r:-0}" -ge 1 ] || [ "$s" != RUNNING ]; then
			echo "$j"
		fi
	done | sort -n | paste -sd, -
}

# partition_prio MODE [LOW-OPTION...]: the slurm.conf lines the
# partition_prio tests share: partition "low" (PriorityTier=1, preempted
# with MODE, plus the options given) and "high" (PriorityTier=10, never
# preempted), both over all nodes.
partition_prio() {
	local mode=$1
	shift
	echo "PreemptType=preempt/partition_prio"
	echo "PreemptMode=$mode"
	[ "$mode" = REQUEUE ] && echo "JobRequeue=1"
	echo "AuthInfo=cred_expire=10"
	echo "PartitionName=low Nodes=ALL PriorityTier=1 PreemptMode=$mode${*:+ $*} MaxTime=INFINITE State=UP"
	echo "PartitionName=high Nodes=ALL PriorityTier=10 PreemptMode=OFF MaxTime=INFINITE State=UP"
}

# check_requeued_rerun HIGH JOBS: JOBS (comma separated) are requeued and
# pending while HIGH runs, and run again once HIGH is cancelled.
check_requeued_rerun() {
	local high=$1 planned=$2 j r s again=1

	for j in ${planned//,/ }; do
		r=$(restarts "$j")
		s=$(cluster_job_state "$j")
		if [ "${r:-0}" -ge 1 ] && [ "$s" = PENDING ]; then
			ok "JobId=$j requeued: $s Reason=$(reason "$j") Restarts=$r"
		else
			not_ok "JobId=$j: state $s Restarts=${r:-?}, expected PENDING, Restarts>=1"
		fi
	done
	scancel "$high"
	for j in ${planned//,/ }; do
		if ! cluster_wait_state "$j" RUNNING 120; then
			again=0
			not_ok "JobId=$j did not run again: $(cluster_job_state "$j") Reason=$(reason "$j")"
		fi
	done
	[ "$again" -eq 1 ] && [ -n "$planned" ] &&
		ok "the preempted jobs run again after the high job is cancelled"
}
