#!/usr/bin/env bash
#
# 0100-topology-plugin DIR - TopologyPlugin=topology/topopack in a real
# slurmctld and slurmd (select/cons_tres, 8 nodes of 8 GPUs, 2 leaves).
#
# 1. Same switch table as topology/tree: for the generated 2-level fabric
#    and for a hand-written 3-level one (two spines over two pods, lists
#    written without ranges, LinkSpeed values), "scontrol show topology"
#    prints the same lines, and the distances and descendants slurmctld
#    logs at debug2 (switches_dist, switch_desc_index) are the same.
# 2. The fabric line at load (nodes, leaves, NVLink domains,
#    levels), in slurmctld's log and, at verbose, in slurmd's.
# 3. --switches: a 3-node job with --switches=1 avoids the leaf that has
#    only 2 free nodes; a second one with --switches=1@2:00 waits while no
#    leaf has 3 free nodes (3 nodes are free across the two), then runs
#    inside one leaf once one frees up.
# 4. Errors stop slurmctld with file:line: an unknown key on line 3 of
#    topopack.conf; a node of topology.conf that slurm.conf lacks.
# 5. scontrol reconfigure reloads: a spine added to topology.conf shows in
#    "scontrol show topology" and jobs still run on all 8 nodes; a file
#    broken before a reconfigure stops slurmctld with a message that says
#    it happened at reconfigure.
#
# Needs topology_topopack.so in TOPOPACK_PLUGIN_DIR (else skipped, 77).
#
# Slurm releases: 22.05
#
set -uo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/../cluster/cluster.sh"

cluster_check_prereqs || exit 77
cluster_have_plugin topology_topopack || {
	echo "SKIP: no topology_topopack.so in TOPOPACK_PLUGIN_DIR" >&2
	exit 77
}
cluster_init "${1:?usage: $0 DIR}" || cluster_fail "cluster_init"

# debug2 makes slurmctld log the distances and descendants of the table.
export CLUSTER_CTLD_DEBUG=debug2
export CLUSTER_SLURMD_DEBUG=verbose

etc=$CLUSTER_DIR/etc
ctld_log=$(cluster_log_ctld)

# GPUs in topopack.conf too: the plugin must read such a file (it
# ignores the counts; select/topopack takes Slurm's).
CLUSTER_TOPOPACK_CONF=inventory cluster_gen_fabric 8 2 2 8 ||
	cluster_fail "cluster_gen_fabric"
cp "$etc/topology.conf" "$etc/topology.conf.2level"
cp "$etc/topopack.conf" "$etc/topopack.conf.good"

# Three levels; pods under both spines (a DAG, as fat trees are), lists
# written out so that they are printed as written.
cat >"$etc/topology.conf.3level" <<'EOF'
SwitchName=leaf1 Nodes=n01,n02 LinkSpeed=100
SwitchName=leaf2 Nodes=n[03-04]
SwitchName=leaf3 Nodes=n[05-06]
SwitchName=leaf4 Nodes=n07,n08 LinkSpeed=1k
SwitchName=pod1 Switches=leaf1,leaf2
SwitchName=pod2 Switches=leaf[3-4]
SwitchName=spineA Switches=pod[1-2]
SwitchName=spineB Switches=pod2,pod1 LinkSpeed=0x20
EOF

# log_mark: current length of slurmctld's log; log_since MARK: its lines
# after MARK.
log_mark() {
	wc -l 2>/dev/null <"$ctld_log" || echo 0
}
log_since() {
	tail -n +"$(($1 + 1))" "$ctld_log"
}

# table_dump MARK: the distance and descendant lines logged since MARK,
# without time stamp and function name.
table_dump() {
	log_since "$1" |
		grep -E 'switches_dist\[|switch_desc_index\[' |
		sed -E 's/.*(switches_dist\[|switch_desc_index\[)/\1/'
}

# capture NAME MARK: save "scontrol show topology" and the table dump.
capture() {
	scontrol show topology >"$CLUSTER_DIR/$1.topology" ||
		cluster_fail "$1: scontrol show topology"
	table_dump "$2" >"$CLUSTER_DIR/$1.table"
	[ -s "$CLUSTER_DIR/$1.topology" ] ||
		cluster_fail "$1: scontrol show topology printed nothing"
	[ -s "$CLUSTER_DIR/$1.table" ] ||
		cluster_fail "$1: no switches_dist lines in slurmctld's log"
}

# reconfigure: scontrol reconfigure, then wait until slurmctld answers.
reconfigure() {
	scontrol reconfigure || return 1
	timeout 15 scontrol ping | grep -q 'is UP'
}

# capture_both PLUGIN: the 2-level then the 3-level fabric (switched by
# scontrol reconfigure) under PLUGIN.
capture_both() {
	local plugin=$1 name=${1#topology/} mark
	cp "$etc/topology.conf.2level" "$etc/topology.conf"
	mark=$(log_mark)
	cluster_write_conf select/cons_tres "$plugin" ||
		cluster_fail "cluster_write_conf $plugin"
	cluster_start || cluster_fail "cluster with $plugin did not start"
	capture "$name.2level" "$mark"
	cp "$etc/topology.conf.3level" "$etc/topology.conf"
	mark=$(log_mark)
	reconfigure || cluster_fail "$plugin: scontrol reconfigure"
	capture "$name.3level" "$mark"
}

# same NAME: the tree and topopack captures NAME are equal.
same() {
	local f
	for f in topology table; do
		if ! diff -u "$CLUSTER_DIR/tree.$1.$f" \
			"$CLUSTER_DIR/topopack.$1.$f"; then
			cluster_fail "$1: $f differs between topology/tree and topology/topopack"
		fi
	done
	echo "$1: same switch table as topology/tree:"
	sed 's/^/    /' "$CLUSTER_DIR/topopack.$1.topology"
}

# leaf_of NODE: the leaf switch of a node in the current topology.
leaf_of() {
	local line
	while read -r line; do
		case $line in
		*" Level=0 "*) ;;
		*) continue ;;
		esac
		local name=${line#SwitchName=}
		name=${name%% *}
		local nodes=${line##* Nodes=}
		nodes=${nodes%% *}
		scontrol show hostnames "$nodes" | grep -qx "$1" &&
			{ echo "$name"; return 0; }
	done < <(scontrol show topology)
	return 1
}

# leaves_of JOB: the distinct leaves of a job's nodes, comma separated.
leaves_of() {
	local n
	for n in $(cluster_job_nodes "$1" | tr ',' ' '); do
		leaf_of "$n"
	done | sort -u | paste -sd, -
}

# ctld_refuses WHAT PATTERN: slurmctld must not start, and its log
# must contain PATTERN.
ctld_refuses() {
	local mark
	mark=$(log_mark)
	if cluster_restart_ctld 2>/dev/null; then
		cluster_fail "$1: slurmctld started"
	fi
	log_since "$mark" | grep -F -- "$2" ||
		cluster_fail "$1: slurmctld's log has no '$2'"
	echo "$1: slurmctld refused to start"
}

echo "== 1. topology/tree, then topology/topopack, on the same files"
capture_both topology/tree
cluster_stop || cluster_fail "cluster_stop left daemons"
capture_both topology/topopack
same 2level
same 3level
cp "$etc/topology.conf.2level" "$etc/topology.conf"
reconfigure || cluster_fail "scontrol reconfigure back to 2 levels"

echo "== 2. the fabric line"
fabric='fabric: 8 nodes, 2 leaves, 4 NVLink domains, 4 levels'
grep -F "$fabric" "$ctld_log" | tail -n 1
grep -qF "$fabric" "$ctld_log" ||
	cluster_fail "slurmctld's log lacks '$fabric'"
grep -qF "topology/topopack" "$(cluster_log_slurmd n01)" ||
	cluster_fail "slurmd n01 did not load topology/topopack"
grep -qF "$fabric" "$(cluster_log_slurmd n01)" ||
	cluster_fail "slurmd n01's log lacks '$fabric'"

echo "== 3. --switches"
# leaf1 = n[01-04], leaf2 = n[05-08].
a=$(cluster_submit -N2 --exclusive -w "n[01-02]" --wrap='sleep 600') || cluster_fail "job A"
cluster_wait_state "$a" RUNNING 30 || cluster_fail "job A did not start"
b=$(cluster_submit -N3 --exclusive --switches=1 --wrap='sleep 600') || cluster_fail "job B"
cluster_wait_state "$b" RUNNING 30 || cluster_fail "job B did not start"
echo "job A: $(cluster_job_nodes "$a"); job B (-N3 --switches=1):" \
	"$(cluster_job_nodes "$b") under $(leaves_of "$b")"
[ "$(leaves_of "$b")" = leaf2 ] ||
	cluster_fail "job B: expected leaf2 only, got $(leaves_of "$b")"

# 3 nodes are free (n03, n04 and one of leaf2), but in no single leaf.
c=$(cluster_submit -N3 --exclusive --switches=1@2:00 --wrap='sleep 600') ||
	cluster_fail "job C"
sleep 5
state=$(cluster_job_state "$c")
reason=$(scontrol show job -o "$c" | grep -o 'Reason=[^ ]*')
echo "job C (-N3 --switches=1@2:00) with 3 free nodes over 2 leaves:" \
	"$state ($reason)"
[ "$state" = PENDING ] || cluster_fail "job C is $state, not PENDING"
scancel "$a"
cluster_wait_state "$c" RUNNING 60 ||
	cluster_fail "job C did not start once leaf1 was free"
echo "job C after job A ended: $(cluster_job_nodes "$c") under $(leaves_of "$c")"
[ "$(leaves_of "$c")" = leaf1 ] ||
	cluster_fail "job C: expected leaf1 only, got $(leaves_of "$c")"
scancel "$b" "$c"
cluster_wait_idle 60 || cluster_fail "nodes not idle after the jobs"

echo "== 4. errors stop slurmctld with file:line"
{
	echo "# topopack.conf with an unknown key on line 3"
	echo "NodeName=n[01-08] Gpus=8"
	echo "NodeName=n01 Colour=blue"
} >"$etc/topopack.conf"
ctld_refuses "unknown key" "topopack.conf:3:"
cp "$etc/topopack.conf.good" "$etc/topopack.conf"

sed 's/^SwitchName=leaf2 Nodes=.*/SwitchName=leaf2 Nodes=n[05-09]/' \
	"$etc/topology.conf.2level" >"$etc/topology.conf"
ctld_refuses "node not in slurm.conf" \
	"topology.conf:3: switch leaf2 lists node n09, which slurm.conf does not define"
cp "$etc/topology.conf.2level" "$etc/topology.conf"
cluster_restart_ctld || cluster_fail "slurmctld did not start on fixed files"

echo "== 5. scontrol reconfigure"
echo "SwitchName=spine2 Switches=leaf[1-2] LinkSpeed=200" >>"$etc/topology.conf"
reconfigure || cluster_fail "scontrol reconfigure"
topo=$(scontrol show topology)
echo "$topo"
grep -qx 'SwitchName=spine2 Level=1 LinkSpeed=200 Nodes=n\[01-08\] Switches=leaf\[1-2\]' \
	<<<"$topo" || cluster_fail "spine2 is not in scontrol show topology"
job=$(cluster_submit -N8 --wrap='hostname') || cluster_fail "8-node job"
cluster_wait_state "$job" COMPLETED 60 ||
	cluster_fail "8-node job after the reconfigure"
echo "8-node job ran after the reconfigure: $(cluster_job_nodes "$job")"

# A file broken before a reconfigure: slurmctld says file:line and keeps
# the fabric in force (and keeps running); fixed, the next reconfigure
# takes it.
echo "SwitchName=spine3 Switches=leaf9" >>"$etc/topology.conf"
line=$(wc -l <"$etc/topology.conf")
mark=$(log_mark)
pid=$(cat "$CLUSTER_DIR/run/slurmctld.pid") || cluster_fail "no slurmctld.pid"
reconfigure || cluster_fail "scontrol reconfigure with a broken file"
sleep 2
kill -0 "$pid" 2>/dev/null ||
	cluster_fail "slurmctld stopped after a reconfigure with a broken file"
msg=$(log_since "$mark" | grep 'stays in force')
echo "$msg"
grep -qF "topology.conf:$line: switch spine3 lists unknown switch leaf9; the fabric loaded before stays in force" \
	<<<"$msg" || cluster_fail "no file:line, or no word of the fabric in force"
topo=$(scontrol show topology)
grep -q '^SwitchName=spine2 ' <<<"$topo" ||
	cluster_fail "spine2 left the switch table after a refused file"
! grep -q '^SwitchName=spine3 ' <<<"$topo" ||
	cluster_fail "spine3 of the refused file is in the switch table"
job=$(cluster_submit -N8 --wrap='hostname') || cluster_fail "8-node job"
cluster_wait_state "$job" COMPLETED 60 ||
	cluster_fail "8-node job after the refused reconfigure"
echo "slurmctld kept the fabric in force; an 8-node job ran"
sed -i '$d' "$etc/topology.conf"
echo "SwitchName=spine3 Switches=leaf1" >>"$etc/topology.conf"
reconfigure || cluster_fail "scontrol reconfigure on the fixed file"
grep -q '^SwitchName=spine3 Level=1 LinkSpeed=1 Nodes=n\[01-04\] Switches=leaf1$' \
	<<<"$(scontrol show topology)" ||
	cluster_fail "the fixed file did not take effect"
echo "the fixed file took effect at the next reconfigure"

cluster_stop || cluster_fail "cluster_stop left daemons"
echo "topology/topopack matched topology/tree and passed all checks"
