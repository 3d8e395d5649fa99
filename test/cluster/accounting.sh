# shellcheck shell=bash
# test/cluster/accounting.sh - Slurm accounting for a test cluster: a
# MariaDB server and a slurmdbd of its own, for tests that need QOS or
# associations (e.g. PreemptType=preempt/qos).
#
# A bash library, sourced after test/cluster/cluster.sh:
#
#	. "$top/test/cluster/cluster.sh"
#	. "$top/test/cluster/accounting.sh"
#	cluster_check_prereqs || exit 77
#	cluster_check_accounting || exit 77
#	cluster_init "$dir"
#	trap 'cluster_stop; cluster_stop_accounting' EXIT
#	cluster_gen_fabric 8 2 1 8
#	mapfile -t acct < <(cluster_accounting_conf)
#	cluster_write_conf select/cons_tres topology/tree "${acct[@]}"
#	cluster_start_accounting || cluster_fail "accounting did not start"
#	cluster_sacctmgr add qos low || cluster_fail "sacctmgr"
#	cluster_start || cluster_fail "cluster did not start"
#	...
#	cluster_stop; cluster_stop_accounting
#
# Everything lives under the cluster's work directory DIR:
#	DIR/db/data	the database files (mariadb-install-db)
#	DIR/db/sock	mariadbd's socket (root logs in there, as the
#			unix user root, with no password)
#	DIR/etc/slurmdbd.conf	mode 600: it holds the database password
#	DIR/log	mariadbd.log, slurmdbd.log and the daemons' stderr
#	DIR/run	pid files
# The database is reached over TCP on 127.0.0.1 only, by user "slurm"
# with a random password; slurmdbd reads slurmdbd.conf from the
# directory of SLURM_CONF (DIR/etc).
#
# Ports come from the cluster's block (cluster.sh uses BASE+1.. for
# slurmd and BASE+900 for slurmctld): slurmdbd listens on BASE+901,
# mariadbd on BASE+902.
#
# Daemons are found like those of cluster.sh: mariadbd by its command
# line ("--datadir=DIR/db/data"), slurmdbd, which takes no config file
# argument, by SLURM_CONF=DIR/etc/slurm.conf in its environment.
# cluster_init's EXIT trap does not know them: a test that starts
# accounting sets its own EXIT trap calling cluster_stop, then
# cluster_stop_accounting. Every wait is bounded.
#
# Environment read:
#	CLUSTER_START_TIMEOUT	seconds each daemon may take to answer
#				(default 60)
#
# Variables set:
#	CLUSTER_DBD_PORT CLUSTER_DB_PORT CLUSTER_DB_DIR
#
# Functions (each is described where it is defined):
#	cluster_check_accounting	can accounting run here (else skip: 77)
#	cluster_accounting_conf		the slurm.conf lines for accounting
#	cluster_start_accounting, cluster_stop_accounting
#	cluster_sacctmgr ARG...		sacctmgr -i, bounded
#
# Functions return non-zero on failure and print why on stderr; they
# never exit the test.

# _cluster_acct_vars: the ports and directory of this cluster's
# accounting (cluster_init first).
_cluster_acct_vars() {
	[ -n "${CLUSTER_DIR:-}" ] || { _cluster_msg "cluster_init first"; return 1; }
	CLUSTER_DBD_PORT=$((CLUSTER_PORT_BASE + 901))
	CLUSTER_DB_PORT=$((CLUSTER_PORT_BASE + 902))
	CLUSTER_DB_DIR=$CLUSTER_DIR/db
}

# cluster_check_accounting: 0 when accounting can run here (MariaDB's
# server and client, slurmdbd, sacctmgr and the Slurm plugins it
# needs); else prints what is missing and returns 1. Tests use it as
# "cluster_check_accounting || exit 77" (skip).
cluster_check_accounting() {
	local missing="" cmd p
	for cmd in mariadbd mariadb-install-db mariadb mariadb-admin \
		slurmdbd sacctmgr; do
		command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
	done
	for p in accounting_storage_mysql accounting_storage_slurmdbd; do
		[ -f "$CLUSTER_SLURM_PLUGIN_DIR/$p.so" ] ||
			missing="$missing $p.so"
	done
	if [ -n "$missing" ]; then
		_cluster_msg "missing:$missing" \
			"(apt-get install mariadb-server slurmdbd)"
		return 1
	fi
	return 0
}

# cluster_accounting_conf: the slurm.conf lines that send accounting to
# this cluster's slurmdbd and enforce associations, limits and QOS, one
# a line, for cluster_write_conf (after cluster_init).
cluster_accounting_conf() {
	_cluster_acct_vars || return 1
	cat <<-EOF
	AccountingStorageType=accounting_storage/slurmdbd
	AccountingStorageHost=localhost
	AccountingStoragePort=$CLUSTER_DBD_PORT
	AccountingStorageEnforce=associations,limits,qos
	EOF
}

# _cluster_acct_pids KIND: pids of this cluster's mariadbd or slurmdbd.
_cluster_acct_pids() {
	local kind=$1 p i args env0 match
	[ -n "${CLUSTER_CONF:-}" ] && [ -n "${CLUSTER_DIR:-}" ] || return 0
	for p in /proc/[0-9]*; do
		args=()
		mapfile -d '' -t args 2>/dev/null <"$p/cmdline" || continue
		[ ${#args[@]} -gt 0 ] || continue
		[ "${args[0]##*/}" = "$kind" ] || continue
		match=0
		case $kind in
		mariadbd)
			for ((i = 1; i < ${#args[@]}; i++)); do
				if [ "${args[i]}" = "--datadir=$CLUSTER_DIR/db/data" ]; then
					match=1
					break
				fi
			done
			;;
		slurmdbd)
			while IFS= read -r -d '' env0; do
				if [ "$env0" = "SLURM_CONF=$CLUSTER_CONF" ]; then
					match=1
					break
				fi
			done 2>/dev/null <"$p/environ"
			;;
		esac
		[ "$match" -eq 0 ] || echo "${p#/proc/}"
	done
	return 0
}

# _cluster_db_sql SQL: run SQL as the database's root, over its socket.
_cluster_db_sql() {
	timeout 30 mariadb --no-defaults --protocol=socket \
		--socket="$CLUSTER_DB_DIR/sock" -u root -e "$1"
}

# _cluster_start_db TIMEOUT: create the database files (once), start
# mariadbd on 127.0.0.1:CLUSTER_DB_PORT and wait until it answers on its
# socket (TIMEOUT seconds at most).
_cluster_start_db() {
	local t=$1 end log=$CLUSTER_DIR/log
	mkdir -p "$CLUSTER_DB_DIR" || return 1
	if [ ! -d "$CLUSTER_DB_DIR/data/mysql" ]; then
		timeout 120 mariadb-install-db --no-defaults \
			--datadir="$CLUSTER_DB_DIR/data" --user=root \
			--auth-root-authentication-method=socket \
			--skip-test-db --skip-name-resolve \
			>"$log/mariadb-install-db.log" 2>&1 || {
			_cluster_msg "mariadb-install-db failed:" \
				"see $log/mariadb-install-db.log"
			tail -n 10 "$log/mariadb-install-db.log" >&2
			return 1
		}
	fi
	# Small and fast rather than safe: the data is thrown away. (So
	# slurmdbd logs that innodb_buffer_pool_size is below what it
	# recommends for production.)
	(cd "$CLUSTER_DIR/run" &&
		exec mariadbd --no-defaults --datadir="$CLUSTER_DB_DIR/data" \
			--socket="$CLUSTER_DB_DIR/sock" \
			--port="$CLUSTER_DB_PORT" --bind-address=127.0.0.1 \
			--user=root --skip-name-resolve \
			--pid-file="$CLUSTER_DIR/run/mariadbd.pid" \
			--log-error="$log/mariadbd.log" \
			--innodb-buffer-pool-size=64M \
			--innodb-log-file-size=64M \
			--innodb-lock-wait-timeout=900 \
			--innodb-flush-log-at-trx-commit=0 \
			</dev/null >>"$log/mariadbd.stderr" 2>&1) &
	end=$((SECONDS + t))
	until timeout 10 mariadb-admin --no-defaults --protocol=socket \
		--socket="$CLUSTER_DB_DIR/sock" -u root ping >/dev/null 2>&1; do
		if [ -z "$(_cluster_acct_pids mariadbd)" ]; then
			sleep 0.5
			if [ -z "$(_cluster_acct_pids mariadbd)" ]; then
				_cluster_msg "mariadbd exited"
				tail -n 10 "$log/mariadbd.log" >&2
				return 1
			fi
		fi
		if [ "$SECONDS" -ge "$end" ]; then
			_cluster_msg "mariadbd does not answer after ${t}s"
			tail -n 10 "$log/mariadbd.log" >&2
			return 1
		fi
		sleep 0.3
	done
}

# cluster_start_accounting: start mariadbd and slurmdbd for this cluster
# and register the cluster (ClusterName) in the database, so slurmctld
# finds it when it starts. Call after cluster_write_conf (with the lines
# of cluster_accounting_conf: sacctmgr reads slurm.conf) and before
# cluster_start. Each daemon gets CLUSTER_START_TIMEOUT (default 60 s)
# to answer. On failure prints the logs' tails and returns 1 (daemons
# already started stay up until cluster_stop_accounting).
cluster_start_accounting() {
	local t=${CLUSTER_START_TIMEOUT:-60} end pass log
	_cluster_acct_vars || return 1
	log=$CLUSTER_DIR/log
	grep -q '^AccountingStorageType=accounting_storage/slurmdbd' \
		"$CLUSTER_CONF" 2>/dev/null || {
		_cluster_msg "$CLUSTER_CONF does not use slurmdbd:" \
			"cluster_write_conf with the lines of cluster_accounting_conf"
		return 1
	}
	if [ -n "$(_cluster_acct_pids mariadbd)$(_cluster_acct_pids slurmdbd)" ]; then
		_cluster_msg "accounting daemons of $CLUSTER_DIR already run"
		return 1
	fi
	_cluster_ports_free "$CLUSTER_DBD_PORT" "$CLUSTER_DB_PORT" || return 1
	cluster_start_munge || return 1

	_cluster_start_db "$t" || return 1
	pass=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	_cluster_db_sql "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1';
		ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$pass';
		GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';" || {
		_cluster_msg "could not create the database user"
		return 1
	}

	(umask 077 && cat >"$CLUSTER_DIR/etc/slurmdbd.conf" <<-EOF) || return 1
	# slurmdbd.conf - accounting of the test cluster in $CLUSTER_DIR
	# (written by test/cluster/accounting.sh)
	AuthType=auth/munge
	DbdHost=localhost
	DbdAddr=127.0.0.1
	DbdPort=$CLUSTER_DBD_PORT
	SlurmUser=root
	PluginDir=$CLUSTER_SLURM_PLUGIN_DIR
	PidFile=$CLUSTER_DIR/run/slurmdbd.pid
	LogFile=$log/slurmdbd.log
	DebugLevel=info
	StorageType=accounting_storage/mysql
	StorageHost=127.0.0.1
	StoragePort=$CLUSTER_DB_PORT
	StorageUser=slurm
	StoragePass=$pass
	StorageLoc=slurm_acct_db
	EOF
	chmod 600 "$CLUSTER_DIR/etc/slurmdbd.conf" || return 1

	(cd "$CLUSTER_DIR/run" &&
		SLURM_CONF=$CLUSTER_CONF exec slurmdbd </dev/null \
			>>"$log/slurmdbd.stderr" 2>&1) || {
		_cluster_msg "slurmdbd did not start"
		tail -n 10 "$log/slurmdbd.stderr" "$log/slurmdbd.log" >&2 2>/dev/null
		return 1
	}
	# It answers once it listens; sacctmgr then tells whether it works.
	end=$((SECONDS + t))
	until _cluster_port_busy "$CLUSTER_DBD_PORT" &&
		timeout 15 sacctmgr -n list cluster >/dev/null 2>&1; do
		if [ -z "$(_cluster_acct_pids slurmdbd)" ]; then
			sleep 0.5
			if [ -z "$(_cluster_acct_pids slurmdbd)" ]; then
				_cluster_msg "slurmdbd exited"
				tail -n 10 "$log/slurmdbd.log" >&2 2>/dev/null
				return 1
			fi
		fi
		if [ "$SECONDS" -ge "$end" ]; then
			_cluster_msg "slurmdbd does not answer after ${t}s"
			tail -n 10 "$log/slurmdbd.log" >&2 2>/dev/null
			return 1
		fi
		sleep 0.3
	done
	cluster_sacctmgr add cluster "$CLUSTER_NAME"
}

# cluster_sacctmgr ARG...: "sacctmgr -i ARG..." (30 s at most); prints
# its output on stderr when it fails.
cluster_sacctmgr() {
	local out
	out=$(timeout 30 sacctmgr -i "$@" 2>&1) && return 0
	_cluster_msg "sacctmgr $* failed: $out"
	return 1
}

# _cluster_acct_kill KIND T: end this cluster's KIND (mariadbd or
# slurmdbd) with SIGTERM, then SIGKILL after T seconds.
_cluster_acct_kill() {
	local kind=$1 t=$2 pids=()
	mapfile -t pids < <(_cluster_acct_pids "$kind")
	[ ${#pids[@]} -gt 0 ] || return 0
	kill -TERM "${pids[@]}" 2>/dev/null
	_cluster_wait_gone "$t" "${pids[@]}" && return 0
	_cluster_msg "killing $kind with SIGKILL: ${pids[*]}"
	kill -KILL "${pids[@]}" 2>/dev/null
	_cluster_wait_gone 5 "${pids[@]}"
}

# cluster_stop_accounting: end this cluster's slurmdbd, then its
# mariadbd (SIGTERM, SIGKILL after 10 s and 30 s). Call after
# cluster_stop, so slurmctld does not lose its slurmdbd while it runs.
# Returns 1 if one of them would not go. Safe to call twice, before
# cluster_start_accounting and after a failed start.
cluster_stop_accounting() {
	[ -n "${CLUSTER_CONF:-}" ] || return 0
	_cluster_acct_kill slurmdbd 10
	_cluster_acct_kill mariadbd 30
	[ -z "$(_cluster_acct_pids slurmdbd)$(_cluster_acct_pids mariadbd)" ]
}
