# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# scripts/lib/server.sh: shell helpers (sourced, bash) to run a scw-iamd for a test or a benchmark:
# pick a free loopback port, start `scw-iamd serve` on it, wait until it answers HTTP, and stop it
# with SIGTERM (bounded, SIGKILL as a last resort). Python-free; needs curl.
#   srv_free_port            print a loopback TCP port nobody listens on
#   srv_has_flag BIN FLAG    true when `BIN serve --help` mentions FLAG
#   srv_start BIN DB LOG [ARGS...]   start; sets SRV_PID, SRV_PORT; false when it never answered
#   srv_stop                 SIGTERM, wait (15 s max); sets SRV_RC (exit status); true when 0
#   srv_stop_quiet           same, for traps; never fails
# SRV_NICE, when set to a number, starts the server under `nice -n SRV_NICE` (benchmarks).
SRV_PID=
SRV_PORT=
SRV_RC=

srv_free_port() {
	local p lo=32768
	# Stay below the kernel's ephemeral range: a port there may be some client socket's local
	# port (bind fails) although nobody listens on it.
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	[ "$lo" -gt 12000 ] || lo=32768
	for _ in $(seq 1 50); do
		p=$((10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000)))
		# A refused connection means nobody listens there.
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

srv_has_flag() {
	"$1" serve --help 2>&1 | grep -q -- "$2"
}

srv_start() {
	local bin=$1 db=$2 log=$3 code
	shift 3
	for _ in 1 2 3 4 5; do
		SRV_PORT=$(srv_free_port) || return 1
		if [ -n "${SRV_NICE:-}" ]; then
			nice -n "$SRV_NICE" "$bin" serve --listen "127.0.0.1:$SRV_PORT" --db "$db" "$@" >>"$log" 2>&1 </dev/null &
		else
			"$bin" serve --listen "127.0.0.1:$SRV_PORT" --db "$db" "$@" >>"$log" 2>&1 </dev/null &
		fi
		SRV_PID=$!
		for _ in $(seq 1 200); do
			if ! kill -0 "$SRV_PID" 2>/dev/null; then
				wait "$SRV_PID" 2>/dev/null
				SRV_PID=
				break
			fi
			code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$SRV_PORT/iam/v1alpha1/api-keys" 2>/dev/null)
			if [ -n "$code" ] && [ "$code" != 000 ]; then
				return 0
			fi
			sleep 0.05
		done
		if [ -n "$SRV_PID" ]; then
			# alive but not answering after 10 s: give up
			srv_stop_quiet
			return 1
		fi
		# it died: retry on another port only if the port was taken under our feet
		grep -qiE 'address already in use|EADDRINUSE' "$log" || return 1
	done
	return 1
}

srv_stop() {
	SRV_RC=
	[ -n "$SRV_PID" ] || return 1
	kill -TERM "$SRV_PID" 2>/dev/null
	for _ in $(seq 1 150); do
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SRV_PID" 2>/dev/null; then
		kill -KILL "$SRV_PID" 2>/dev/null
	fi
	wait "$SRV_PID" 2>/dev/null
	SRV_RC=$?
	SRV_PID=
	[ "$SRV_RC" -eq 0 ]
}

srv_stop_quiet() {
	if [ -n "$SRV_PID" ]; then
		srv_stop || true
	fi
	return 0
}
