# Shared by the scripts in Benchmarks/ (sourced, not run): messages, the release build of
# cutover, the temporary work folder with its cleanup trap, and a throw-away PostgreSQL
# cluster on a free loopback port. Each script sets `set -euo pipefail` itself.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   bench_build_cutover                 # sets $cutover (honours CUTOVER_BIN)
#   bench_make_work cutover-foo-bench   # sets $work and $pgdata; installs the EXIT trap
#   bench_find_pgbin                    # sets $pgbin
#   bench_start_cluster [-c name=value …]   # sets $port; trust authentication
#   BENCH_PASSWORD=secret bench_start_cluster …   # scram-sha-256 over TCP with that password
#   bench_start_pgbench_cluster cutover-foo-bench [-c …]   # all of the above that pgbench needs; sets $psql

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

python=$(command -v python3) || die "python3 is required"

# Runs a command as the postgres user when this script runs as root (initdb and the
# server refuse to run as root), as the current user otherwise.
as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Sets $cutover: CUTOVER_BIN when given, otherwise a release build in $repo/.build-bench
# (or $1, another scratch folder).
bench_build_cutover() {
    local scratch=${1:-$repo/.build-bench}
    if [[ -n ${CUTOVER_BIN:-} ]]; then
        [[ -x $CUTOVER_BIN ]] || die "CUTOVER_BIN=$CUTOVER_BIN is not an executable"
        cutover=$(cd "$(dirname "$CUTOVER_BIN")" && pwd)/$(basename "$CUTOVER_BIN")
    else
        say "building cutover (release) in $scratch …"
        (cd "$repo" && swift build -c release --product cutover --scratch-path "$scratch" >&2) \
            || die "swift build failed (to time an existing binary instead, pass CUTOVER_BIN=path/to/cutover)"
        cutover="$scratch/release/cutover"
    fi
}

# Sets $pgbin: the folder of initdb, pg_ctl, psql, pg_dump, pg_restore, createdb.
bench_find_pgbin() {
    pgbin=""
    if command -v pg_config >/dev/null && [[ -x $(pg_config --bindir)/initdb ]]; then
        pgbin=$(pg_config --bindir)
    else
        local dir
        for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
            if [[ -x $dir/initdb ]]; then pgbin=$dir; break; fi
        done
    fi
    [[ -n $pgbin ]] || die "PostgreSQL server binaries not found (apt-get install -y postgresql)"
}

pg_started=0

# Stops the cluster (when started) and removes $work unless KEEP_WORK=1.
bench_cleanup() {
    local status=$?
    if [[ $pg_started -eq 1 ]]; then
        as_postgres "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [[ -n ${work:-} ]]; then
        if [[ ${KEEP_WORK:-0} == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
    fi
    exit $status
}

# Sets $work (a new temporary folder named after $1) and $pgdata inside it, and installs
# the trap that cleans up on exit, failure and Ctrl-C.
bench_make_work() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/${1:-cutover-bench}.XXXXXX")
    chmod 755 "$work"
    pgdata=$work/pgdata
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

# Starts a throw-away cluster in $pgdata listening on 127.0.0.1 only, on a free port (set in
# $port), default durability settings plus the `-c name=value` arguments given. Trust
# authentication, or scram-sha-256 over TCP when BENCH_PASSWORD is set.
bench_start_cluster() {
    [[ -n ${pgbin:-} ]] || bench_find_pgbin
    port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    mkdir -p "$pgdata"
    local auth=(--auth=trust)
    if [[ -n ${BENCH_PASSWORD:-} ]]; then
        printf '%s\n' "$BENCH_PASSWORD" >"$work/pwfile"
        auth=(--auth-local=trust --auth-host=scram-sha-256 --pwfile="$work/pwfile")
        if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$work/pwfile"; fi
    fi
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$pgdata"; fi
    chmod 700 "$pgdata"
    say "starting PostgreSQL ($pgbin) on 127.0.0.1:$port, data in $pgdata"
    as_postgres "$pgbin/initdb" -D "$pgdata" -U postgres "${auth[@]}" -E UTF8 --locale=C >"$work/initdb.log" 2>&1 \
        || { cat "$work/initdb.log" >&2; die "initdb failed"; }
    rm -f "$work/pwfile"
    as_postgres "$pgbin/pg_ctl" -D "$pgdata" -w -t 60 -l "$pgdata/server.log" \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='' $*" start >/dev/null \
        || { cat "$pgdata/server.log" >&2 || true; die "pg_ctl start failed"; }
    pg_started=1
}

# For the scripts that run pgbench: finds the binaries (pgbench included), makes $work (named
# after $1), starts a cluster with log_timezone=UTC and the `-c name=value` arguments after $1,
# lets the postgres user write pgbench's logs into $work, and sets $psql (an array: psql as
# postgres on the cluster, stopping at the first error).
bench_start_pgbench_cluster() {
    local name=$1
    shift
    bench_find_pgbin
    [[ -x $pgbin/pgbench ]] || die "pgbench not found in $pgbin (apt-get install -y postgresql-contrib)"
    bench_make_work "$name"
    bench_start_cluster -c log_timezone=UTC "$@"
    if [[ $(id -u) -eq 0 ]]; then chown postgres "$work"; fi
    psql=("$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
}
