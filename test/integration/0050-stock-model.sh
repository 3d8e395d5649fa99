#!/usr/bin/env bash
#
# 0050-stock-model DIR - the library's model of stock Slurm placement
# (policy slurm-tree) picks the nodes that a real slurmctld with
# select/cons_tres and topology/tree picks, job after job.
#
# 8 nodes of 8 GPUs under 2 leaves. The jobs stay running, so each one
# is placed in the state the earlier ones left; the same sequence goes
# through topopack-place with the slurm-tree policy, and both node lists
# must be equal at every step.
#
# The model is of 22.05's cons_tres (src/plugins/select/cons_tres/job_test.c).
# Slurm releases: 22.05
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../cluster/cluster.sh"

cluster_check_prereqs || exit 77
cluster_init "${1:?usage: $0 DIR}" || cluster_fail "cluster_init"
place=$TOPOPACK_BUILDDIR/contrib/topopack-place
[ -x "$place" ] || cluster_fail "no $place"

# topopack-place reads the GPUs from topopack.conf: write them there too.
CLUSTER_TOPOPACK_CONF=inventory cluster_gen_fabric 8 2 1 8 ||
	cluster_fail "cluster_gen_fabric"
cluster_write_conf select/cons_tres topology/tree ||
	cluster_fail "cluster_write_conf"
cluster_start || cluster_fail "the cluster did not come up"

# sbatch options | the same request for topopack-place
jobs=(
	"-N1 --gpus-per-node=2|nodes=1 gpus-per-node=2"
	"-N1 --gpus-per-node=8|nodes=1 gpus-per-node=8"
	"-N2 --gpus-per-node=4|nodes=2 gpus-per-node=4"
	"-N3 --gpus-per-node=8|nodes=3 gpus-per-node=8"
	"-N1 --exclusive --gpus-per-node=8|nodes=1 gpus-per-node=8 exclusive"
	"-N1 --gpus-per-node=1|nodes=1 gpus-per-node=1"
	"-N1 --gpus-per-node=6|nodes=1 gpus-per-node=6"
	"-N2 --gpus-per-node=2|nodes=2 gpus-per-node=2"
	"--gpus=3|gpus=3"
)

expand() {
	scontrol show hostnames "$1" | sort | paste -sd, -
}

requests=""
i=0
for spec in "${jobs[@]}"; do
	i=$((i + 1))
	opts=${spec%%|*}
	# shellcheck disable=SC2086
	job=$(cluster_submit $opts --wrap='sleep 600') ||
		cluster_fail "sbatch $opts"
	cluster_wait_state "$job" RUNNING 30 ||
		cluster_fail "job $i ($opts) did not start"
	real=$(cluster_job_nodes "$job")

	requests+="place ${spec#*|} policy=slurm-tree"$'\n'
	model=$(printf '%s' "$requests" |
		"$place" --topology "$CLUSTER_DIR/etc/topology.conf" \
			--topopack "$CLUSTER_DIR/etc/topopack.conf" |
		tail -n 1 | sed -n 's/^job=[0-9]* nodes=\([^ ]*\) .*/\1/p')
	[ -n "$model" ] || cluster_fail "job $i: the model placed nothing"
	model=$(expand "$model")
	echo "job $i ($opts): slurmctld $real, model $model"
	[ "$real" = "$model" ] ||
		cluster_fail "job $i ($opts): slurmctld chose $real, the model $model"
done

scancel --user=root
cluster_stop
echo "the model matched slurmctld on $i jobs"
