#!/usr/bin/env bash
#
# 0010-cluster-up DIR - the harness itself, with stock Slurm only: an
# 8-node cluster of 8 GPUs per node under 2 leaves (select/cons_tres,
# topology/tree) comes up, runs a 2-node job of 8 GPUs per node, shows
# its switches, and goes down again.
#
# Slurm releases: 22.05 24.11+
#
set -uo pipefail

# shellcheck source-path=SCRIPTDIR source=../cluster/cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/../cluster/cluster.sh"

cluster_check_prereqs || exit 77
cluster_init "${1:?usage: $0 DIR}" || cluster_fail "cluster_init"

cluster_gen_fabric 8 2 1 8 || cluster_fail "cluster_gen_fabric"
cluster_write_conf select/cons_tres topology/tree ||
	cluster_fail "cluster_write_conf"
cluster_start || cluster_fail "the cluster did not come up"
echo "cluster up in ${CLUSTER_START_SECONDS}s"

nodes=$(sinfo -h -N -o '%N %t %G' | sort)
echo "$nodes"
[ "$(grep -c ' idle gpu:h100:8' <<<"$nodes")" -eq 8 ] ||
	cluster_fail "expected 8 idle nodes with gpu:h100:8"

topo=$(scontrol show topology)
echo "$topo"
for sw in leaf1 leaf2 spine1; do
	grep -q "^SwitchName=$sw " <<<"$topo" ||
		cluster_fail "scontrol show topology does not list $sw"
done
grep -q '^SwitchName=spine1 .*Switches=leaf\[1-2\]' <<<"$topo" ||
	cluster_fail "spine1 is not above leaf1 and leaf2"

# shellcheck disable=SC2016 # expanded by the job
job=$(cluster_submit -N 2 --gpus-per-node=8 \
	--wrap='echo "GPUS=$CUDA_VISIBLE_DEVICES"') ||
	cluster_fail "sbatch"
cluster_wait_state "$job" COMPLETED 60 || cluster_fail "job $job"

used=$(cluster_job_nodes "$job")
echo "job $job ran on $used"
[ "$(tr ',' '\n' <<<"$used" | grep -c .)" -eq 2 ] ||
	cluster_fail "job $job: expected 2 nodes, got '$used'"

out=$(cluster_job_output "$job")
[ -f "$out" ] || cluster_fail "no output file $out"
cat "$out"
gpus=$(sed -n 's/^GPUS=//p' "$out")
[ "$(tr ',' '\n' <<<"$gpus" | grep -c .)" -eq 8 ] ||
	cluster_fail "job $job saw CUDA_VISIBLE_DEVICES='$gpus', not 8 GPUs"

cluster_wait_idle 30 || cluster_fail "nodes not idle after the job"
cluster_stop || cluster_fail "cluster_stop left daemons"
echo "cluster stopped"
