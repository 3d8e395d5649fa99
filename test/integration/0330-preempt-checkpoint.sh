#!/usr/bin/env bash
#
# 0330-preempt-checkpoint DIR - a job that declares its checkpoint
# interval (sbatch --topopack-checkpoint=SECONDS, from the SPANK plugin)
# loses only the time since its last checkpoint when preempted, and the
# planner weighs it so.
#
# 8 nodes of 8 GPUs under 2 leaves (n01-n04 leaf1, n05-n08 leaf2),
# PreemptType=preempt/partition_prio, low jobs requeued. Four "old" low
# jobs hold leaf1 whole and checkpoint every 5 s; 15 s later four
# "young" low jobs take leaf2, with no checkpoint; 12 s after that a
# 4-node x 8-GPU job comes in "high". Preempting leaf2 would lose at
# least 4 x 8 GPUs x 12 s = 384 GPU-seconds, leaf1 at most 4 x 8 x 5 =
# 160: the high job must get n[01-04], and the plan must say so. Without
# the checkpoint, the young leaf would be the cheaper one.
#
# topopack is select/topopack on 22.05, topology/topopack under
# select/cons_tres from 24.11 on (preempt_stack in preempt-lib.sh).
# Slurm releases: 22.05 24.11+
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/preempt-lib.sh"
preempt_test "$@"

so=$(cluster_spank_plugin) ||
	{ echo "SKIP: no spank_topopack.so in TOPOPACK_PLUGIN_DIR" >&2; exit 77; }

# Beside the cluster's directory (which preempt_cluster makes), with a
# full path: the daemons and sbatch read it wherever they run.
plugstack=$(cd "$top_dir" && pwd)/plugstack.conf
echo "optional $so" >"$plugstack"
mapfile -t conf < <(partition_prio REQUEUE)
preempt_cluster topopack topopack 8 2 1 "${conf[@]}" \
	"PlugStackConfig=$plugstack"

# A bad interval is refused by sbatch itself.
if cluster_submit -p low --topopack-checkpoint=soon --wrap=true >/dev/null 2>&1; then
	not_ok "--topopack-checkpoint=soon accepted"
else
	ok "--topopack-checkpoint=soon refused"
fi

old=()
for n in n01 n02 n03 n04; do
	old+=("$(cluster_submit -p low --requeue -w "$n" -N 1 --gpus-per-node=8 \
		--topopack-checkpoint=5 -J old --wrap='sleep 600')") ||
		cluster_fail "submit old"
done
wait_running "${old[@]}" || cluster_fail "old jobs do not run"
sleep 15
young=()
for n in n05 n06 n07 n08; do
	young+=("$(cluster_submit -p low --requeue -w "$n" -N 1 --gpus-per-node=8 \
		-J young --wrap='sleep 600')") || cluster_fail "submit young"
done
wait_running "${young[@]}" || cluster_fail "young jobs do not run"
sleep 12

high=$(cluster_submit -p high -N 4 --gpus-per-node=8 -J pulse \
	--wrap='sleep 600') || cluster_fail "submit high"
if cluster_wait_state "$high" RUNNING 30; then
	ok "high job runs"
else
	not_ok "high job not running within 30 s (state $(cluster_job_state "$high"))"
fi
check "high job: nodes" "$(expand "$(cluster_job_nodes "$high")")" \
	"n01,n02,n03,n04"

log=$(cluster_log_ctld)
line=$(grep "topopack: preempt JobId=[0-9,]* for JobId=$high " "$log" | head -n 1)
echo "# $line"
planned=$(sed -n 's/.*topopack: preempt JobId=\([0-9,]*\) for .*/\1/p' <<<"$line" |
	tr ',' '\n' | sort -n | paste -sd, -)
check "plan: the checkpointing jobs" "$planned" \
	"$(printf '%s\n' "${old[@]}" | sort -n | paste -sd, -)"
lost=$(sed -n 's/.*lost_gpu_seconds=\([0-9.]*\).*/\1/p' <<<"$line")
if [ -n "$lost" ] && awk -v l="$lost" 'BEGIN { exit !(l <= 160) }'; then
	ok "plan loses $lost GPU-seconds (at most 160)"
else
	not_ok "plan loses '${lost:-?}' GPU-seconds, expected at most 160"
fi
for j in "${young[@]}"; do
	[ "$(cluster_job_state "$j")" = RUNNING ] ||
		not_ok "young JobId=$j: $(cluster_job_state "$j")"
done

cluster_stop || cluster_fail "cluster_stop left daemons"
trap - EXIT
exit "$failed"
