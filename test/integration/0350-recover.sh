#!/usr/bin/env bash
#
# 0350-recover DIR - a job that loses a node restarts on its own leaf
# (the recovery hold, recover_hold.h), asked for by its partition's
# default (topopack.conf "PartitionName=normal Recover=yes").
#
# 8 nodes of 8 GPUs under 2 leaves (n01-n04 leaf1, n05-n08 leaf2),
# PreemptType=preempt/partition_prio: "normal" (PriorityTier=10, never
# preempted) and "scavenger" (PriorityTier=1, PreemptMode=REQUEUE);
# JobRequeue=1, AuthInfo=cred_expire=30, ReturnToService=1 (so that a
# node set DOWN by hand stays down; the test clusters' default of 2
# returns it as soon as its slurmd answers). A scavenger job holds n04,
# normal jobs n05 and n06, scavenger jobs n07 and n08; a 3-node x 8-GPU
# job in "normal" with --requeue then gets the free n01-n03, and two more
# one-node scavenger jobs wait. n02 is set DOWN: Slurm requeues the job,
# which may not start before its credential window (30 s) is over.
#
# A job of "normal" without any option, checked:
#  - slurmctld logs "topopack: JobId=J recovering: holding nodes=n[01,03]
#    failed=n02";
#  - no other job runs on n01 or n03 before the job runs again, though
#    scavenger jobs wait for nodes;
#  - the job runs again within 60 s of the failure, on n01,n03,n04
#    (leaf1 only), having preempted at most one job (the scavenger job of
#    n04), and "recovered" is logged.
# With --topopack-recover=no (the same scenario, after n02 is resumed),
# the job behaves as under stock Slurm, checked:
#  - nothing is held for it (no "recovering" line);
#  - it stays pending for at least the credential window;
#  - a waiting scavenger job takes one of its freed nodes meanwhile.
# Where it runs again then is printed, not checked.
#
# Slurm releases: 22.05 24.11+
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/preempt-lib.sh"
preempt_test "$@"

so=$(cluster_spank_plugin) ||
	{ echo "SKIP: no spank_topopack.so in TOPOPACK_PLUGIN_DIR" >&2; exit 77; }

CRED_EXPIRE=30
plugstack=$(cd "$top_dir" && pwd)/plugstack.conf
echo "optional $so" >"$plugstack"
# The recovery traces are SelectType lines at verbose level.
CLUSTER_DEBUG_FLAGS=${CLUSTER_DEBUG_FLAGS:-SelectType}
CLUSTER_CTLD_DEBUG=${CLUSTER_CTLD_DEBUG:-verbose}
export CLUSTER_DEBUG_FLAGS CLUSTER_CTLD_DEBUG
# preempt_cluster, with the recovery default of "normal" in topopack.conf.
read -r select topo < <(preempt_stack topopack)
cluster_init "$top_dir/recover" || cluster_fail "cluster_init"
cluster_gen_fabric 8 2 1 8 || cluster_fail "cluster_gen_fabric"
echo "PartitionName=normal Recover=yes" >>"$CLUSTER_DIR/etc/topopack.conf"
cluster_write_conf "$select" "$topo" \
	"PreemptType=preempt/partition_prio" \
	"PreemptMode=REQUEUE" \
	"JobRequeue=1" \
	"ReturnToService=1" \
	"AuthInfo=cred_expire=$CRED_EXPIRE" \
	"PartitionName=scavenger Nodes=ALL PriorityTier=1 PreemptMode=REQUEUE MaxTime=INFINITE State=UP" \
	"PartitionName=normal Nodes=ALL PriorityTier=10 PreemptMode=OFF MaxTime=INFINITE State=UP" \
	"PlugStackConfig=$plugstack" || cluster_fail "cluster_write_conf"
cluster_start || cluster_fail "the cluster did not come up"
log=$(cluster_log_ctld)

# one_node PARTITION NODE: a job of 8 GPUs on NODE, running; prints its id.
one_node() {
	local j
	j=$(cluster_submit -p "$1" --requeue -w "$2" -N 1 --gpus-per-node=8 \
		-J "$1-$2" --wrap='sleep 600') || return 1
	cluster_wait_state "$j" RUNNING 60 || return 1
	echo "$j"
}

# others_on JOB NODES: ids of running or completing jobs other than JOB
# on any of NODES (comma separated), with their nodes.
others_on() {
	local job=$1 want=$2 id list h
	while read -r id list; do
		[ "$id" = "$job" ] && continue
		for h in $(expand "$list" | tr ',' ' '); do
			case ",$want," in *",$h,"*)
				echo "$id($list)"
				break ;;
			esac
		done
	done < <(timeout 15 squeue -h -t R,CG -o '%A %N' 2>/dev/null)
}

# scenario OPTION...: the workload with the big job submitted with
# OPTION...; sets big, fail_at, back_after (seconds to run again, -1: not
# within 90 s), intruders (jobs seen on its surviving nodes meanwhile),
# first_other (seconds until the first one), preempted (scavenger jobs
# requeued) and nodes (where it runs again).
scenario() {
	local s4 n5 n6 s7 s8 w1 w2 i state seen
	s4=$(one_node scavenger n04) && n5=$(one_node normal n05) &&
		n6=$(one_node normal n06) && s7=$(one_node scavenger n07) &&
		s8=$(one_node scavenger n08) || cluster_fail "fill"
	big=$(cluster_submit -p normal --requeue -N 3 --gpus-per-node=8 \
		-J big "$@" --wrap='sleep 600') || cluster_fail "submit big"
	cluster_wait_state "$big" RUNNING 60 || cluster_fail "big job does not run"
	check "big job first runs on" "$(cluster_job_nodes "$big")" \
		"n01,n02,n03"
	w1=$(cluster_submit -p scavenger --requeue -N 1 --gpus-per-node=8 \
		-J wait1 --wrap='sleep 600') &&
		w2=$(cluster_submit -p scavenger --requeue -N 1 \
			--gpus-per-node=8 -J wait2 --wrap='sleep 600') ||
		cluster_fail "submit waiting scavenger jobs"
	sleep 3
	check "scavenger jobs wait" \
		"$(cluster_job_state "$w1") $(cluster_job_state "$w2")" \
		"PENDING PENDING"
	scontrol update nodename=n02 state=down reason=test ||
		cluster_fail "scontrol update n02 down"
	fail_at=$SECONDS
	echo "# n02 set DOWN; JobId=$big state $(cluster_job_state "$big")"
	intruders="" first_other=-1 back_after=-1
	for ((i = 0; i < 90; i++)); do
		state=$(cluster_job_state "$big")
		if [ "$state" = RUNNING ] && [ "$(restarts "$big")" -ge 1 ]; then
			back_after=$((SECONDS - fail_at))
			break
		fi
		seen=$(others_on "$big" n01,n03)
		if [ -n "$seen" ]; then
			[ "$first_other" -lt 0 ] &&
				first_other=$((SECONDS - fail_at))
			intruders=$(printf '%s\n' $intruders $seen | sort -u |
				paste -sd' ' -)
		fi
		sleep 1
	done
	nodes=$(cluster_job_nodes "$big")
	preempted=$(preempted_among "$s4" "$s7" "$s8")
	waiting="$w1:$(cluster_job_state "$w1"),Restarts=$(restarts "$w1")"
	waiting+=" $w2:$(cluster_job_state "$w2"),Restarts=$(restarts "$w2")"
	echo "# waiting scavenger jobs now: $waiting"
	echo "# JobId=$big ran again after ${back_after} s on ${nodes:-?};" \
		"other jobs on n01/n03 meanwhile: ${intruders:-none};" \
		"running scavenger jobs preempted: ${preempted:-none}" \
		"(n04 $s4, n07 $s7, n08 $s8, waiting $w1 $w2; normal $n5 $n6)"
	scavengers_n04=$s4
}

# cleanup: every job cancelled, n02 back, the cluster idle.
cleanup() {
	scancel -u "$(id -un)" 2>/dev/null
	scontrol update nodename=n02 state=resume >/dev/null 2>&1
	cluster_wait_idle 90 || cluster_fail "cluster not idle after the scenario"
}

# 1. Recovering by its partition's default.
scenario
line=$(grep "topopack: JobId=$big recovering: " "$log" | head -n 1)
echo "# ${line:-no recovering line}"
check "held nodes" \
	"$(sed -n 's/.* holding nodes=\([^ ]*\) .*/\1/p' <<<"$line")" "n[01,03]"
check "failed nodes" "$(sed -n 's/.* failed=\([^ ]*\) .*/\1/p' <<<"$line")" \
	"n02"
check "other jobs on n01/n03 before it ran again" "${intruders:-none}" none
if [ "$back_after" -ge 0 ] && [ "$back_after" -le 60 ]; then
	ok "runs again after $back_after s (at most 60)"
else
	not_ok "runs again after $back_after s, expected 0 to 60"
fi
check "runs again on" "$nodes" "n01,n03,n04"
check "leaves" "$(leaves_of "$nodes")" "1"
check "jobs preempted (at most the scavenger job of n04)" \
	"$(tr ',' '\n' <<<"$preempted" | grep -vx "$scavengers_n04" | grep -c .)" 0
line=$(grep "topopack: JobId=$big recovered: " "$log" | head -n 1)
echo "# ${line:-no recovered line}"
[ -n "$line" ] && ok "recovered logged" || not_ok "no recovered line"
cleanup

# 2. Declining it: as stock Slurm.
scenario --topopack-recover=no
check "recovering lines for JobId=$big" \
	"$(grep -c "topopack: JobId=$big recovering" "$log")" 0
if [ "$back_after" -lt 0 ] || [ "$back_after" -ge $((CRED_EXPIRE - 1)) ]; then
	ok "pending for the credential window: runs again after $back_after s"
else
	not_ok "ran again after $back_after s, before cred_expire=$CRED_EXPIRE"
fi
if [ -n "$intruders" ]; then
	ok "nothing held: $intruders took its freed nodes after $first_other s"
else
	not_ok "no other job took n01/n03 while it waited"
fi
echo "# with --topopack-recover=no it runs again on ${nodes:-nothing}" \
	"(leaves $(leaves_of "$nodes")), running scavenger jobs" \
	"preempted: ${preempted:-none}"
cleanup

cluster_stop || cluster_fail "cluster_stop left daemons"
trap - EXIT
exit "$failed"
