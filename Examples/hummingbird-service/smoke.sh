#!/usr/bin/env bash
# Smoke test of the example service: builds it, starts it on a free loopback port against a
# temporary SQLite file, and checks every route, the `maintenance` switch (flipped with the
# `cutover` CLI), the `new_greeting` rollout, the schema guard and SchemaRepair (a migration
# rolled back under the running service), the guard refusing an unmigrated database, and twenty
# instances starting at once on a new file. On PostgreSQL the same, in new databases, with the
# switches read once an hour so that each change must arrive through FeatureFlags.watch().
#
#   Examples/hummingbird-service/smoke.sh               # SQLite
#   Examples/hummingbird-service/smoke.sh --postgres    # and again on a throw-away PostgreSQL cluster
#   SMOKE_POSTGRES_URL=postgres://user:pw@host:5432/postgres Examples/hummingbird-service/smoke.sh
#                                                       # and again in a new database on that server
#   CUTOVER_BIN=.build/release/cutover …                # a prebuilt CLI instead of building one
#
# Needs curl and python3. Exits non-zero, saying what was expected, at the first failed check.
set -euo pipefail
example=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Messages, the work folder with its cleanup trap, and the throw-away PostgreSQL cluster
# (it sets $here to its own folder, hence $example).
source "$example/../../Benchmarks/lib.sh"

with_cluster=0
for arg in "$@"; do
    case $arg in
        --postgres) with_cluster=1 ;;
        *) die "unknown argument $arg (use --postgres)" ;;
    esac
done
command -v curl >/dev/null || die "curl is required"

say "--- building the example service"
swift build --package-path "$example" >&2
service_bin="$(swift build --package-path "$example" --show-bin-path)/CutoverExampleService"
if [[ -n ${CUTOVER_BIN:-} ]]; then
    cutover=$CUTOVER_BIN
else
    # The CLI of the same checkout, built in the example's build folder (shares its modules).
    swift build --package-path "$example" --product cutover >&2
    cutover="$(swift build --package-path "$example" --show-bin-path)/cutover"
fi

bench_make_work cutover-example-smoke
pids=()
created_dbs=()
# Stops the instances started so far (SIGTERM; Hummingbird shuts down gracefully).
stop_services() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}
drop_databases() {
    local url
    for url in "${created_dbs[@]}"; do
        DATABASE_URL=$url "$cutover" --config "$example/cutover.toml" --quiet db drop --yes >/dev/null 2>&1 || true
    done
}
# set +e: a failing step of the cleanup must not end it early (bench_cleanup reads $? first).
trap 'status=$?; set +e; stop_services; drop_databases; (exit $status); bench_cleanup' EXIT

fail() {
    say "FAILED: $*"
    if [[ -f $work/body ]]; then say "last answer (${status_code:-}): $(cat "$work/body")"; fi
    if [[ -f ${log:-/nonexistent} ]]; then say "service log ($log), last lines:"; tail -20 "$log" >&2; fi
    exit 1
}

# `cutover` on the database under test, with the example's configuration.
cli() { DATABASE_URL=$database_url "$cutover" --config "$example/cutover.toml" --quiet "$@"; }

# start_service LOG [NAME=VALUE…]: starts an instance on a free port (PORT=0; it logs the
# port it bound) against $database_url, with its log in LOG and the variables given. Sets $pid.
start_service() {
    local log=$1
    shift
    (cd "$work" && exec env DATABASE_URL="$database_url" CUTOVER_CONFIG="$example/cutover.toml" PORT=0 "$@" "$service_bin") >"$log" 2>&1 &
    pid=$!
    pids+=("$pid")
}

# Waits (at most 120 s) until the instance $pid logs its port; sets $base. Fails when it exits.
wait_listening() {
    local log=$1 tries=0 line
    while ! line=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null); do
        kill -0 "$pid" 2>/dev/null || fail "the service exited before listening"
        ((++tries <= 1200)) || fail "the service did not listen within 120 s"
        sleep 0.1
    done
    base=${line#listening on }
}

# request METHOD PATH [JSON]: sets $status_code; the body is in $work/body.
request() {
    local args=(-sS -o "$work/body" -w '%{http_code}' -X "$1" "$base$2")
    if [[ $# -ge 3 ]]; then args+=(-H 'content-type: application/json' --data "$3"); fi
    status_code=$(curl "${args[@]}") || fail "$1 $2: curl could not reach the service"
}

# field PATH: a value of the last JSON answer (`user.full_name`, `versions.0.operation`, `versions.#`).
field() {
    "$python" - "$1" "$work/body" <<'PY'
import json, sys
value = json.load(open(sys.argv[2]))
for part in sys.argv[1].split("."):
    if part == "#": value = len(value)
    elif isinstance(value, list): value = value[int(part)]
    else: value = value.get(part)
print(value if isinstance(value, str) else json.dumps(value))
PY
}

expect_status() { [[ $status_code == "$1" ]] || fail "$2: expected HTTP $1, got $status_code"; }
expect_field() {
    local got
    got=$(field "$1") || fail "$3: the answer is not the JSON expected"
    [[ $got == "$2" ]] || fail "$3: expected $1 = '$2', got '$got'"
}
expect_body_contains() { grep -qF -- "$1" "$work/body" || fail "$2: expected the answer to contain '$1'"; }

# Repeats `request METHOD PATH [JSON]` until it answers $1 (at most 10 s): a switch change
# reaches the service after its refresh interval (SQLite) or a NOTIFY (PostgreSQL).
await_status() {
    local want=$1 tries=0
    shift
    while request "$@"; [[ $status_code != "$want" ]]; do
        ((++tries <= 100)) || fail "$1 $2: expected HTTP $want within 10 s, still $status_code"
        sleep 0.1
    done
}

# The group of a key for a switch, as FlagRollout computes it: FNV-1a 64 of name, NUL, key, mod 100.
bucket() {
    "$python" -c '
import sys
h = 0xcbf29ce484222325
for b in sys.argv[1].encode() + b"\0" + sys.argv[2].encode():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print(h % 100)' "$1" "$2"
}

# Every route and switch against $database_url (a database without the example's tables).
exercise() {
    local name=$1
    log=$work/$name.log
    # On PostgreSQL the switches are read once an hour only: every change below must come
    # through FeatureFlags.watch() (LISTEN/NOTIFY) to be seen within the 10 s allowed.
    local refresh=1
    if [[ $name == postgres ]]; then refresh=3600; fi
    start_service "$log" FLAGS_REFRESH_SECONDS=$refresh
    wait_listening "$log"
    say "--- $name: service at $base (switches read every $refresh s)"

    request GET /health
    expect_status 200 "GET /health"
    expect_field schema compatible "GET /health"
    expect_field maintenance false "GET /health"

    # Lazy upgrade: user 1 was written before full_name existed (row_version 1).
    request GET /users/1
    expect_status 200 "GET /users/1"
    expect_field user.full_name "Ada Lovelace" "GET /users/1 (lazy upgrade)"
    expect_field user.row_version 2 "GET /users/1 (lazy upgrade)"
    expect_field greeting "Hello, Ada Lovelace." "GET /users/1"
    expect_field views 1 "GET /users/1"
    request GET /users/1
    expect_field views 2 "GET /users/1, read again"
    # The upgrade was written back once (an UPDATE the record history saw), not on every read.
    request GET /users/1/history
    expect_field versions.# 1 "GET /users/1/history (the lazy upgrade, written back once)"
    expect_field versions.0.operation update "GET /users/1/history"
    expect_field versions.0.row.row_version 2 "GET /users/1/history"
    request GET /users/404
    expect_status 404 "GET /users/404"

    request POST /users '{"id": 3, "first_name": "Mary", "last_name": "Godwin", "email": "mary@example.com"}'
    expect_status 201 "POST /users"
    expect_field full_name "Mary Godwin" "POST /users"
    request POST /users '{"id": 3, "first_name": "Mary", "last_name": "Godwin", "email": "mary@example.com"}'
    expect_status 409 "POST /users with a taken id"
    request PUT /users/3 '{"last_name": "Shelley"}'
    expect_status 200 "PUT /users/3"
    expect_field full_name "Mary Shelley" "PUT /users/3"
    expect_field email "mary@example.com" "PUT /users/3 (fields not given stay)"

    # Record history: the insert and the update, then version 1 written back.
    request GET /users/3/history
    expect_status 200 "GET /users/3/history"
    expect_field versions.# 2 "GET /users/3/history"
    expect_field versions.0.operation insert "GET /users/3/history"
    expect_field versions.0.row.last_name Godwin "GET /users/3/history"
    expect_field versions.1.row.last_name Shelley "GET /users/3/history"
    request POST '/users/3/revert?to=1'
    expect_status 200 "POST /users/3/revert?to=1"
    expect_field user.full_name "Mary Godwin" "POST /users/3/revert?to=1"
    expect_field new_version 3 "POST /users/3/revert?to=1"
    request POST /users/3/revert
    expect_status 400 "POST /users/3/revert without ?to"
    request POST '/users/3/revert?to=99'
    expect_status 400 "POST /users/3/revert?to=99"

    # The new_greeting rollout: on for a stable half of the ids, as FlagRollout says.
    local id tries=0 in_group=() out_group=()
    for id in $(seq 10 29); do
        request POST /users "{\"id\": $id, \"first_name\": \"User\", \"last_name\": \"N$id\", \"email\": \"u$id@example.com\"}"
        expect_status 201 "POST /users ($id)"
        if (($(bucket new_greeting "$id") < 50)); then in_group+=("$id"); else out_group+=("$id"); fi
    done
    ((${#in_group[@]} > 0 && ${#out_group[@]} > 0)) || fail "ids 10-29 should fall on both sides of a 50 % rollout"
    cli flag set new_greeting on --percent 50 >/dev/null
    while request GET "/users/${in_group[0]}"; [[ $(field greeting) != "Welcome back, User!" ]]; do
        ((++tries <= 100)) || fail "GET /users/${in_group[0]}: expected the new greeting within 10 s of 'cutover flag set'"
        sleep 0.1
    done
    for id in "${in_group[@]}"; do request GET "/users/$id"; expect_field greeting "Welcome back, User!" "GET /users/$id (in the 50 %)"; done
    for id in "${out_group[@]}"; do request GET "/users/$id"; expect_field greeting "Hello, User N$id." "GET /users/$id (not in the 50 %)"; done

    # maintenance: writes 503, reads go on.
    cli maintenance on >/dev/null
    await_status 503 PUT /users/3 '{"email": "mary@example.org"}'
    expect_body_contains "down for maintenance" "PUT /users/3 during maintenance"
    request POST /users '{"id": 4, "first_name": "A", "last_name": "B", "email": "c@example.com"}'
    expect_status 503 "POST /users during maintenance"
    request GET /users/3
    expect_status 200 "GET /users/3 during maintenance"
    request GET /health
    expect_field maintenance true "GET /health during maintenance"
    cli maintenance off >/dev/null
    await_status 200 PUT /users/3 '{"email": "mary@example.org"}'

    # The schema guard and SchemaRepair: the last migration rolled back under the running
    # service; /health says what is missing, and the next read applies it again.
    cli rollback --steps 1 --yes --no-backup >/dev/null
    request GET /health
    expect_status 503 "GET /health after a rollback"
    expect_field schema "missing 20261201110000" "GET /health after a rollback"
    request GET /users/1
    expect_status 200 "GET /users/1 after a rollback (SchemaRepair)"
    expect_field views 1 "GET /users/1 after the repair (a new profile_views table)"
    grep -qF "applying the pending migrations" "$log" || fail "the service log should say SchemaRepair applied the migration"
    request GET /health
    expect_status 200 "GET /health after the repair"

    stop_services
    say "--- $name: every route answered as expected"
}

# Twenty instances started at once against $database_url (a database without the example's
# tables): every one serves, and each migration was applied by exactly one of them.
crowd() {
    local name=$1 n id applied started
    for n in $(seq 1 20); do start_service "$work/$name-crowd-$n.log"; done
    started=("${pids[@]}")
    for n in $(seq 1 20); do pid=${started[n - 1]}; wait_listening "$work/$name-crowd-$n.log"; done
    for id in 20261201090000 20261201100000 20261201110000; do
        applied=$(cat "$work/$name"-crowd-*.log | grep -c "migrations applied: .*$id" || true)
        [[ $applied == 1 ]] || fail "$name, twenty instances at once: expected migration $id applied by exactly one, got $applied"
    done
    stop_services
    say "--- $name: twenty instances started at once; each migration applied once"
}

# --- SQLite
database_url="sqlite:$work/service.sqlite3"
exercise sqlite

# The schema guard fails fast on a database without the migrations when start-up may not migrate.
database_url="sqlite:$work/empty.sqlite3"
start_service "$work/guard.log" MIGRATE_ON_START=0
wait "$pid" && fail "MIGRATE_ON_START=0 on an empty database: expected the service to exit non-zero"
pids=()
grep -qF "needs migrations 20261201090000, 20261201100000, 20261201110000" "$work/guard.log" \
    || { cat "$work/guard.log" >&2; fail "the guard's message should name the missing migrations"; }
say "--- the schema guard refused an empty database with MIGRATE_ON_START=0"

# Twenty instances starting at once on a new file: each migration is applied exactly once and
# every instance serves.
database_url="sqlite:$work/crowd.sqlite3"
crowd sqlite

# --- PostgreSQL

# new_database NAME: sets $database_url to a new database NAME on $postgres_server (dropped at exit).
new_database() {
    database_url=$("$python" -c '
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(u._replace(path="/" + sys.argv[2])))' "$postgres_server" "$1")
    cli db create >/dev/null
    created_dbs+=("$database_url")
}

postgres_server=${SMOKE_POSTGRES_URL:-}
if [[ $with_cluster == 1 && -z $postgres_server ]]; then
    bench_start_cluster
    postgres_server="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
fi
if [[ -n $postgres_server ]]; then
    new_database cutover_example_$$
    exercise postgres
    new_database cutover_example_crowd_$$
    crowd postgres
fi

say "--- smoke test passed"
