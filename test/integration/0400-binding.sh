#!/usr/bin/env bash
#
# 0400-binding DIR - the topopack SPANK plugin in a real slurmd and
# slurmstepd: each task gets the NIC and NUMA CPUs of its GPU.
#
# The slurmd sees the recorded JUWELS Booster node (HWLOC_XMLFILE, 4 A100
# and 4 HCAs, one of each on NUMA 1, 3, 5, 7). A 4-task step with one GPU
# per task must give:
#	CUDA_VISIBLE_DEVICES  NCCL_IB_HCA  UCX_NET_DEVICES  NUMA CPUs
#	0                     =mlx5_0      mlx5_0:1         18-23,66-71
#	1                     =mlx5_1      mlx5_1:1         6-11,54-59
#	2                     =mlx5_2      mlx5_2:1         42-47,90-95
#	3                     =mlx5_3      mlx5_3:1         30-35,78-83
# CPU affinity: this machine has fewer CPUs than the recorded one, and
# none of the GPUs' NUMA CPUs exist here, so the intersection with the
# task's mask is empty: the plugin must keep the mask (never widen it),
# and say so with --topopack-verbose. Narrowing itself is covered by the
# unit test of the CPU sets (test_binding).
# The task's GPUs are read from SLURM_STEP_GPUS (node indices, narrowed
# to the task by slurmstepd), which --topopack-verbose names.
# Also: --topopack-bind=none sets nothing; a bad --topopack-bind value is
# refused by srun. The same options given to sbatch (on its command line
# and as #SBATCH lines) reach the job's steps, and sbatch refuses a bad
# value.
#
# Needs spank_topopack.so in TOPOPACK_PLUGIN_DIR or under TOPOPACK_BUILDDIR
# (else skipped, 77).
#
# Slurm releases: 22.05 24.11+
#
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cluster/cluster.sh"

cluster_check_prereqs || exit 77
so=$(cluster_spank_plugin) ||
	{ echo "SKIP: no spank_topopack.so in TOPOPACK_PLUGIN_DIR" >&2; exit 77; }
cluster_init "${1:?usage: $0 DIR}" || cluster_fail "cluster_init"

xml=$here/../data/hwloc/juwels-booster-4xA100-4xCX6.xml
[ -f "$xml" ] || cluster_fail "no $xml"
etc=$CLUSTER_DIR/etc

cluster_gen_fabric 1 1 1 4 || cluster_fail "cluster_gen_fabric"
echo "required $so" >"$etc/plugstack.conf"
cluster_write_conf select/cons_tres topology/tree \
	"PlugStackConfig=$etc/plugstack.conf" || cluster_fail "cluster_write_conf"

# slurmd, and through it slurmstepd, read the recorded machine.
export HWLOC_XMLFILE=$xml HWLOC_THISSYSTEM=1
cluster_start || cluster_fail "cluster did not start"
unset HWLOC_XMLFILE HWLOC_THISSYSTEM

fail=0
check() { # DESCRIPTION COMMAND...
	if "${@:2}"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi
}

before=$(grep Cpus_allowed_list /proc/self/status | cut -f2)
cat >"$CLUSTER_DIR/jobs/task.sh" <<'EOS'
#!/bin/bash
echo "TASK $SLURM_PROCID CVD=${CUDA_VISIBLE_DEVICES:-} HCA=${NCCL_IB_HCA:-} UCX=${UCX_NET_DEVICES:-} OMPI=${OMPI_MCA_btl_openib_if_include:-} NUMA=${TOPOPACK_BIND_NUMA_CPUS:-} AFF=$(grep Cpus_allowed_list /proc/self/status | cut -f2)"
EOS
chmod +x "$CLUSTER_DIR/jobs/task.sh"

job=$(cluster_submit -n4 --gpus-per-task=1 \
	--wrap="srun -n4 --gpus-per-task=1 --topopack-verbose $CLUSTER_DIR/jobs/task.sh")
cluster_wait_state "$job" COMPLETED 60 || { cluster_logs_tail 30; cluster_fail "job $job"; }
out=$(cluster_job_output "$job")
cat "$out"

declare -A numa=([0]=18-23,66-71 [1]=6-11,54-59 [2]=42-47,90-95 [3]=30-35,78-83)
seen=""
while read -r _ _ cvd hca ucx ompi nm aff; do
	g=${cvd#CVD=}
	seen="$seen$g"
	check "GPU $g: NCCL_IB_HCA" [ "$hca" = "HCA==mlx5_$g" ]
	check "GPU $g: UCX_NET_DEVICES" [ "$ucx" = "UCX=mlx5_$g:1" ]
	check "GPU $g: OMPI_MCA_btl_openib_if_include" [ "$ompi" = "OMPI=mlx5_$g" ]
	check "GPU $g: NUMA CPUs" [ "$nm" = "NUMA=${numa[$g]}" ]
	check "GPU $g: affinity not widened ($aff)" [ "$aff" = "AFF=$before" ]
done < <(grep '^TASK ' "$out")
check "4 tasks, GPUs 0-3 each once" [ "$(echo "$seen" | grep -o . | sort | tr -d '\n')" = 0123 ]
check "verbose: affinity kept" [ "$(grep -c 'affinity kept' "$out")" -eq 4 ]
check "GPUs read from SLURM_STEP_GPUS, one per task" \
	[ "$(grep -cE '^topopack: task [0-3]: SLURM_STEP_GPUS=[0-3] nic=mlx5_[0-3] ' "$out")" -eq 4 ]

job=$(cluster_submit -n4 --gpus-per-task=1 \
	--wrap="unset NCCL_IB_HCA; srun -n4 --gpus-per-task=1 --topopack-bind=none $CLUSTER_DIR/jobs/task.sh")
cluster_wait_state "$job" COMPLETED 60 || cluster_fail "job $job"
out=$(cluster_job_output "$job")
check "bind=none: no NCCL_IB_HCA" [ "$(grep -c 'HCA= ' "$out")" -eq 4 ]

# Through sbatch: bind=none on its command line, for every step.
job=$(cluster_submit -n4 --gpus-per-task=1 --topopack-bind=none \
	--wrap="unset NCCL_IB_HCA; srun -n4 --gpus-per-task=1 $CLUSTER_DIR/jobs/task.sh")
check "sbatch --topopack-bind=none accepted" [ -n "$job" ]
if [ -n "$job" ]; then
	cluster_wait_state "$job" COMPLETED 60 || cluster_fail "job $job"
	out=$(cluster_job_output "$job")
	check "sbatch bind=none: no NCCL_IB_HCA in the step" \
		[ "$(grep -c 'HCA= ' "$out")" -eq 4 ]
fi

# Through #SBATCH lines: bind=nic and verbose. NICs are set, the CPU mask
# is not touched (no "affinity kept" line), and the batch step itself
# reads its GPUs from SLURM_JOB_GPUS.
cat >"$CLUSTER_DIR/jobs/nic.sh" <<EOS
#!/bin/bash
#SBATCH -n4 --gpus-per-task=1
#SBATCH --topopack-bind=nic
#SBATCH --topopack-verbose
srun -n4 --gpus-per-task=1 $CLUSTER_DIR/jobs/task.sh
EOS
job=$(cluster_submit "$CLUSTER_DIR/jobs/nic.sh")
check "#SBATCH --topopack-bind=nic accepted" [ -n "$job" ]
if [ -n "$job" ]; then
	cluster_wait_state "$job" COMPLETED 60 || cluster_fail "job $job"
	out=$(cluster_job_output "$job")
	cat "$out"
	check "sbatch bind=nic: NCCL_IB_HCA in every task" \
		[ "$(grep -c '^TASK .* HCA==mlx5_[0-3] ' "$out")" -eq 4 ]
	check "sbatch verbose: every step task reports" \
		[ "$(grep -cE '^topopack: task [0-3]: SLURM_STEP_GPUS=' "$out")" -eq 4 ]
	check "sbatch verbose: batch step reads SLURM_JOB_GPUS" \
		grep -q '^topopack: task 0: SLURM_JOB_GPUS=0,1,2,3 nic=mlx5_0,mlx5_1,mlx5_2,mlx5_3 ' "$out"
	check "sbatch bind=nic: CPU mask not considered" \
		[ "$(grep -c 'affinity' "$out")" -eq 0 ]
fi

if msg=$(cd "$CLUSTER_DIR/jobs" &&
	timeout 30 sbatch --topopack-bind=bogus --wrap=true 2>&1); then
	check "sbatch: bad --topopack-bind refused" false
else
	echo "# $msg"
	check "sbatch: bad --topopack-bind refused" \
		grep -q 'expected none, nic or nic,cpu' <<<"$msg"
fi

if msg=$(timeout 30 srun -n1 --topopack-bind=bogus true 2>&1); then
	check "bad --topopack-bind refused" false
else
	echo "# $msg"
	check "bad --topopack-bind refused" grep -q 'expected none, nic or nic,cpu' <<<"$msg"
fi

cluster_stop
exit $fail
