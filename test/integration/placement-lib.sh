# test/integration/placement-lib.sh - what the placement tests share
# (0200, 0220, 0230, and the preemption tests through preempt-lib.sh):
# TAP-like checks, a check of each case against the stack's expectation,
# jobs that run, stay pending or are cancelled and gone, and the fill of
# three leaves. Sourced by a test after test/cluster/cluster.sh; the test
# sets failed and, for expect, mode (the stack being run: stock or
# another) and the associative array seen, which expect fills for the
# test's summary.
#
# shellcheck shell=bash

# expect CASE ACTUAL STOCK TOPOPACK: compare with this run's expectation.
expect() {
	local case=$1 got=$2 want
	if [ "$mode" = stock ]; then want=$3; else want=$4; fi
	seen["$mode $case"]=$got
	if [ "$got" = "$want" ]; then
		echo "ok - $mode: $case: $got"
	else
		echo "not ok - $mode: $case: got '$got', expected '$want'"
		failed=1
	fi
}

# run_job ARG...: submit, wait until it runs; prints the job id.
run_job() {
	local job
	job=$(cluster_submit "$@" --wrap='sleep 1000') || return 1
	cluster_wait_state "$job" RUNNING 60 || return 1
	echo "$job"
}

# pending_job ARG...: submit, check that it is still pending after a
# few scheduling and backfill cycles; prints the job id.
pending_job() {
	local job state
	job=$(cluster_submit "$@" --wrap='sleep 1000') || return 1
	sleep 8
	state=$(cluster_job_state "$job")
	echo "$job"
	[ "$state" = PENDING ]
}

# cancel JOB...: cancel and wait until they are gone from the nodes.
cancel() {
	scancel "$@"
	wait_gone "$@"
}

# wait_gone JOB...: wait (30 s) until none of the jobs is pending or runs.
wait_gone() {
	local end=$((SECONDS + 30)) j busy
	while :; do
		busy=0
		for j in "$@"; do
			case $(cluster_job_state "$j") in
			RUNNING|COMPLETING|PENDING|CONFIGURING) busy=1 ;;
			esac
		done
		[ "$busy" -eq 0 ] && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.3
	done
}

# test_only ARG...: the nodes "sbatch --test-only" names (WILL_RUN).
test_only() {
	local out list
	out=$(cd "$CLUSTER_DIR/jobs" && sbatch --test-only "$@" \
		--wrap=true 2>&1)
	list=$(sed -n 's/.* on nodes \([^ ]*\) .*/\1/p' <<<"$out")
	[ -n "$list" ] || { echo "($out)"; return; }
	scontrol show hostnames "$list" | sort -V | paste -sd, -
}

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

# Three 3-node jobs filling three leaves but one node each.
fill_three_leaves() {
	local j
	for j in 1 2 3; do
		run_job -N 3 --gpus-per-node=8 -J fill$j || return 1
	done
}
