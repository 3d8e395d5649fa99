# shellcheck shell=bash
# test/cluster/cluster.sh - a real Slurm cluster on one machine, for tests.
#
# A bash library, sourced by the integration tests (test/integration/):
#
#	. "$top/test/cluster/cluster.sh"
#	cluster_init "$dir"
#	cluster_gen_fabric 8 2 1 8
#	cluster_write_conf select/cons_tres topology/tree
#	cluster_start || cluster_fail "cluster did not start"
#	job=$(cluster_submit -N2 --gpus-per-node=8 --wrap=hostname)
#	cluster_wait_state "$job" COMPLETED 60 || cluster_fail "job $job"
#	cluster_stop
#
# One slurmctld and one slurmd per node, all on this host: Debian's slurmd
# is built with --enable-multiple-slurmd, every node is "localhost" with a
# port of its own, and SlurmdParameters=config_overrides lets the nodes
# declare more CPUs and GPUs than the machine has. GPUs are fake
# (gres.conf points them at /dev/tty0..63), yet jobs get a real
# CUDA_VISIBLE_DEVICES.
#
# Everything lives under the work directory DIR given to cluster_init:
#	DIR/etc	slurm.conf, gres.conf, cgroup.conf, topology.conf,
#		topopack.conf
#	DIR/log	slurmctld.log, slurmd.<node>.log, and the daemons' stderr
#	DIR/run	pid files
#	DIR/spool/<node>	each slurmd's spool
#	DIR/state	slurmctld's StateSaveLocation
#	DIR/jobs	working directory of submitted jobs (slurm-<id>.out)
# The only thing shared with other clusters is munged, which is started
# when it does not run and never stopped.
#
# Daemons are found by their command line (they are started with
# "-f DIR/etc/slurm.conf"), so cluster_stop ends this cluster's daemons
# and nobody else's. cluster_init installs cluster_stop as an EXIT trap:
# a test that fails or is killed still tears its cluster down. A test that
# sets its own EXIT trap must call cluster_stop from it.
#
# Only loopback is used: SlurmctldHost and NodeAddr are 127.0.0.1, and
# ports come from CLUSTER_PORT_BASE (default 17000): node I's slurmd
# listens on BASE+I, slurmctld on BASE+900 (BASE+NODES+1 above 899
# nodes), all below the kernel's ephemeral port range, where outgoing
# connections would take them. Every wait is bounded.
#
# Environment read:
#	CLUSTER_PORT_BASE	port block (default 17000)
#	TOPOPACK_PLUGIN_DIR	colon-separated directories holding the
#				topopack plugins; put before Debian's
#				plugin directory in PluginDir
#	CLUSTER_DEBUG_FLAGS	slurm.conf DebugFlags (default none)
#	CLUSTER_CTLD_DEBUG	SlurmctldDebug (default info)
#	CLUSTER_SLURMD_DEBUG	SlurmdDebug (default info)
#	CLUSTER_START_TIMEOUT	seconds cluster_start waits (default 60,
#				and 0.5 s more per node above 120: slurmd
#				register one by one)
#	CLUSTER_UPLINKS		Uplinks= per leaf in the generated
#				topopack.conf (default 4)
#	CLUSTER_GPU_TYPE	GPU type in gres.conf and slurm.conf (and
#				topopack.conf with "inventory"; default h100)
#	CLUSTER_TOPOPACK_CONF	what cluster_gen_fabric writes in
#				topopack.conf: "fabric" (default: NVLink
#				domains and uplinks; GPUs come from slurm.conf
#				and gres.conf, as a site configures them),
#				"inventory" (also each node's GPUs, repeating
#				Slurm's) or "none" (no topopack.conf)
#	CLUSTER_SLURM_PREFIX	run another Slurm release, installed
#				in this prefix (contrib/slurm-source
#				--release VERSION --daemons prints it):
#				its sbin and bin come first in PATH, so
#				daemons and client commands are that
#				release's; unset: Debian's Slurm
#	CLUSTER_SLURM_PLUGIN_DIR	Slurm's own plugins (default:
#				CLUSTER_SLURM_PREFIX/lib/slurm, else
#				Debian's /usr/lib/<multiarch>/slurm-wlm)
#
# Variables set (tests may read them; set CLUSTER_NODES, CLUSTER_GPUS
# themselves when they write their own topology files):
#	CLUSTER_DIR CLUSTER_CONF CLUSTER_NAME CLUSTER_PORT_BASE
#	CLUSTER_CTLD_PORT CLUSTER_NODES CLUSTER_GPUS CLUSTER_GPU_TYPE
#	CLUSTER_START_SECONDS (how long the last cluster_start took)
#
# Functions (each is described where it is defined):
#	cluster_check_prereqs	can a cluster run here (else skip: 77)
#	cluster_release		MAJOR.MINOR of the Slurm that runs
#	cluster_release_at_least MAJOR.MINOR
#	cluster_topopack_stack	"SELECT TOPOLOGY" of topopack on it
#	cluster_init DIR	work directory, SLURM_CONF, EXIT trap
#	cluster_gen_fabric NODES LEAVES NODES_PER_DOMAIN GPUS
#				topology.conf and topopack.conf
#	cluster_write_conf SELECT_TYPE TOPOLOGY_PLUGIN [LINE...]
#				slurm.conf, gres.conf, cgroup.conf
#	cluster_start, cluster_stop, cluster_restart_ctld
#	cluster_submit ARG...	sbatch --parsable; prints the job id
#	cluster_job_state JOBID, cluster_wait_state JOBID STATE TIMEOUT
#	cluster_job_nodes JOBID	n01,n02,... (sorted)
#	cluster_job_output JOBID	path of slurm-<id>.out
#	cluster_wait_idle TIMEOUT
#	cluster_log_ctld, cluster_log_slurmd NODE, cluster_logs_tail [N]
#	cluster_node_name I, cluster_hostlist FIRST LAST
#	cluster_have_plugin NAME	is NAME.so in TOPOPACK_PLUGIN_DIR
#	cluster_start_munge, cluster_fail MSG
#
# Functions return non-zero on failure and print why on stderr; they
# never exit the test, except cluster_fail.

# Another release's daemons and commands before Debian's. They are still
# run by the names slurmctld, slurmd, sbatch...: Slurm tells which daemon
# it is from argv[0].
if [ -n "${CLUSTER_SLURM_PREFIX:-}" ]; then
	case $PATH in
	"$CLUSTER_SLURM_PREFIX/sbin:$CLUSTER_SLURM_PREFIX/bin:"*) ;;
	*) PATH=$CLUSTER_SLURM_PREFIX/sbin:$CLUSTER_SLURM_PREFIX/bin:$PATH ;;
	esac
	CLUSTER_SLURM_PLUGIN_DIR=${CLUSTER_SLURM_PLUGIN_DIR:-$CLUSTER_SLURM_PREFIX/lib/slurm}
fi
# Debian's plugins (/usr/lib/<multiarch>/slurm-wlm).
if [ -z "${CLUSTER_SLURM_PLUGIN_DIR:-}" ]; then
	CLUSTER_SLURM_PLUGIN_DIR=/usr/lib/x86_64-linux-gnu/slurm-wlm
	for _cluster_d in /usr/lib/*/slurm-wlm; do
		if [ -f "$_cluster_d/select_cons_tres.so" ]; then
			CLUSTER_SLURM_PLUGIN_DIR=$_cluster_d
			break
		fi
	done
	unset _cluster_d
fi
CLUSTER_GPU_TYPE=${CLUSTER_GPU_TYPE:-h100}

case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/sbin:/sbin ;;
esac

_cluster_msg() {
	printf 'cluster: %s\n' "$*" >&2
}

# cluster_need_plugin NAME: exit 77 (skip) unless NAME.so is in one of
# the TOPOPACK_PLUGIN_DIR directories: the prologue of plugin tests.
cluster_need_plugin() {
	cluster_have_plugin "$1" && return 0
	echo "$1.so is not in TOPOPACK_PLUGIN_DIR ('${TOPOPACK_PLUGIN_DIR:-}')"
	exit 77
}

# cluster_fail MSG...: print "FAIL: MSG" and exit 1 (the EXIT trap stops
# the cluster).
cluster_fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# cluster_check_prereqs: 0 when a cluster can run here (root, Slurm's
# daemons and client, munge); else prints what is missing and returns 1.
# Tests use it as "cluster_check_prereqs || exit 77" (skip).
cluster_check_prereqs() {
	local missing="" cmd target
	[ "$(id -u)" -eq 0 ] || { _cluster_msg "needs root"; return 1; }
	if [ -n "${CLUSTER_SLURM_PREFIX:-}" ]; then
		for cmd in sbin/slurmctld sbin/slurmd bin/sbatch; do
			[ -x "$CLUSTER_SLURM_PREFIX/$cmd" ] && continue
			_cluster_msg "CLUSTER_SLURM_PREFIX=$CLUSTER_SLURM_PREFIX" \
				"has no $cmd (contrib/slurm-source --release" \
				"VERSION --daemons installs one)"
			return 1
		done
	fi
	for cmd in slurmctld slurmd sbatch squeue sinfo scontrol scancel \
		munge unmunge munged; do
		command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
	done
	if [ -n "$missing" ]; then
		_cluster_msg "missing:$missing" \
			"(apt-get install slurmctld slurmd slurm-client munge)"
		return 1
	fi
	# slurm-wlm-emulator switches the daemons to front-end builds that
	# refuse Debian's libslurmfull.
	for cmd in slurmctld slurmd; do
		target=$(readlink -f "$(command -v "$cmd")")
		case $target in
		*emulator*)
			_cluster_msg "$cmd is $target (slurm-wlm-emulator):" \
				"update-alternatives --set $cmd /usr/sbin/$cmd-wlm"
			return 1 ;;
		esac
	done
	return 0
}

# cluster_release: MAJOR.MINOR of the Slurm whose daemons a cluster runs
# here (Debian's, or CLUSTER_SLURM_PREFIX's), e.g. 22.05, from
# "slurmctld -V" ("slurm-wlm 22.05.8", "slurm 24.11.5"). Returns 1 when
# no slurmctld tells.
cluster_release() {
	local v
	v=$(slurmctld -V 2>/dev/null)
	v=${v##* }
	if ! [[ $v =~ ^([0-9]+)\.([0-9]+)\. ]]; then
		_cluster_msg "cannot tell the Slurm release: slurmctld -V" \
			"says '$v'"
		return 1
	fi
	printf '%s.%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
}

# cluster_release_at_least MAJOR.MINOR: 0 when the running release
# (cluster_release) is MAJOR.MINOR or later.
cluster_release_at_least() {
	local have want=$1
	have=$(cluster_release) || return 1
	[ $((10#${have%%.*} * 100 + 10#${have#*.})) -ge \
		$((10#${want%%.*} * 100 + 10#${want#*.})) ]
}

# cluster_topopack_stack: "SELECT TOPOLOGY", the SelectType and
# TopologyPlugin that make topopack place jobs on the running release:
# up to 22.05 its own select plugin over cons_tres; from 24.11 on the
# topology plugin owns node selection (topology_p_eval_nodes) under the
# stock select/cons_tres. Tests pass it to cluster_write_conf:
#	read -r select topo < <(cluster_topopack_stack)
cluster_topopack_stack() {
	if cluster_release_at_least 24.11; then
		echo "select/cons_tres topology/topopack"
	else
		echo "select/topopack topology/topopack"
	fi
}

# _cluster_release_conf FILE: the lines of FILE (cgroup.conf) that
# differ between Slurm releases; every such difference is here.
#	cgroup.conf	22.05 knows no CgroupPlugin=disabled: it loads
#			cgroup/v1 (this machine mounts v1 hierarchies),
#			which proctrack/linuxproc and task/none leave
#			unused. From 24.11 on "disabled" keeps the daemons
#			off cgroups whatever the host mounts (cgroup/v1
#			still works there, deprecated from 26.05 on).
# Nothing else differs: the slurm.conf lines are accepted alike by
# 22.05, 24.11 and 26.05 (the "*/none" plugins, which later releases no
# longer ship, are read as "none"), and gres.conf names each GPU's File=
# as 24.11 requires.
_cluster_release_conf() {
	case $1 in
	cgroup.conf)
		if cluster_release_at_least 24.11; then
			echo "CgroupPlugin=disabled"
		else
			echo "CgroupPlugin=cgroup/v1"
		fi
		;;
	esac
}

# cluster_init DIR: use DIR (created if needed) for everything of this
# cluster; exports SLURM_CONF=DIR/etc/slurm.conf for the client commands
# and installs cluster_stop as the EXIT trap.
cluster_init() {
	local dir=${1:?usage: cluster_init DIR} v
	mkdir -p "$dir" || return 1
	CLUSTER_DIR=$(cd "$dir" && pwd) || return 1
	mkdir -p "$CLUSTER_DIR"/{etc,log,run,spool,state,jobs} || return 1
	CLUSTER_CONF=$CLUSTER_DIR/etc/slurm.conf
	CLUSTER_PORT_BASE=${CLUSTER_PORT_BASE:-17000}
	CLUSTER_CTLD_PORT=$((CLUSTER_PORT_BASE + 900))
	CLUSTER_NAME=tp$(printf '%s' "$CLUSTER_DIR" | cksum | cut -d' ' -f1)
	# Step sockets live in the spool (<spool>/<node>_<job>.<step>, up
	# to about 30 characters) and must fit in sun_path (108).
	if [ ${#CLUSTER_DIR} -gt 64 ]; then
		_cluster_msg "warning: $CLUSTER_DIR is long; slurmstepd" \
			"sockets under it may not fit in 108 characters"
	fi
	# Variables of an enclosing job or the user's formats would change
	# what the client commands do or print.
	for v in ${!SLURM_@} ${!SBATCH_@} ${!SQUEUE_@} ${!SINFO_@} \
		${!SCONTROL_@} ${!SALLOC_@} ${!SRUN_@}; do
		unset "$v"
	done
	export SLURM_CONF=$CLUSTER_CONF
	trap cluster_stop EXIT
}

# cluster_node_name I: name of node I (1-based): n01..n99, and with three
# or more digits once CLUSTER_NODES (or I) reaches 100.
cluster_node_name() {
	local i=$1 n=${CLUSTER_NODES:-$1} w=2
	[ "$n" -lt "$i" ] && n=$i
	[ "$n" -ge 100 ] && w=${#n}
	printf 'n%0*d\n' "$w" "$i"
}

# cluster_hostlist FIRST LAST: Slurm hostlist of nodes FIRST..LAST.
cluster_hostlist() {
	local a b
	a=$(cluster_node_name "$1")
	b=$(cluster_node_name "$2")
	if [ "$1" -eq "$2" ]; then
		printf '%s\n' "$a"
	else
		printf 'n[%s-%s]\n' "${a#n}" "${b#n}"
	fi
}

# cluster_gen_fabric NODES LEAVES NODES_PER_DOMAIN GPUS: write
# DIR/etc/topology.conf (leaf1..leafL over consecutive nodes, the first
# NODES % LEAVES leaves one node larger; spine1 over all leaves) and
# DIR/etc/topopack.conf as CLUSTER_TOPOPACK_CONF says (NVLink domains
# nvl1.. of NODES_PER_DOMAIN consecutive nodes when it is above 1, the
# last one possibly smaller; CLUSTER_UPLINKS uplinks of 400 Gb/s per
# leaf; with "inventory" also GPUS GPUs of type CLUSTER_GPU_TYPE per
# node). GPUS is what cluster_write_conf gives each node in slurm.conf
# and gres.conf. Sets CLUSTER_NODES and CLUSTER_GPUS.
cluster_gen_fabric() {
	local nodes=$1 leaves=$2 per_dom=$3 gpus=$4
	local etc=${CLUSTER_DIR:?cluster_init first}/etc
	local l first last size d uplinks=${CLUSTER_UPLINKS:-4}
	if [ $# -ne 4 ] || [ "$nodes" -lt 1 ] || [ "$leaves" -lt 1 ] ||
		[ "$leaves" -gt "$nodes" ] || [ "$per_dom" -lt 1 ] ||
		[ "$gpus" -lt 0 ] || [ "$gpus" -gt 64 ]; then
		_cluster_msg "usage: cluster_gen_fabric NODES LEAVES" \
			"NODES_PER_DOMAIN GPUS (LEAVES <= NODES, GPUS <= 64)"
		return 1
	fi
	CLUSTER_NODES=$nodes
	CLUSTER_GPUS=$gpus
	{
		echo "# topology.conf - $nodes nodes under $leaves leaf switches and one spine"
		first=1
		for ((l = 1; l <= leaves; l++)); do
			size=$((nodes / leaves + (l <= nodes % leaves ? 1 : 0)))
			last=$((first + size - 1))
			echo "SwitchName=leaf$l Nodes=$(cluster_hostlist "$first" "$last")"
			first=$((last + 1))
		done
		if [ "$leaves" -eq 1 ]; then
			echo "SwitchName=spine1 Switches=leaf1"
		else
			echo "SwitchName=spine1 Switches=leaf[1-$leaves]"
		fi
	} >"$etc/topology.conf" || return 1
	rm -f "$etc/topopack.conf"
	case ${CLUSTER_TOPOPACK_CONF:-fabric} in
	none) return 0 ;;
	fabric | inventory) ;;
	*)
		_cluster_msg "CLUSTER_TOPOPACK_CONF=$CLUSTER_TOPOPACK_CONF:" \
			"expected fabric, inventory or none"
		return 1
		;;
	esac
	{
		if [ "$per_dom" -gt 1 ]; then
			echo "# topopack.conf - NVLink domains of $per_dom nodes"
		else
			echo "# topopack.conf - each node its own NVLink domain"
		fi
		[ "${CLUSTER_TOPOPACK_CONF:-fabric}" = inventory ] &&
			echo "NodeName=$(cluster_hostlist 1 "$nodes") Gpus=$gpus GpuType=$CLUSTER_GPU_TYPE"
		if [ "$per_dom" -gt 1 ]; then
			d=1
			for ((first = 1; first <= nodes; first += per_dom)); do
				last=$((first + per_dom - 1))
				[ "$last" -gt "$nodes" ] && last=$nodes
				echo "DomainName=nvl$d Nodes=$(cluster_hostlist "$first" "$last")"
				d=$((d + 1))
			done
		fi
		for ((l = 1; l <= leaves; l++)); do
			echo "SwitchName=leaf$l Uplinks=$uplinks UplinkSpeed=400"
		done
	} >"$etc/topopack.conf"
}

# The PluginDir value: the existing directories of TOPOPACK_PLUGIN_DIR,
# then Debian's.
_cluster_plugin_dir() {
	local out="" d
	local IFS=:
	for d in ${TOPOPACK_PLUGIN_DIR:-}; do
		[ -n "$d" ] || continue
		if [ -d "$d" ]; then
			out=$out$d:
		else
			# One word: IFS is ":" here.
			_cluster_msg "warning: plugin directory $d does not exist; left out of PluginDir"
		fi
	done
	printf '%s%s\n' "$out" "$CLUSTER_SLURM_PLUGIN_DIR"
}

# cluster_have_plugin NAME: 0 when NAME.so (e.g. select_topopack) is in
# one of the TOPOPACK_PLUGIN_DIR directories. Tests of the topopack
# plugins use "cluster_have_plugin select_topopack || exit 77".
cluster_have_plugin() {
	local d
	local IFS=:
	for d in ${TOPOPACK_PLUGIN_DIR:-}; do
		[ -n "$d" ] && [ -f "$d/$1.so" ] && return 0
	done
	return 1
}

# cluster_spank_plugin: print the path of spank_topopack.so, found in the
# TOPOPACK_PLUGIN_DIR directories or, since test/integration/run lists
# only select and topology plugin directories, beside them in the build
# tree (TOPOPACK_BUILDDIR); 1 when there is none.
cluster_spank_plugin() {
	local d dirs
	IFS=: read -r -a dirs <<<"${TOPOPACK_PLUGIN_DIR:-}"
	dirs+=("${TOPOPACK_BUILDDIR:-.}/plugin/spank/topopack/.libs")
	for d in "${dirs[@]}"; do
		[ -n "$d" ] && [ -f "$d/spank_topopack.so" ] &&
			{ printf '%s\n' "$d/spank_topopack.so"; return 0; }
	done
	return 1
}

# cluster_write_conf SELECT_TYPE TOPOLOGY_PLUGIN [LINE...]: write
# slurm.conf, gres.conf and cgroup.conf into DIR/etc for CLUSTER_NODES
# nodes of 8 CPUs, 8000 MB and CLUSTER_GPUS (default 8) GPUs each, in one
# partition "batch". Each extra LINE is appended to slurm.conf as it is
# (a later key overrides an earlier one).
cluster_write_conf() {
	local select=${1:?usage: cluster_write_conf SELECT_TYPE TOPOLOGY_PLUGIN [LINE...]}
	local topo=${2:?usage: cluster_write_conf SELECT_TYPE TOPOLOGY_PLUGIN [LINE...]}
	shift 2
	local etc=${CLUSTER_DIR:?cluster_init first}/etc
	local n=${CLUSTER_NODES:?set CLUSTER_NODES or call cluster_gen_fabric}
	local g=${CLUSTER_GPUS:-8} b=$CLUSTER_PORT_BASE nodes gres line
	CLUSTER_GPUS=$g
	local eph
	if [ "$n" -lt 1 ] || [ "$n" -gt 9999 ]; then
		_cluster_msg "CLUSTER_NODES=$n: 1 to 9999 nodes"
		return 1
	fi
	CLUSTER_CTLD_PORT=$((b + (n < 900 ? 900 : n + 1)))
	eph=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	if [ -n "$eph" ] && [ "$CLUSTER_CTLD_PORT" -ge "$eph" ]; then
		_cluster_msg "ports $((b + 1))-$CLUSTER_CTLD_PORT reach the" \
			"ephemeral range (from $eph): lower CLUSTER_PORT_BASE"
		return 1
	fi
	nodes=$(cluster_hostlist 1 "$n")
	gres=""
	[ "$g" -gt 0 ] && gres=" Gres=gpu:$CLUSTER_GPU_TYPE:$g"
	{
		cat <<-EOF
		# slurm.conf - test cluster in $CLUSTER_DIR
		# (written by test/cluster/cluster.sh)
		ClusterName=$CLUSTER_NAME
		SlurmctldHost=localhost(127.0.0.1)
		SlurmctldPort=$CLUSTER_CTLD_PORT
		SlurmdPort=$((b + 1))
		SlurmUser=root
		SlurmdUser=root
		AuthType=auth/munge
		CredType=cred/munge
		PluginDir=$(_cluster_plugin_dir)
		StateSaveLocation=$CLUSTER_DIR/state
		SlurmdSpoolDir=$CLUSTER_DIR/spool/%n
		SlurmctldPidFile=$CLUSTER_DIR/run/slurmctld.pid
		SlurmdPidFile=$CLUSTER_DIR/run/slurmd.%n.pid
		SlurmctldLogFile=$CLUSTER_DIR/log/slurmctld.log
		SlurmdLogFile=$CLUSTER_DIR/log/slurmd.%n.log
		SlurmctldDebug=${CLUSTER_CTLD_DEBUG:-info}
		SlurmdDebug=${CLUSTER_SLURMD_DEBUG:-info}
		SlurmdParameters=config_overrides
		ProctrackType=proctrack/linuxproc
		TaskPlugin=task/none
		MpiDefault=none
		SwitchType=switch/none
		JobAcctGatherType=jobacct_gather/none
		AccountingStorageType=accounting_storage/none
		JobCompType=jobcomp/none
		SchedulerType=sched/backfill
		SchedulerParameters=sched_interval=1,bf_interval=1
		SelectType=$select
		SelectTypeParameters=CR_Core_Memory
		TopologyPlugin=$topo
		GresTypes=gpu
		DefMemPerCPU=100
		ReturnToService=2
		PropagateResourceLimits=NONE
		MailProg=/bin/true
		MinJobAge=600
		KillWait=2
		InactiveLimit=0
		Waittime=0
		EOF
		[ -n "${CLUSTER_DEBUG_FLAGS:-}" ] &&
			echo "DebugFlags=$CLUSTER_DEBUG_FLAGS"
		echo "NodeName=$nodes NodeHostname=localhost NodeAddr=127.0.0.1 Port=[$((b + 1))-$((b + n))] CPUs=8 RealMemory=8000$gres State=UNKNOWN"
		echo "PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
		for line in "$@"; do
			printf '%s\n' "$line"
		done
	} >"$etc/slurm.conf" || return 1
	{
		echo "# gres.conf - $g fake GPUs per node"
		echo "AutoDetect=off"
		if [ "$g" -eq 1 ]; then
			echo "NodeName=$nodes Name=gpu Type=$CLUSTER_GPU_TYPE File=/dev/tty0"
		elif [ "$g" -gt 1 ]; then
			echo "NodeName=$nodes Name=gpu Type=$CLUSTER_GPU_TYPE File=/dev/tty[0-$((g - 1))]"
		fi
	} >"$etc/gres.conf" || return 1
	_cluster_release_conf cgroup.conf >"$etc/cgroup.conf"
}

# _cluster_pids KIND: pids of this cluster's KIND processes: slurmctld
# and slurmd, recognised by argv ("-f DIR/etc/slurm.conf"); slurmstepd,
# by SLURM_CONF=DIR/etc/slurm.conf in its environment (it inherits
# slurmd's); job, the processes of jobs (SLURM_CONF as above and a
# SLURM_JOB_ID, which the test's own processes do not have).
_cluster_pids() {
	local kind=$1 p i args env0 match conf job
	[ -n "${CLUSTER_CONF:-}" ] || return 0
	for p in /proc/[0-9]*; do
		args=()
		mapfile -d '' -t args 2>/dev/null <"$p/cmdline" || continue
		[ ${#args[@]} -gt 0 ] || continue
		match=0
		case $kind in
		slurmstepd|job)
			case ${args[0]} in
			slurmstepd*|*/slurmstepd*)
				[ "$kind" = slurmstepd ] || continue ;;
			*)
				[ "$kind" = job ] || continue ;;
			esac
			conf=0
			job=0
			while IFS= read -r -d '' env0; do
				case $env0 in
				"SLURM_CONF=$CLUSTER_CONF") conf=1 ;;
				SLURM_JOB_ID=*) job=1 ;;
				esac
			done 2>/dev/null <"$p/environ"
			if [ "$conf" -eq 1 ]; then
				[ "$kind" = slurmstepd ] || [ "$job" -eq 1 ] &&
					match=1
			fi
			;;
		*)
			[ "${args[0]##*/}" = "$kind" ] || continue
			for ((i = 1; i + 1 < ${#args[@]}; i++)); do
				if [ "${args[i]}" = -f ] &&
					[ "${args[i + 1]}" = "$CLUSTER_CONF" ]; then
					match=1
					break
				fi
			done
			;;
		esac
		[ "$match" -eq 0 ] || echo "${p#/proc/}"
	done
	return 0
}

# _cluster_wait_gone TIMEOUT PID...: wait until the processes are gone.
_cluster_wait_gone() {
	local t=$1 end p alive
	shift
	end=$((SECONDS + t))
	while :; do
		alive=0
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ "$alive" -eq 0 ] && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# _cluster_kill: end whatever is left of this cluster: slurmstepd and
# job processes with SIGKILL (slurmstepd ignores SIGTERM), slurmctld and
# slurmd with SIGTERM, then SIGKILL after 10 s.
_cluster_kill() {
	local pids=()
	mapfile -t pids < <(_cluster_pids slurmstepd; _cluster_pids job)
	if [ ${#pids[@]} -gt 0 ]; then
		_cluster_msg "killing steps and job processes: ${pids[*]}"
		kill -KILL "${pids[@]}" 2>/dev/null
		_cluster_wait_gone 5 "${pids[@]}"
	fi
	mapfile -t pids < <(_cluster_pids slurmctld; _cluster_pids slurmd)
	[ ${#pids[@]} -gt 0 ] || return 0
	kill -TERM "${pids[@]}" 2>/dev/null
	_cluster_wait_gone 10 "${pids[@]}" && return 0
	_cluster_msg "killing daemons with SIGKILL: ${pids[*]}"
	kill -KILL "${pids[@]}" 2>/dev/null
	_cluster_wait_gone 5 "${pids[@]}"
}

# _cluster_leftovers: pids of every process of this cluster.
_cluster_leftovers() {
	_cluster_pids slurmctld
	_cluster_pids slurmd
	_cluster_pids slurmstepd
	_cluster_pids job
}

# _cluster_port_busy PORT: 0 when some socket listens on TCP PORT (read
# from /proc, without connecting to it).
_cluster_port_busy() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v h="$hex" '$4 == "0A" { n = split($2, a, ":"); if (a[n] == h) f = 1 }
		END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# _cluster_ports_free PORT...: 0 when none of the ports is listened on;
# else says which are and how to get others.
_cluster_ports_free() {
	local busy
	# One pass over the listening sockets, however many ports.
	busy=$(awk -v want="$*" '
		BEGIN { n = split(want, w, " ")
			for (i = 1; i <= n; i++) ask[sprintf("%04X", w[i])] = w[i] }
		$4 == "0A" { k = split($2, a, ":")
			if ((a[k] in ask) && !seen[a[k]]++) printf " %d", ask[a[k]] }
	' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
	[ -z "$busy" ] && return 0
	_cluster_msg "ports in use:$busy; choose another CLUSTER_PORT_BASE"
	return 1
}

# cluster_start_munge: start munged unless a working one runs (it is
# shared by all clusters and never stopped here).
cluster_start_munge() {
	local end
	munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
	if [ ! -f /etc/munge/munge.key ]; then
		_cluster_msg "creating /etc/munge/munge.key"
		mungekey --create >/dev/null 2>&1 ||
			dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 \
				count=1 2>/dev/null
		chown munge:munge /etc/munge/munge.key
		chmod 0400 /etc/munge/munge.key
	fi
	mkdir -p /run/munge && chown munge:munge /run/munge
	su -s /bin/sh munge -c /usr/sbin/munged </dev/null >/dev/null 2>&1
	end=$((SECONDS + 15))
	until munge -n 2>/dev/null | unmunge >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$end" ]; then
			_cluster_msg "munged does not answer"
			return 1
		fi
		sleep 0.2
	done
}

# _cluster_ctld_up: 0 when this cluster's slurmctld answers.
_cluster_ctld_up() {
	timeout 15 scontrol ping 2>/dev/null | grep -q 'is UP'
}

# _cluster_start_ctld TIMEOUT: start slurmctld and wait until it answers.
_cluster_start_ctld() {
	local t=$1 end
	(cd "$CLUSTER_DIR/run" &&
		slurmctld -f "$CLUSTER_CONF" </dev/null \
			>>"$CLUSTER_DIR/log/slurmctld.stderr" 2>&1)
	end=$((SECONDS + t))
	until _cluster_ctld_up; do
		if [ -z "$(_cluster_pids slurmctld)" ]; then
			# Give a just-forked daemon a moment before judging.
			sleep 0.5
			if [ -z "$(_cluster_pids slurmctld)" ]; then
				_cluster_msg "slurmctld exited"
				return 1
			fi
		fi
		if [ "$SECONDS" -ge "$end" ]; then
			_cluster_msg "slurmctld does not answer after ${t}s"
			return 1
		fi
		sleep 0.3
	done
}

# cluster_logs_tail [N]: the last N (default 30) lines of slurmctld's log
# and stderr and of the slurmd logs that hold errors, on stderr.
cluster_logs_tail() {
	local n=${1:-30} f shown
	for f in "$CLUSTER_DIR/log/slurmctld.stderr" \
		"$CLUSTER_DIR/log/slurmctld.log"; do
		[ -s "$f" ] || continue
		printf -- '--- %s (last %d lines)\n' "$f" "$n" >&2
		tail -n "$n" "$f" >&2
	done
	# Slurmd logs with errors other than the usual PMIx noise; at most 4.
	shown=0
	for f in "$CLUSTER_DIR"/log/slurmd.*; do
		[ -s "$f" ] || continue
		[ "$shown" -lt 4 ] || break
		grep -iE 'error|fatal' "$f" | grep -qviE 'pmix|mpi' || continue
		printf -- '--- %s (last 10 lines)\n' "$f" >&2
		tail -n 10 "$f" >&2
		shown=$((shown + 1))
	done
}

# _cluster_nodes_idle: 0 when sinfo shows all CLUSTER_NODES nodes idle.
_cluster_nodes_idle() {
	local states
	states=$(timeout 15 sinfo -h -N -o '%N %t' 2>/dev/null) || return 1
	# A node in several partitions is listed once per partition.
	[ "$(awk '$2 == "idle" && !seen[$1]++ { n++ } END { print n + 0 }' \
		<<<"$states")" -eq "$CLUSTER_NODES" ]
}

# cluster_start: start munged if needed, slurmctld, one slurmd per node,
# and wait (CLUSTER_START_TIMEOUT, default 60 s) until every node is
# idle. On failure prints the logs' tails and returns 1 (daemons already
# started stay up for inspection until cluster_stop or the EXIT trap).
cluster_start() {
	local n=${CLUSTER_NODES:?cluster_gen_fabric first}
	local t=${CLUSTER_START_TIMEOUT:-$((60 + (n > 120 ? (n - 120) / 2 : 0)))}
	local end i name p pids=()
	local start=$SECONDS
	[ -f "${CLUSTER_CONF:?cluster_init first}" ] || {
		_cluster_msg "no $CLUSTER_CONF: cluster_write_conf first"
		return 1
	}
	if [ -n "$(_cluster_pids slurmctld)$(_cluster_pids slurmd)" ]; then
		_cluster_msg "daemons of $CLUSTER_DIR already run"
		return 1
	fi
	# shellcheck disable=SC2046 # the port numbers, one word each
	_cluster_ports_free "$CLUSTER_CTLD_PORT" \
		$(seq $((CLUSTER_PORT_BASE + 1)) $((CLUSTER_PORT_BASE + CLUSTER_NODES))) ||
		return 1
	cluster_start_munge || return 1

	_cluster_start_ctld "$t" || { cluster_logs_tail 30; return 1; }
	for ((i = 1; i <= CLUSTER_NODES; i++)); do
		name=$(cluster_node_name "$i")
		mkdir -p "$CLUSTER_DIR/spool/$name"
		(cd "$CLUSTER_DIR/run" &&
			exec slurmd -f "$CLUSTER_CONF" -N "$name" </dev/null \
				>>"$CLUSTER_DIR/log/slurmd.$name.stderr" 2>&1) &
		pids+=($!)
	done
	# Each returns once its daemon has forked off.
	for p in "${pids[@]}"; do
		wait "$p"
	done

	end=$((start + t))
	until _cluster_nodes_idle; do
		if [ "$SECONDS" -ge "$end" ]; then
			_cluster_msg "nodes not all idle after ${t}s; by state:"
			timeout 15 sinfo -h -o '%D %t %N' >&2
			cluster_logs_tail 30
			return 1
		fi
		sleep 0.3
	done
	# shellcheck disable=SC2034 # read by the tests
	CLUSTER_START_SECONDS=$((SECONDS - start))
}

# cluster_stop: cancel the jobs, "scontrol shutdown", then end whatever
# is left of this cluster's slurmctld, slurmd, slurmstepd and job
# processes. Returns 1 if some of them would not go.
# Safe to call twice, before cluster_start and after a failed start.
cluster_stop() {
	local end jobs
	[ -n "${CLUSTER_CONF:-}" ] || return 0
	if [ -n "$(_cluster_pids slurmctld)" ] && _cluster_ctld_up; then
		jobs=$(timeout 15 squeue -h -o %A 2>/dev/null)
		if [ -n "$jobs" ]; then
			# shellcheck disable=SC2086
			timeout 15 scancel $jobs 2>/dev/null
			end=$((SECONDS + 15))
			while [ -n "$(timeout 15 squeue -h -t R,CG,S -o %A 2>/dev/null)" ] &&
				[ "$SECONDS" -lt "$end" ]; do
				sleep 0.3
			done
		fi
		timeout 15 scontrol shutdown >/dev/null 2>&1
	fi
	local pids=()
	mapfile -t pids < <(_cluster_pids slurmctld; _cluster_pids slurmd)
	if [ ${#pids[@]} -gt 0 ]; then
		_cluster_wait_gone 20 "${pids[@]}"
	fi
	_cluster_kill
	[ -z "$(_cluster_leftovers)" ]
}

# _cluster_nodes_known: 0 when every node has registered with slurmctld
# (no state "unk" and none marked not responding, "*"). sinfo lists a
# node once per partition: each node counts once.
_cluster_nodes_known() {
	local states
	states=$(timeout 15 sinfo -h -N -o '%N %t' 2>/dev/null | sort -u) ||
		return 1
	[ "$(grep -c . <<<"$states")" -eq "$CLUSTER_NODES" ] &&
		! grep -qE 'unk|\*' <<<"$states"
}

# cluster_restart_ctld: stop slurmctld only (its state is saved) and
# start it again; returns once it answers and every node has registered
# again (30 s at most each).
cluster_restart_ctld() {
	local pids=() end
	[ -n "${CLUSTER_CONF:-}" ] || { _cluster_msg "cluster_init first"; return 1; }
	mapfile -t pids < <(_cluster_pids slurmctld)
	if [ ${#pids[@]} -gt 0 ]; then
		timeout 15 scontrol shutdown slurmctld >/dev/null 2>&1
		if ! _cluster_wait_gone 30 "${pids[@]}"; then
			kill -KILL "${pids[@]}" 2>/dev/null
			_cluster_wait_gone 5 "${pids[@]}"
		fi
	fi
	_cluster_start_ctld 30 || { cluster_logs_tail 30; return 1; }
	end=$((SECONDS + 30))
	until _cluster_nodes_known; do
		if [ "$SECONDS" -ge "$end" ]; then
			_cluster_msg "nodes have not registered again after 30s:"
			timeout 15 sinfo -N -o '%N %t %E' >&2
			return 1
		fi
		sleep 0.3
	done
}

# cluster_submit SBATCH-ARG...: sbatch --parsable from DIR/jobs (so the
# output is DIR/jobs/slurm-<id>.out unless --output says otherwise);
# prints the job id.
cluster_submit() {
	local out
	out=$(cd "${CLUSTER_DIR:?cluster_init first}/jobs" &&
		timeout 60 sbatch --parsable "$@") || {
		_cluster_msg "sbatch $* failed"
		return 1
	}
	out=${out%%;*}
	[ -n "$out" ] || return 1
	printf '%s\n' "$out"
}

# cluster_job_output JOBID: path of the default output file of a job.
cluster_job_output() {
	printf '%s/jobs/slurm-%s.out\n' "$CLUSTER_DIR" "$1"
}

# _cluster_job_field JOBID FIELD: one Key=Value field of
# "scontrol show job -o".
_cluster_job_field() {
	timeout 15 scontrol show job -o "$1" 2>/dev/null |
		tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# cluster_job_state JOBID: JobState (PENDING, RUNNING, COMPLETED, ...).
cluster_job_state() {
	_cluster_job_field "$1" JobState
}

# cluster_wait_state JOBID STATE TIMEOUT: wait until the job's state is
# STATE (an extended regex, e.g. "RUNNING" or "COMPLETED|FAILED").
# Returns 1 on timeout, or at once when the job reaches another final
# state; prints the state it saw on stderr then.
cluster_wait_state() {
	local job=$1 want=$2 t=${3:-60} end state
	end=$((SECONDS + t))
	while :; do
		state=$(cluster_job_state "$job")
		[[ $state =~ ^($want)$ ]] && return 0
		case $state in
		COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|\
		BOOT_FAIL|DEADLINE|OUT_OF_MEMORY)
			_cluster_msg "job $job is $state, not $want" \
				"($(_cluster_job_field "$job" Reason))"
			return 1 ;;
		esac
		if [ "$SECONDS" -ge "$end" ]; then
			_cluster_msg "job $job is ${state:-unknown} after ${t}s," \
				"not $want ($(_cluster_job_field "$job" Reason))"
			return 1
		fi
		sleep 0.3
	done
}

# cluster_job_nodes JOBID: the job's nodes, expanded, sorted, comma
# separated (empty while it has none).
cluster_job_nodes() {
	local list
	list=$(_cluster_job_field "$1" NodeList)
	case $list in ""|"(null)") echo; return 0 ;; esac
	timeout 15 scontrol show hostnames "$list" | sort -V | paste -sd, -
}

# cluster_wait_idle TIMEOUT: wait until no job runs or completes and
# every node is idle.
cluster_wait_idle() {
	local t=${1:-60} end
	end=$((SECONDS + t))
	until [ -z "$(timeout 15 squeue -h -t R,CG,S -o %A 2>/dev/null)" ] &&
		_cluster_nodes_idle; do
		if [ "$SECONDS" -ge "$end" ]; then
			_cluster_msg "cluster not idle after ${t}s"
			timeout 15 sinfo -N -o '%N %t' >&2
			timeout 15 squeue >&2
			return 1
		fi
		sleep 0.3
	done
}

# cluster_log_ctld: path of slurmctld's log.
cluster_log_ctld() {
	printf '%s/log/slurmctld.log\n' "$CLUSTER_DIR"
}

# cluster_log_slurmd NODE: path of a slurmd's log.
cluster_log_slurmd() {
	printf '%s/log/slurmd.%s.log\n' "$CLUSTER_DIR" "$1"
}
