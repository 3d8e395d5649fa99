#!/usr/bin/env bash
#
# 0340-preempt-qos DIR - topology-aware preemption decided by QOS
# (PreemptType=preempt/qos) rather than by partition: the cluster of 0300
# (16 nodes of 8 GPUs under 4 leaf switches of 4 nodes, n01-n04 leaf1,
# ... n13-n16 leaf4, select/topopack), with accounting: a MariaDB server
# and a slurmdbd of the cluster's own (test/cluster/accounting.sh).
#
# QOS "low" (PreemptMode=REQUEUE) and "pulse" (Priority=1000,
# Preempt=low), both granted to root. Every job runs in one partition,
# "low", so only the QOS tell them apart. The cluster is filled with the
# low jobs of 0300 (fill in preempt-lib.sh) under QOS low, then a 4-node
# x 8-GPU job is submitted under QOS pulse. Checked:
#  - the jobs got their QOS;
#  - the pulse job runs within 30 s, on the 4 nodes of one leaf;
#  - slurmctld logged one plan, "topopack: preempt JobId=A,B,... for
#    JobId=H ...", and the jobs preempted are exactly the plan's: they,
#    and no other low job, were requeued (PENDING, Restarts>=1);
#  - the requeued jobs run again once the pulse job is cancelled.
# Skipped (77) when MariaDB's server or slurmdbd is not installed.
#
# With select/topopack (preempt-lib.sh), which exists for 22.05 only.
# Slurm releases: 22.05
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/preempt-lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../cluster/accounting.sh"
preempt_test "$@"

if ! cluster_check_accounting; then
	echo "accounting is not available (apt-get install mariadb-server slurmdbd)"
	exit 77
fi
for p in preempt_qos priority_multifactor; do
	if [ ! -f "$CLUSTER_SLURM_PLUGIN_DIR/$p.so" ]; then
		echo "$p.so is not in $CLUSTER_SLURM_PLUGIN_DIR"
		exit 77
	fi
done

cluster_init "$top_dir/topopack" || cluster_fail "cluster_init"
trap 'cluster_stop; cluster_stop_accounting' EXIT
cluster_gen_fabric 16 4 2 8 || cluster_fail "cluster_gen_fabric"
mapfile -t acct < <(cluster_accounting_conf)
[ "${#acct[@]}" -gt 0 ] || cluster_fail "cluster_accounting_conf"
cluster_write_conf select/topopack topology/tree "${acct[@]}" \
	"PreemptType=preempt/qos" \
	"PreemptMode=REQUEUE" \
	"JobRequeue=1" \
	"PriorityType=priority/multifactor" \
	"PriorityWeightQOS=10000" \
	"AuthInfo=cred_expire=10" \
	"PartitionName=low Nodes=ALL MaxTime=INFINITE State=UP" ||
	cluster_fail "cluster_write_conf"

start=$SECONDS
cluster_start_accounting || cluster_fail "accounting did not start"
cluster_sacctmgr add qos low PreemptMode=requeue &&
	cluster_sacctmgr add qos pulse Priority=1000 Preempt=low &&
	cluster_sacctmgr add account tp Cluster="$CLUSTER_NAME" \
		Description=test Organization=test &&
	cluster_sacctmgr add user root Account=tp Cluster="$CLUSTER_NAME" &&
	cluster_sacctmgr modify user root set DefaultAccount=tp &&
	cluster_sacctmgr modify user root set QOS+=low,pulse ||
	cluster_fail "sacctmgr: QOS, account and user"
echo "# accounting up after $((SECONDS - start))s"
timeout 15 sacctmgr -n -P show qos format=name,priority,preempt,preemptmode |
	sed 's/^/# qos: /'
timeout 15 sacctmgr -n -P show assoc user=root format=cluster,account,user,qos |
	sed 's/^/# assoc: /'

cluster_start || cluster_fail "the cluster did not come up"
check "PreemptType" "$(timeout 15 scontrol show config |
	sed -n 's/^PreemptType *= *//p')" preempt/qos

# fill submits to partition "low"; sbatch takes the QOS from SBATCH_QOS.
export SBATCH_QOS=low
mapfile -t lows < <(fill) || true
unset SBATCH_QOS
[ "${#lows[@]}" -eq 30 ] || cluster_fail "fill jobs (${#lows[@]} of 30 ran)"
bad=""
for j in "${lows[@]}"; do
	q=$(_cluster_job_field "$j" QOS)
	[ "$q" = low ] || bad="$bad $j:$q"
done
if [ -z "$bad" ]; then
	ok "the 30 fill jobs run under QOS low"
else
	not_ok "fill jobs not under QOS low:$bad"
fi
sleep 3

high=$(cluster_submit -p low --qos=pulse -N 4 --gpus-per-node=8 -J pulse \
	--wrap='sleep 600') || cluster_fail "submit high"
check "high job: QOS" "$(_cluster_job_field "$high" QOS)" pulse
high_started=$(seconds_to_run "$high")
state=$(cluster_job_state "$high")
high_nodes=$(cluster_job_nodes "$high")
echo "# high JobId=$high state=$state after ${high_started}s nodes=$high_nodes leaf=$(leaves_of "$high_nodes")"
[ "$high_started" -ge 0 ] && [ "$high_started" -le 30 ] &&
	ok "high job runs after ${high_started}s" ||
	not_ok "high job not running within 30 s (state $(cluster_job_state "$high") Reason=$(reason "$high"))"
check "high job: nodes" "$(wc -w <<<"${high_nodes//,/ }")" 4
check "high job: leaves spanned" "$(leaves_of "$high_nodes" | tr ',' '\n' | grep -c .)" 1

preempted=$(preempted_among "${lows[@]}")
echo "# preempted JobId=$preempted"
log=$(cluster_log_ctld)
check "plans logged for JobId=$high" \
	"$(grep -c "topopack: preempt JobId=[0-9,]* for JobId=$high " "$log")" 1
planned=$(sed -n "s/.*topopack: preempt JobId=\([0-9,]*\) for JobId=$high .*/\1/p" "$log" |
	head -n 1 | tr ',' '\n' | sort -n | paste -sd, -)
grep "topopack: preempt JobId=\|Slurm preempts" "$log" | sed 's/^/# /'
check "jobs preempted = the plan's" "$preempted" "$planned"
[ -n "$planned" ] || not_ok "no job preempted"
if grep -q "topopack: JobId=$high: Slurm preempts" "$log"; then
	not_ok "Slurm's preemptee list differs from the plan"
fi

# The victims: requeued, pending until the high job ends, then again.
check_requeued_rerun "$high" "$planned"

cluster_stop || cluster_fail "cluster_stop left daemons"
cluster_stop_accounting || cluster_fail "cluster_stop_accounting left daemons"
trap - EXIT
exit "$failed"
