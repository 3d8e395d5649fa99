#!/usr/bin/env bash
#
# 0300-preempt DIR - topology-aware preemption with select/topopack on a
# real cluster: 16 nodes of 8 GPUs under 4 leaf switches of 4 nodes
# (n01-n04 leaf1, ... n13-n16 leaf4), PreemptType=preempt/partition_prio.
#
# Partitions over all nodes: "low" (PriorityTier=1, PreemptMode=REQUEUE)
# and "high" (PriorityTier=10, PreemptMode=OFF). The cluster is filled
# with low jobs of mixed sizes (sleep 600, --requeue) in three waves a few
# seconds apart, so their run times differ; then a 4-node x 8-GPU job is
# submitted to "high". Checked with select/topopack:
#  - the high job runs within a few scheduling cycles;
#  - on the 4 nodes of one leaf;
#  - slurmctld logged one plan, "topopack: preempt JobId=A,B,... for
#    JobId=H ...", and the jobs preempted are exactly the plan's: they,
#    and no other low job, were requeued (PENDING, Restarts>=1), and no
#    second round of jobs was preempted;
#  - until it starts, later scheduling calls reuse the held plan
#    (SelectType debug line "held preemption plan") and never drop it;
#  - the requeued jobs run again once the high job is cancelled.
# The same workload then runs with stock select/cons_tres, whose choice
# is printed for comparison (not checked), unless TOPOPACK_TEST_STOCK=0.
#
# topopack is select/topopack on 22.05, topology/topopack under
# select/cons_tres from 24.11 on (preempt_stack in preempt-lib.sh).
# Slurm releases: 22.05 24.11+
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/preempt-lib.sh"
preempt_test "$@"

# run MODE STACK: the workload on a new cluster; sets lows, high.
run() {
	local mode=$1 stack=$2 state nodes
	echo "# $mode: $(preempt_stack "$stack")"
	mapfile -t conf < <(partition_prio REQUEUE)
	preempt_cluster "$mode" "$stack" 16 4 2 "${conf[@]}"

	mapfile -t lows < <(fill) || true
	[ "${#lows[@]}" -eq 30 ] || cluster_fail "$mode: fill jobs (${#lows[@]} of 30 ran)"
	sleep 3
	high=$(cluster_submit -p high -N 4 --gpus-per-node=8 -J pulse \
		--wrap='sleep 600') || cluster_fail "$mode: submit high"
	high_started=$(seconds_to_run "$high")
	state=$(cluster_job_state "$high")
	nodes=$(cluster_job_nodes "$high")
	high_nodes=$nodes
	echo "# $mode: high JobId=$high state=$state after ${high_started}s nodes=$nodes leaf=$(leaves_of "$nodes")"
	preempted=$(preempted_among "${lows[@]}")
	echo "# $mode: preempted JobId=$preempted"
}

# Stock select/cons_tres first, for comparison only.
if [ "${TOPOPACK_TEST_STOCK:-1}" != 0 ]; then
	run stock stock
	stock_preempted=$preempted
	stock_nodes=$high_nodes
	cluster_stop || cluster_fail "stock: cluster_stop left daemons"
	trap - EXIT
fi

# SelectType debug lines (at verbose level) show the held plan reused.
CLUSTER_DEBUG_FLAGS=SelectType CLUSTER_CTLD_DEBUG=verbose \
	run topopack topopack
log=$(cluster_log_ctld)

[ "$high_started" -ge 0 ] && [ "$high_started" -le 30 ] &&
	ok "high job runs after ${high_started}s" ||
	not_ok "high job not running within 30 s (state $(cluster_job_state "$high"))"
check "high job: nodes" "$(wc -w <<<"${high_nodes//,/ }")" 4
check "high job: leaves spanned" "$(leaves_of "$high_nodes" | tr ',' '\n' | wc -l)" 1

plans=$(grep -c "topopack: preempt JobId=[0-9,]* for JobId=$high " "$log")
check "plans logged for JobId=$high" "$plans" 1
planned=$(sed -n "s/.*topopack: preempt JobId=\([0-9,]*\) for JobId=$high .*/\1/p" "$log" |
	head -n 1 | tr ',' '\n' | sort -n | paste -sd, -)
grep "topopack: preempt JobId=\|preemption plan\|Slurm preempts" "$log" | sed 's/^/# /'
check "jobs preempted = the plan's" "$preempted" "$planned"
check "live state = recount before every placement" \
	"$(grep -c "differs from a recount" "$log")" 0
[ -n "$planned" ] || not_ok "no job preempted"
if grep -q "topopack: JobId=$high: Slurm preempts" "$log"; then
	not_ok "Slurm's preemptee list differs from the plan"
fi

# Between preemption and start the plan was held, not made again.
if grep -q "JobId=$high: held preemption plan" "$log"; then
	ok "held plan reused for JobId=$high"
else
	not_ok "no held plan reused for JobId=$high"
fi
if grep -q "preemption plan for JobId=$high dropped" "$log"; then
	not_ok "the plan of JobId=$high was dropped"
fi

# The victims: requeued, pending until the high job ends, then again.
check_requeued_rerun "$high" "$planned"

echo "# comparison: stock select/cons_tres preempted JobId=${stock_preempted:-not run}" \
	"high on ${stock_nodes:-?} (leaf $(leaves_of "${stock_nodes:-}"));" \
	"select/topopack preempted JobId=$planned high on $high_nodes" \
	"(leaf $(leaves_of "$high_nodes"))"
cluster_stop || cluster_fail "topopack: cluster_stop left daemons"
trap - EXIT
exit "$failed"
