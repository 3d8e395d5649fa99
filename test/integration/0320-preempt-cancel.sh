#!/usr/bin/env bash
#
# 0320-preempt-cancel DIR - preemption with PreemptMode=CANCEL on the
# low partition: the same cluster and fill as 0300 (16 nodes of 8 GPUs,
# 4 leaves of 4 nodes, preempt/partition_prio), then a 4-node x 8-GPU
# job in "high". Checked with select/topopack:
#  - the high job runs on the 4 nodes of one leaf;
#  - one plan was logged and the jobs that ended are exactly the plan's,
#    cancelled by preemption (state PREEMPTED or CANCELLED, never
#    requeued: Restarts=0);
#  - every other low job is still running.
#
# topopack is select/topopack on 22.05, topology/topopack under
# select/cons_tres from 24.11 on (preempt_stack in preempt-lib.sh).
# Slurm releases: 22.05 24.11+
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/preempt-lib.sh"
preempt_test "$@"

mapfile -t conf < <(partition_prio CANCEL)
preempt_cluster topopack topopack 16 4 2 "${conf[@]}"

mapfile -t lows < <(fill) || true
[ "${#lows[@]}" -eq 30 ] || cluster_fail "fill jobs (${#lows[@]} of 30 ran)"
sleep 3
high=$(cluster_submit -p high -N 4 --gpus-per-node=8 -J pulse \
	--wrap='sleep 600') || cluster_fail "submit high"
if cluster_wait_state "$high" RUNNING 30; then
	ok "high job runs"
else
	not_ok "high job not running within 30 s (state $(cluster_job_state "$high"))"
fi
high_nodes=$(expand "$(cluster_job_nodes "$high")")
check "high job: nodes" "$(wc -w <<<"${high_nodes//,/ }")" 4
check "high job: leaves spanned" "$(leaves_of "$high_nodes" | tr ',' '\n' | wc -l)" 1

log=$(cluster_log_ctld)
check "plans logged for JobId=$high" \
	"$(grep -c "topopack: preempt JobId=[0-9,]* for JobId=$high " "$log")" 1
planned=$(sed -n "s/.*topopack: preempt JobId=\([0-9,]*\) for JobId=$high .*/\1/p" "$log" |
	head -n 1 | tr ',' '\n' | sort -n | paste -sd, -)
[ -n "$planned" ] || not_ok "no job preempted"

ended=""
for j in "${lows[@]}"; do
	s=$(cluster_job_state "$j")
	r=$(restarts "$j")
	if [ "$s" = RUNNING ]; then
		continue
	fi
	ended=$ended${ended:+,}$j
	case "$s" in
	PREEMPTED | CANCELLED) ;;
	*) not_ok "JobId=$j: state $s, expected PREEMPTED or CANCELLED" ;;
	esac
	[ "${r:-0}" -eq 0 ] || not_ok "JobId=$j was requeued (Restarts=$r) under CANCEL"
done
ended=$(tr ',' '\n' <<<"$ended" | sort -n | paste -sd, -)
check "jobs ended = the plan's" "$ended" "$planned"

cluster_stop || cluster_fail "cluster_stop left daemons"
trap - EXIT
exit "$failed"
