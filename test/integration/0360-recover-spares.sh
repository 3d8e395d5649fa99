#!/usr/bin/env bash
#
# 0360-recover-spares DIR - spare nodes (topopack.conf Spares=) keep a
# recovering job's replacement on its own leaf, one preemption away.
#
# 8 nodes of 8 GPUs under 2 leaves (n01-n04 leaf1, n05-n08 leaf2) with
# "SwitchName=leafN Spares=1": the spares are n04 and n08, the last node
# of each leaf. PreemptType=preempt/partition_prio: "normal"
# (PriorityTier=10, PreemptMode=OFF: may not use spares) and "scavenger"
# (PriorityTier=1, PreemptMode=REQUEUE: may); JobRequeue=1,
# AuthInfo=cred_expire=30, ReturnToService=1 (as 0350).
#
# Normal jobs hold n05, n06 and n07; a 3-node x 8-GPU normal job with
# --requeue gets n01-n03. Checked:
#  - slurmctld logs the spares n[04,08];
#  - with only the spares idle, a one-node normal job stays PENDING;
#  - scavenger jobs then run on the spares n04 and n08;
#  - n02 set DOWN: the job runs again within 60 s of the failure, on
#    n01,n03,n04 (leaf1), having preempted exactly the scavenger job of
#    n04 (the one of n08 runs on), with "recovered" logged and no other
#    job on n01/n03 meanwhile.
# Without --topopack-recover (the same workload, after n02 is resumed):
#  - nothing is held (no "recovering" line), it stays pending for the
#    credential window, and a waiting scavenger job takes a node it left,
#    as under stock Slurm;
#  - being a normal job it is never given a spare: where it is 90 s
#    after the failure (pending, or nodes without n04 and n08) is checked.
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
CLUSTER_DEBUG_FLAGS=${CLUSTER_DEBUG_FLAGS:-SelectType}
CLUSTER_CTLD_DEBUG=${CLUSTER_CTLD_DEBUG:-verbose}
export CLUSTER_DEBUG_FLAGS CLUSTER_CTLD_DEBUG

# preempt_cluster, with one spare per leaf in topopack.conf.
read -r select topo < <(preempt_stack topopack)
cluster_init "$top_dir/spares" || cluster_fail "cluster_init"
cluster_gen_fabric 8 2 1 8 || cluster_fail "cluster_gen_fabric"
printf 'SwitchName=leaf%d Spares=1\n' 1 2 >>"$CLUSTER_DIR/etc/topopack.conf"
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

# others_on JOB NODES: running or completing jobs other than JOB on any
# of NODES (comma separated), as "id(nodes)".
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
# OPTION...; sets big, back_after (seconds to run again, -1: not within
# 90 s), intruders, first_other, preempted (of the spares' scavenger
# jobs), nodes, s4, s8 and normal_state.
scenario() {
	local n5 n6 n7 x w1 i state seen
	n5=$(one_node normal n05) && n6=$(one_node normal n06) &&
		n7=$(one_node normal n07) || cluster_fail "fill"
	big=$(cluster_submit -p normal --requeue -N 3 --gpus-per-node=8 \
		-J big "$@" --wrap='sleep 600') || cluster_fail "submit big"
	cluster_wait_state "$big" RUNNING 60 || cluster_fail "big job does not run"
	check "big job first runs on" "$(cluster_job_nodes "$big")" \
		"n01,n02,n03"

	# Only the spares are idle: a normal job may not have them.
	x=$(cluster_submit -p normal -N 1 --gpus-per-node=8 -J normal-x \
		--wrap='sleep 600') || cluster_fail "submit normal-x"
	sleep 5
	normal_state="$(cluster_job_state "$x") $(cluster_job_nodes "$x")"
	check "normal job with only the spares idle" "$normal_state" "PENDING "
	scancel "$x"

	s4=$(one_node scavenger n04) && s8=$(one_node scavenger n08) ||
		cluster_fail "scavenger jobs on the spares"
	ok "scavenger jobs run on the spares: $s4 on n04, $s8 on n08"
	w1=$(cluster_submit -p scavenger --requeue -N 1 --gpus-per-node=8 \
		-J wait1 --wrap='sleep 600') || cluster_fail "submit wait1"
	sleep 3
	check "a further scavenger job waits" "$(cluster_job_state "$w1")" \
		PENDING

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
	preempted=$(preempted_among "$s4" "$s8")
	echo "# JobId=$big ran again after ${back_after} s on ${nodes:-?};" \
		"other jobs on n01/n03 meanwhile: ${intruders:-none};" \
		"scavenger jobs on the spares preempted: ${preempted:-none}" \
		"(n04 $s4, n08 $s8; waiting $w1; normal $n5 $n6 $n7)"
}

cleanup() {
	scancel -u "$(id -un)" 2>/dev/null
	scontrol update nodename=n02 state=resume >/dev/null 2>&1
	cluster_wait_idle 90 || cluster_fail "cluster not idle after the scenario"
}

# 1. With --topopack-recover.
scenario --topopack-recover
# Logged when the fabric is read: at start on 22.05, at the first
# placement on 24.11 and later.
line=$(grep -o 'spares [^ ]* (topopack.conf Spares=)' "$log" | tail -n 1)
check "spares logged" "$line" "spares n[04,08] (topopack.conf Spares=)"
line=$(grep "topopack: JobId=$big recovering: " "$log" | head -n 1)
echo "# ${line:-no recovering line}"
check "held nodes" \
	"$(sed -n 's/.* holding nodes=\([^ ]*\) .*/\1/p' <<<"$line")" "n[01,03]"
check "other jobs on n01/n03 before it ran again" "${intruders:-none}" none
if [ "$back_after" -ge 0 ] && [ "$back_after" -le 60 ]; then
	ok "runs again after $back_after s (at most 60)"
else
	not_ok "runs again after $back_after s, expected 0 to 60"
fi
check "runs again on" "$nodes" "n01,n03,n04"
check "leaves" "$(leaves_of "$nodes")" "1"
check "jobs preempted (the scavenger job of spare n04)" "$preempted" "$s4"
line=$(grep "topopack: JobId=$big recovered: " "$log" | head -n 1)
echo "# ${line:-no recovered line}"
[ -n "$line" ] && ok "recovered logged" || not_ok "no recovered line"
cleanup

# 2. Without it: no hold, and no spare for a normal job.
scenario
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
state=$(cluster_job_state "$big")
case ",$nodes," in
*,n04,* | *,n08,*)
	not_ok "without --topopack-recover the normal job got a spare: $state on $nodes" ;;
*)
	ok "without --topopack-recover no spare: $state on ${nodes:-no nodes}" ;;
esac
check "scavenger jobs on the spares preempted" "${preempted:-none}" none
cleanup

cluster_stop || cluster_fail "cluster_stop left daemons"
trap - EXIT
exit "$failed"
