# Sourced by the benchmarks: start_postgres starts a throw-away PostgreSQL (Debian's initdb and postgres, as the
# postgres user when run as root, on a free 127.0.0.1 port, default settings: fsync on), stopped and removed when the
# script exits. Afterwards: PGPORT, PGPASSWORD (exported), PSQL (an array: psql over the server's Unix socket as its
# superuser `rollout`; add -d DB -c SQL). Clients connect over TCP with the password, like a team's server:
# postgres://rollout@127.0.0.1:$PGPORT/DB.
PGDIR=""
start_postgres() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$bin/postgres" ] || { echo "PostgreSQL is missing: scripts/install-deps installs postgresql" >&2; exit 1; }
    PGDIR=$(mktemp -d /tmp/rollout-bench-pg.XXXXXX)
    PGPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    PGPASSWORD=bench-$RANDOM$RANDOM
    echo "$PGPASSWORD" >"$PGDIR/pwfile"
    local as=()
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres:postgres "$PGDIR"
        as=(setpriv --reuid=postgres --regid=postgres --init-groups)
    fi
    (cd "$PGDIR" && "${as[@]}" "$bin/initdb" -D "$PGDIR/data" -U rollout --pwfile="$PGDIR/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$PGDIR/initdb.log" 2>&1) ||
        { cat "$PGDIR/initdb.log" >&2; exit 1; }
    (cd "$PGDIR" && exec "${as[@]}" "$bin/postgres" -D "$PGDIR/data" -p "$PGPORT" -c listen_addresses=127.0.0.1 \
        -c unix_socket_directories="$PGDIR" >"$PGDIR/server.log" 2>&1) &
    PGPID=$!
    trap 'kill -INT $PGPID 2>/dev/null; wait $PGPID 2>/dev/null; rm -rf "$PGDIR"' EXIT
    for _ in $(seq 1 100); do
        grep -q "ready to accept connections" "$PGDIR/server.log" 2>/dev/null && break
        sleep 0.1
    done
    PSQL=("$bin/psql" -h "$PGDIR" -p "$PGPORT" -U rollout -X -A -t -v ON_ERROR_STOP=1)
    export PGPASSWORD
}
