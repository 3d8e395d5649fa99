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
# Also: --topopack-bind=none sets nothing; a bad --topopack-bind value is
# refused by srun.
#
# Needs spank_topopack.so in TOPOPACK_PLUGIN_DIR or under TOPOPACK_BUILDDIR
# (else skipped, 77).
#
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../cluster/cluster.sh"

cluster_check_prereqs || exit 77
so=""
IFS=: read -r -a dirs <<<"${TOPOPACK_PLUGIN_DIR:-}"
# test/integration/run lists select and topology plugin directories only:
# look beside them in the build tree too.
dirs+=("${TOPOPACK_BUILDDIR:-.}/plugin/spank/topopack/.libs")
for d in "${dirs[@]}"; do
	[ -f "$d/spank_topopack.so" ] && { so=$d/spank_topopack.so; break; }
done
[ -n "$so" ] || { echo "SKIP: no spank_topopack.so in TOPOPACK_PLUGIN_DIR" >&2; exit 77; }
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

# The job options are given to srun: Slurm 22.05's sbatch lists them in
# --help but refuses them on its command line here.
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

job=$(cluster_submit -n4 --gpus-per-task=1 \
	--wrap="unset NCCL_IB_HCA; srun -n4 --gpus-per-task=1 --topopack-bind=none $CLUSTER_DIR/jobs/task.sh")
cluster_wait_state "$job" COMPLETED 60 || cluster_fail "job $job"
out=$(cluster_job_output "$job")
check "bind=none: no NCCL_IB_HCA" [ "$(grep -c 'HCA= ' "$out")" -eq 4 ]

if msg=$(timeout 30 srun -n1 --topopack-bind=bogus true 2>&1); then
	check "bad --topopack-bind refused" false
else
	echo "# $msg"
	check "bad --topopack-bind refused" grep -q 'expected none, nic or nic,cpu' <<<"$msg"
fi

cluster_stop
exit $fail
