# test/integration/preempt-lib.sh - what the preemption tests share:
# TAP-like checks, job fields, leaves of nodes, and the low-priority fill.
# Sourced after test/cluster/cluster.sh; the caller sets failed=0 and
# may set LOW_WRAP, the command of every low job (default: sleep 600).
#
# shellcheck shell=bash

LOW_WRAP=${LOW_WRAP:-sleep 600}

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }

# check NAME GOT WANT
check() {
	if [ "$2" = "$3" ]; then
		ok "$1: $2"
	else
		not_ok "$1: got '$2', expected '$3'"
	fi
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

# fill: the low jobs, in three waves; prints their ids.
fill() {
	local jobs=() wave=() i j
	for i in 1 2; do
		wave+=("$(cluster_submit -p low --requeue -N 2 \
			--gpus-per-node=8 -J low2x8 --wrap="$LOW_WRAP")") || return 1
	done
	for i in 1 2 3 4; do
		wave+=("$(cluster_submit -p low --requeue -N 1 \
			--gpus-per-node=8 -J low1x8 --wrap="$LOW_WRAP")") || return 1
	done
	wait_running "${wave[@]}" || return 1
	jobs+=("${wave[@]}")
	wave=()
	sleep 4
	for i in $(seq 8); do
		wave+=("$(cluster_submit -p low --requeue -N 1 \
			--gpus-per-node=4 -J low1x4 --wrap="$LOW_WRAP")") || return 1
	done
	wait_running "${wave[@]}" || return 1
	jobs+=("${wave[@]}")
	wave=()
	sleep 4
	for i in $(seq 16); do
		wave+=("$(cluster_submit -p low --requeue -N 1 \
			--gpus-per-node=2 -J low1x2 --wrap="$LOW_WRAP")") || return 1
	done
	wait_running "${wave[@]}" || return 1
	jobs+=("${wave[@]}")
	for j in "${jobs[@]}"; do
		echo "$j"
	done
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
