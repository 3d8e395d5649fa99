#!/usr/bin/env bash
#
# 0310-preempt-grace DIR - preemption with select/topopack when the
# victims take time to go: the plan is held while they drain, and
# dropped when it goes stale. The cluster of 0300-preempt (16 nodes of
# 8 GPUs under 4 leaf switches of 4 nodes, n01-n04 leaf1, ...,
# PreemptType=preempt/partition_prio, PreemptMode=REQUEUE), with
# GraceTime=20 on the "low" partition. The low jobs trap SIGTERM and
# then take 30 s to clean up, so they outlast the grace time: each is
# still there when the grace time ends, and Slurm requeues it then.
#
# Case 1, grace: the cluster is filled with low jobs, then a 4-node x
# 8-GPU job is submitted to "high". Checked:
#  - slurmctld logged exactly one plan for it ("topopack: preempt
#    JobId=A,B,... for JobId=H nodes=..."): no second round of victims
#    while the first drains;
#  - 5 s after the plan the high job still waits and its victims still
#    run (their grace time); it then starts on exactly the nodes of
#    that plan, one leaf;
#  - the held plan was reused and never dropped;
#  - the victims, and only they, were requeued (Restarts>=1) and run
#    again once the high job is cancelled.
#
# Case 2, staleness: the cluster full again, a second high job is
# submitted; as soon as its plan is logged (its victims are in their
# grace time), one of the plan's nodes is drained (scontrol update
# state=drain). Checked:
#  - slurmctld logged "preemption plan for JobId=H2 dropped: node X is
#    not usable";
#  - the job starts on 4 nodes of one leaf, without X, on the nodes of
#    the plan made after the drop.
#
# topopack is select/topopack on 22.05, topology/topopack under
# select/cons_tres from 24.11 on (preempt_stack in preempt-lib.sh).
# Slurm releases: 22.05 24.11+
#
set -uo pipefail

# A low job: on SIGTERM it cleans up for 30 s, longer than GraceTime.
LOW_WRAP='trap "echo SIGTERM; sleep 30; exit 0" TERM; sleep 600 & wait; wait'
. "$(dirname "${BASH_SOURCE[0]}")/preempt-lib.sh"
preempt_test "$@"

# requeued JOB...: the jobs with Restarts >= 1, sorted, comma separated.
requeued() {
	local j r
	for j in "$@"; do
		r=$(restarts "$j")
		[ "${r:-0}" -ge 1 ] && echo "$j"
	done | sort -n | paste -sd, -
}

# plan_lines JOB: slurmctld's plan lines for JOB.
plan_lines() {
	grep "topopack: preempt JobId=[0-9,]* for JobId=$1 " "$log"
}

# plan_victims LINE / plan_nodes LINE: of one plan line.
plan_victims() {
	sed -n 's/.*topopack: preempt JobId=\([0-9,]*\) for .*/\1/p' <<<"$1" |
		tr ',' '\n' | sort -n | paste -sd, -
}
plan_nodes() {
	expand "$(sed -n 's/.* nodes=\([^ ]*\) .*/\1/p' <<<"$1")"
}

# wait_plan JOB: until slurmctld logs JOB's first plan (30 s).
wait_plan() {
	local i
	for ((i = 0; i < 60; i++)); do
		[ -n "$(plan_lines "$1")" ] && return 0
		sleep 0.5
	done
	return 1
}

# wait_high JOB TIMEOUT: until JOB runs; sets waited (-1: it did not).
wait_high() {
	local t0=$SECONDS
	waited=-1
	while [ $((SECONDS - t0)) -lt "$2" ]; do
		if [ "$(cluster_job_state "$1")" = RUNNING ]; then
			waited=$((SECONDS - t0))
			return 0
		fi
		sleep 1
	done
	return 1
}

mapfile -t conf < <(partition_prio REQUEUE GraceTime=20)
CLUSTER_DEBUG_FLAGS=SelectType CLUSTER_CTLD_DEBUG=verbose \
	preempt_cluster topopack topopack 16 4 2 "${conf[@]}"
log=$(cluster_log_ctld)

#
# Case 1: the plan is held while its victims use their grace time.
#
echo "# case 1: GraceTime=20, victims take 30 s to exit"
mapfile -t lows < <(fill) || true
[ "${#lows[@]}" -eq 30 ] || cluster_fail "fill jobs (${#lows[@]} of 30 ran)"
sleep 3
t_submit=$SECONDS
high=$(cluster_submit -p high -N 4 --gpus-per-node=8 -J pulse \
	--wrap='sleep 600') || cluster_fail "submit high"
wait_plan "$high" || cluster_fail "no plan logged for JobId=$high"
sleep 5
# 5 s into their grace time the victims still hold their nodes.
draining_state=$(cluster_job_state "$high")
draining_victims="" not_running=0
for j in $(plan_victims "$(plan_lines "$high" | head -n 1)" | tr ',' ' '); do
	s=$(cluster_job_state "$j")
	draining_victims+="$j:$s "
	[ "$s" = RUNNING ] || not_running=$((not_running + 1))
done
wait_high "$high" 150 && waited=$((SECONDS - t_submit))
high_nodes=$(cluster_job_nodes "$high")
echo "# high JobId=$high $(cluster_job_state "$high") after ${waited}s on $high_nodes (leaf $(leaves_of "$high_nodes"))"
plan_lines "$high" | sed 's/^/# /'
grep "preemption plan for JobId=$high \|JobId=$high: held preemption plan" "$log" |
	sed -n '1p;$p' | sed 's/^/# /'

[ "$waited" -ge 0 ] && ok "high job runs after ${waited}s" ||
	not_ok "high job not running within 150 s (state $(cluster_job_state "$high") Reason=$(reason "$high"))"
[ "$waited" -ge 15 ] && ok "high job waited for its victims' grace time" ||
	not_ok "high job started after ${waited}s, before its victims' grace time ended"
check "plans logged for JobId=$high" "$(plan_lines "$high" | wc -l)" 1
first=$(plan_lines "$high" | head -n 1)
planned=$(plan_victims "$first")
check "high job: nodes = the first plan's" "$high_nodes" "$(plan_nodes "$first")"
check "high job: leaves spanned" "$(leaves_of "$high_nodes" | tr ',' '\n' | grep -c .)" 1
if grep -q "JobId=$high: held preemption plan" "$log"; then
	ok "held plan reused for JobId=$high"
else
	not_ok "no held plan reused for JobId=$high"
fi
if grep -q "preemption plan for JobId=$high dropped" "$log"; then
	not_ok "the plan of JobId=$high was dropped: $(grep "preemption plan for JobId=$high dropped" "$log" | head -n 1)"
fi
if grep -q "topopack: JobId=$high: Slurm preempts" "$log"; then
	not_ok "Slurm's preemptee list differs from the plan"
fi
[ -n "$planned" ] || not_ok "no job preempted"
check "jobs requeued = the plan's" "$(requeued "${lows[@]}")" "$planned"
check "high job 5 s after its plan" "$draining_state" PENDING
if [ -n "$draining_victims" ] && [ "$not_running" -eq 0 ]; then
	ok "victims still running 5 s into their grace time"
else
	not_ok "victims 5 s after the plan: $draining_victims (expected all RUNNING)"
fi
# The victims: requeued, pending until the high job ends, then again.
check_requeued_rerun "$high" "$planned"

#
# Case 2: a plan node drained while the victims drain: the plan is
# dropped and the job goes to a compact block elsewhere.
#
echo "# case 2: a node of the held plan drained"
sleep 3
high2=$(cluster_submit -p high -N 4 --gpus-per-node=8 -J pulse2 \
	--wrap='sleep 600') || cluster_fail "submit high2"
wait_plan "$high2" || cluster_fail "no plan logged for JobId=$high2"
first2=$(plan_lines "$high2" | head -n 1)
nodes2=$(plan_nodes "$first2")
drained=${nodes2%%,*}
state2=$(cluster_job_state "$high2")
scontrol update nodename="$drained" state=drain reason=test ||
	not_ok "scontrol update nodename=$drained state=drain"
echo "# first plan: $first2"
echo "# drained $drained while JobId=$high2 is $state2"
check "JobId=$high2 pending when the node is drained" "$state2" PENDING
wait_high "$high2" 150
high2_nodes=$(cluster_job_nodes "$high2")
echo "# high2 JobId=$high2 $(cluster_job_state "$high2") after ${waited}s on $high2_nodes (leaf $(leaves_of "$high2_nodes"))"
plan_lines "$high2" | sed 's/^/# /'
grep "preemption plan for JobId=$high2 dropped" "$log" | sed 's/^/# /'

[ "$waited" -ge 0 ] && ok "high2 job runs after ${waited}s" ||
	not_ok "high2 job not running within 150 s (state $(cluster_job_state "$high2") Reason=$(reason "$high2"))"
if grep -q "preemption plan for JobId=$high2 dropped: node $drained is not usable" "$log"; then
	ok "the plan of JobId=$high2 was dropped: node $drained is not usable"
else
	not_ok "no 'preemption plan for JobId=$high2 dropped: node $drained is not usable' logged"
fi
case ",$high2_nodes," in
*",$drained,"*) not_ok "high2 job runs on the drained node $drained" ;;
*) ok "high2 job is not on the drained node $drained" ;;
esac
check "high2 job: nodes" "$(wc -w <<<"${high2_nodes//,/ }")" 4
check "high2 job: leaves spanned" "$(leaves_of "$high2_nodes" | tr ',' '\n' | grep -c .)" 1
last2=$(plan_lines "$high2" | tail -n 1)
check "high2 job: nodes = the last plan's" "$high2_nodes" "$(plan_nodes "$last2")"

scancel "$high2"
cluster_stop || cluster_fail "cluster_stop left daemons"
trap - EXIT
exit "$failed"
