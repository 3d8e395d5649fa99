#!/usr/bin/env bash
#
# 0500-status DIR - topopack-status against a live cluster through
# libslurm (no snapshot): 8 nodes of 8 fake GPUs under 2 leaves (n01-n04
# leaf1, n05-n08 leaf2), select/topopack, partitions "low" (preempted
# with REQUEUE) and "high".
#  1. Low jobs of 3 whole nodes, 4 GPUs and 2 GPUs: topopack packs them
#     into leaf1 (n01-n03, and both small ones on n04). Exact figures:
#     GPUs free per leaf (2 and 32), free one-leaf slots of 8, 16 and 32
#     GPUs (4, 2, 1), the jobs' GPUs (without gres/gpu in
#     AccountingStorageTRES), where --shape 32,leaves=1 would start (n[05-08])
#     and that 64,leaves=1 cannot; the table, JSON and Prometheus text
#     agree; --prometheus passes promtool; --svg is well-formed (xmllint)
#     with 8 node rects, 2 leaves, and the 3 nodes of the asked job
#     outlined; --listen serves the same text as --prometheus.
#  2. A low job fills leaf2, then a high job of 2 whole nodes preempts.
#     The preemption counters (StateSaveLocation/topopack_preempt_state,
#     found through slurm.conf) are exactly what slurmctld logged: one
#     plan, its jobs, its lost_gpu_seconds; in the table, the JSON and
#     over --listen; and the same after slurmctld restarts.
#
# The client library is Debian's 22.05, so the cluster is too.
# Slurm releases: 22.05
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/preempt-lib.sh"
preempt_test "$@"

status=${TOPOPACK_BUILDDIR:?}/contrib/topopack-status
[ -x "$status" ] || { echo "SKIP: no $status"; exit 77; }
for tool in promtool xmllint curl; do
	command -v $tool >/dev/null 2>&1 ||
		{ echo "SKIP: $tool is not installed"; exit 77; }
done
# topopack-status without libslurm reads snapshots only.
if ! "$status" --help | grep -q "default with"; then
	echo "SKIP: topopack-status built without libslurm"
	exit 77
fi

# has NAME FILE TEXT: FILE holds the line TEXT exactly.
has() {
	if grep -qxF -- "$3" "$2"; then
		ok "$1"
	else
		not_ok "$1: no line '$3' in $2"
		grep -F -- "${3%% *}" "$2" | head -5 | sed 's/^/#   /'
	fi
}

mapfile -t conf < <(partition_prio REQUEUE)
preempt_cluster status topopack 8 2 1 "${conf[@]}"
out=$top_dir/out
mkdir -p "$out"

## 1. Figures of a known layout.

big=$(cluster_submit -p low --requeue -N 3 --gpus-per-node=8 -J big \
	--wrap='sleep 600') || cluster_fail "submit big"
wait_running "$big" || cluster_fail "big did not run"
four=$(cluster_submit -p low --requeue -N 1 --gpus=4 -J four \
	--wrap='sleep 600') || cluster_fail "submit four"
two=$(cluster_submit -p low --requeue -N 1 --gpus=2 -J two \
	--wrap='sleep 600') || cluster_fail "submit two"
wait_running "$four" "$two" || cluster_fail "small jobs did not run"
check "big on" "$(cluster_job_nodes "$big")" n01,n02,n03
check "four on" "$(cluster_job_nodes "$four")" n04
check "two on" "$(cluster_job_nodes "$two")" n04

"$status" --shape 32,leaves=1 >"$out/table" 2>"$out/err" ||
	cluster_fail "topopack-status: $(head -c 300 "$out/err")"
sed 's/^/# /' "$out/table"
has "cluster line" "$out/table" \
	"Cluster: 8 nodes, 64 GPUs: 30 busy, 34 free, 0 unavailable"
has "leaf1 GPUs" "$out/table" \
	"leaf1                 4     32     30      2      0      0     0     0     0     0"
has "leaf2 GPUs" "$out/table" \
	"leaf2                 4     32      0     32      0      4     0     0     0     0"
has "8-GPU slots" "$out/table" "8 GPUs                    4          4          4"
# Each node is its own NVLink domain of 8 GPUs: no 16 or 32 in one.
has "16-GPU slots" "$out/table" "16 GPUs                   2          0          2"
has "32-GPU slots" "$out/table" "32 GPUs                   1          0          1"
has "32 GPUs start on leaf2" "$out/table" "  n[05-08]"
has "no counters before any preemption" "$out/table" \
	"Preemptions: 0 plans, 0 jobs preempted, 0 GPU-seconds lost"
has "worst job first" "$out/table" "$(printf '%-12s %-10s %-14s %5d %5d %6d %5d %7d %4d %4.2f  %s' \
	"$big" root big 24 3 1 1 3 2 1 'n[01-03]')"
has "4-GPU job" "$out/table" "$(printf '%-12s %-10s %-14s %5d %5d %6d %5d %7d %4d %4.2f  %s' \
	"$four" root four 4 1 1 1 1 0 1 n04)"

"$status" --shape gpus=64,leaves=1 >"$out/table64" 2>"$out/err"
has "64 GPUs on one leaf: nowhere" "$out/table64" \
	"  nowhere: no leaf holds 64 GPUs (the largest: 32)"

"$status" --json --shape 32,leaves=1 >"$out/json" 2>"$out/err" ||
	not_ok "json: $(head -c 300 "$out/err")"
check "json: free per leaf, slots of 8/16/32, where" "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
slots = {s["shape"]: s["leaf"] for s in d["free_slots"] if s["unit"] == "gpus"}
print(",".join(str(l["free"]) for l in d["leaves"]),
      slots[8], slots[16], slots[32], d["where"]["placement"]["nodes"],
      d["preemptions"]["plans"])' "$out/json")" "2,32 4 2 1 n[05-08] 0"

"$status" --prometheus >"$out/prom" 2>"$out/err" ||
	not_ok "prometheus: $(head -c 300 "$out/err")"
if promtool check metrics <"$out/prom" >"$out/lint" 2>&1; then
	ok "promtool check metrics"
else
	not_ok "promtool: $(head -c 300 "$out/lint")"
fi
has "prometheus: leaf2 free" "$out/prom" \
	'topopack_leaf_gpus{leaf="leaf2",state="free"} 32'
has "prometheus: 16-GPU slots" "$out/prom" \
	'topopack_free_slots{shape="16",unit="gpus",scope="leaf"} 2'

"$status" --svg "$out/fabric.svg" --job "$big" >/dev/null 2>"$out/err" ||
	not_ok "svg: $(head -c 300 "$out/err")"
if xmllint --noout "$out/fabric.svg" 2>"$out/lint"; then
	ok "svg: xmllint"
else
	not_ok "svg: $(head -c 300 "$out/lint")"
fi
check "svg: node rects, leaves, outlined" \
	"$(grep -o '<rect class="node [a-z]*' "$out/fabric.svg" | wc -l) $(grep -c '<rect class="leaf"' "$out/fabric.svg") $(grep -o '<rect class="node [a-z]* job"' "$out/fabric.svg" | wc -l)" \
	"8 2 3"

# listen: start topopack-status --listen on a free port; $url, $lpid.
listen() {
	local i port=
	"$status" --listen 127.0.0.1:0 2>"$out/listen.err" &
	lpid=$!
	for i in $(seq 100); do
		port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
			"$out/listen.err")
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || cluster_fail "--listen: $(head -c 300 "$out/listen.err")"
	url=http://127.0.0.1:$port/metrics
}
listen
trap 'kill $lpid 2>/dev/null; cluster_stop' EXIT
curl -s --max-time 60 "$url" >"$out/scrape" ||
	not_ok "--listen: no answer"
if cmp -s "$out/scrape" "$out/prom"; then
	ok "--listen serves what --prometheus prints"
else
	not_ok "--listen differs from --prometheus"
	diff "$out/prom" "$out/scrape" | head -10 | sed 's/^/#   /'
fi

## 2. A preemption, counted.

fill=$(cluster_submit -p low --requeue -N 4 --gpus-per-node=8 -J fill \
	--wrap='sleep 600') || cluster_fail "submit fill"
wait_running "$fill" || cluster_fail "fill did not run"
high=$(cluster_submit -p high -N 2 --gpus-per-node=8 -J pulse \
	--wrap='sleep 600') || cluster_fail "submit high"
cluster_wait_state "$high" RUNNING 120 || not_ok "high job did not run"
log=$(cluster_log_ctld)
line=$(grep "topopack: preempt JobId=[0-9,]* for JobId=$high " "$log")
grep "topopack: preempt" "$log" | sed 's/^/# /'
check "plans logged" "$(grep -c . <<<"$line")" 1
victims=$(sed -n 's/.*preempt JobId=\([0-9,]*\) for.*/\1/p' <<<"$line" |
	tr ',' '\n' | grep -c .)
lost=$(sed -n 's/.*lost_gpu_seconds=\([0-9]*\).*/\1/p' <<<"$line")
[ -n "$lost" ] && [ "$lost" -gt 0 ] ||
	not_ok "no lost_gpu_seconds in '$line'"
want="Preemptions: 1 plans, $victims jobs preempted, $lost GPU-seconds lost"

state=$CLUSTER_DIR/state/topopack_preempt_state
check "state file" "$(cat "$state")" "topopack_preempt_state 1
preemptions 1
preempted_jobs $victims
lost_gpu_seconds $lost"

counted() {
	local when=$1
	"$status" >"$out/table" 2>"$out/err" ||
		not_ok "$when: topopack-status: $(head -c 300 "$out/err")"
	has "$when: table" "$out/table" "$want"
	"$status" --json >"$out/json" 2>"$out/err"
	check "$when: json" "$(python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["preemptions"]
print(p["plans"], p["jobs"], p["lost_gpu_seconds"])' "$out/json")" \
		"1 $victims $lost"
	curl -s --max-time 60 "$url" >"$out/scrape"
	has "$when: --listen preemptions" "$out/scrape" \
		"topopack_preemptions_total 1"
	has "$when: --listen jobs" "$out/scrape" \
		"topopack_preempted_jobs_total $victims"
	has "$when: --listen lost GPU-seconds" "$out/scrape" \
		"topopack_preempt_lost_gpu_seconds_total $lost"
	promtool check metrics <"$out/scrape" >"$out/lint" 2>&1 &&
		ok "$when: promtool" ||
		not_ok "$when: promtool: $(head -c 300 "$out/lint")"
}
counted "after the preemption"
cluster_restart_ctld || cluster_fail "slurmctld did not restart"
counted "after slurmctld restarted"

kill -TERM "$lpid"
wait "$lpid"
check "--listen ends on SIGTERM with" "$?" 0
trap cluster_stop EXIT
cluster_stop || cluster_fail "cluster_stop left daemons"
trap - EXIT
exit "$failed"
