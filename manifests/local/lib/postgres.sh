# PostgreSQL from Debian as an unprivileged cluster inside the run dir (initdb + pg_ctl), loopback only.
# initdb refuses to run as root, so as root the cluster belongs to a system user `streamhost`.

PG_OS_USER=streamhost
PG_DB=streamhost
PG_ROLE=streamhost
# The cluster lives in $RUN_DIR/postgres, unless the cluster's owner cannot reach the run dir (a
# checkout under a 0700 home) or the socket path would be too long: then that entry is a symlink to
# a folder under /var/tmp, and every path given to PostgreSQL is the resolved one.
PG_DIR() {
  if [[ -L $RUN_DIR/postgres ]]; then readlink -f "$RUN_DIR/postgres"; else echo "$RUN_DIR/postgres"; fi
}

pg_storage_reachable() {
  [[ ${#RUN_DIR} -le 70 ]] || return 1
  [[ $(id -u) != 0 ]] || runuser -u "$PG_OS_USER" -- test -x "$RUN_DIR"
}

pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x $d/pg_ctl ]] && { echo "$d"; return 0; }
  done
  die "PostgreSQL server binaries not found under /usr/lib/postgresql: run scripts/install-deps"
}

# Runs a command as the cluster's owner.
as_pg() {
  if [[ $(id -u) == 0 ]]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

ensure_pg_os_user() {
  [[ $(id -u) == 0 ]] || return 0
  id "$PG_OS_USER" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER"
}

pg_password() { cat "$(PG_DIR)/password" 2>/dev/null; }

pg_pid() {
  local dir pid
  dir=$(PG_DIR)
  [[ -f $dir/data/postmaster.pid ]] || return 1
  pid=$(head -1 "$dir/data/postmaster.pid")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == *"$dir/data"* ]] || return 1
  echo "$pid"
}

pg_healthy() {
  pg_pid >/dev/null && "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d "$PG_DB" -U "$PG_ROLE"
}

# psql as the application role over TCP with the password from the run dir (never on a command line).
pg_psql() {
  PGPASSWORD=$(pg_password) PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ROLE" \
    -d "$PG_DB" "$@"
}

pg_init() {
  local dir bin
  dir=$(PG_DIR)
  bin=$(pg_bin)
  [[ -f $dir/data/PG_VERSION ]] && return 0
  ensure_pg_os_user
  if [[ -L $RUN_DIR/postgres ]]; then rm -rf "$(readlink -f "$RUN_DIR/postgres")"; fi
  rm -rf "$RUN_DIR/postgres"
  mkdir -p "$RUN_DIR"
  if ! pg_storage_reachable; then
    local alt
    alt=/var/tmp/streamhost-postgres-$(printf '%s' "$RUN_DIR" | sha256sum | cut -c1-16)
    rm -rf "$alt" && mkdir -p "$alt" && chmod 755 "$alt"
    ln -s "$alt" "$RUN_DIR/postgres"
  fi
  dir=$(PG_DIR)
  say "initialising a PostgreSQL cluster in $dir/data"
  mkdir -p "$dir/data" "$dir/socket"
  (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$dir/password")
  [[ $(id -u) == 0 ]] && chown -R "$PG_OS_USER" "$dir/data" "$dir/socket"
  chmod 700 "$dir/data" "$dir/socket"
  # Local (unix socket) connections are trusted: the socket lives in a 0700 folder of the run dir.
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    fail_start postgres "$dir/initdb.log" "initdb failed"
}

# A CA made for this run dir and a server certificate it signs, for 127.0.0.1 and localhost (an IP
# SAN: libpq 14+ checks it with sslmode=verify-full), so clients can verify the server as they
# must in production (docs/local-stack.md, "TLS to PostgreSQL"). Made once; clusters initialised
# before TLS existed get them at their next `up`. The CA's key stays in the run dir: anyone who can
# read it can already read the cluster.
pg_tls_dir() { echo "$(PG_DIR)/tls"; }

pg_ensure_tls() {
  local tls
  tls=$(pg_tls_dir)
  [[ -f $tls/server.crt && -f $tls/server.key && -f $tls/ca.crt ]] && return 0
  command -v openssl >/dev/null || die "openssl not found: run scripts/install-deps"
  rm -rf "$tls" && mkdir -p "$tls"
  (
    umask 077
    openssl req -x509 -new -nodes -newkey rsa:2048 -days 825 -subj "/CN=streamhost local stack CA" \
      -keyout "$tls/ca.key" -out "$tls/ca.crt" >/dev/null 2>&1 &&
      openssl req -new -nodes -newkey rsa:2048 -subj "/CN=127.0.0.1" \
        -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1 &&
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' \
        >"$tls/server.ext" &&
      openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" \
        -CAcreateserial -days 825 -extfile "$tls/server.ext" -out "$tls/server.crt" >/dev/null 2>&1
  ) || die "could not make the PostgreSQL TLS certificates in $tls"
  rm -f "$tls/server.csr" "$tls/server.ext"
  chmod 644 "$tls/ca.crt" "$tls/server.crt"
  chmod 755 "$tls"
  # PostgreSQL refuses a key others can read, or one its user does not own.
  [[ $(id -u) == 0 ]] && chown "$PG_OS_USER" "$tls/server.key" "$tls/server.crt"
  chmod 600 "$tls/server.key"
}

pg_up() {
  local dir bin t0
  dir=$(PG_DIR)
  bin=$(pg_bin)
  if pg_pid >/dev/null; then say "postgres already running (pid $(pg_pid))"; return 0; fi
  require_free_port "$PG_PORT" "PostgreSQL"
  t0=$(now_ms)
  pg_init
  dir=$(PG_DIR)
  pg_ensure_tls
  [[ $(id -u) == 0 ]] && touch "$dir/postgres.log" && chown "$PG_OS_USER" "$dir/postgres.log"
  # fsync off: this is a disposable local cluster, and it makes loading the tables much faster.
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t "$START_TIMEOUT" \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir/socket -c fsync=off -c shared_buffers=64MB -c max_connections=60 -c ssl=on -c ssl_cert_file=$dir/tls/server.crt -c ssl_key_file=$dir/tls/server.key" \
    start >/dev/null 2>"$dir/pg_ctl.err" 9>&- || fail_start postgres "$dir/postgres.log" "pg_ctl start failed: $(cat "$dir/pg_ctl.err")"
  pg_ensure_role_and_schema
  say "postgres ready on 127.0.0.1:$PG_PORT (pid $(pg_pid), $(elapsed "$t0"))"
}

pg_ensure_role_and_schema() {
  local dir pw
  dir=$(PG_DIR)
  pw=$(pg_password)
  [[ $pw =~ ^[A-Za-z0-9]+$ ]] || die "$dir/password is damaged; remove $RUN_DIR and run up again"
  # The password goes through stdin so it never appears in a process list or a log.
  as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$dir/socket" -p "$PG_PORT" -U postgres -d postgres \
    >/dev/null <<SQL || die "could not create the $PG_ROLE role and database"
SELECT 'CREATE ROLE $PG_ROLE LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE') \\gexec
ALTER ROLE $PG_ROLE PASSWORD '$pw';
SELECT 'CREATE DATABASE $PG_DB OWNER $PG_ROLE'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DB') \\gexec
SQL
  pg_psql -f "$STACK_REPO/manifests/local/postgres/schema.sql" >/dev/null ||
    die "could not create the cache tables (manifests/local/postgres/schema.sql)"
}

pg_down() {
  local dir pid
  dir=$(PG_DIR)
  if pid=$(pg_pid); then
    as_pg "$(pg_bin)/pg_ctl" -D "$dir/data" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null 2>&1 ||
      stop_pid postgres "$pid"
    wait_port_closed "$PG_PORT"
    say "postgres stopped"
  fi
}

pg_row_count() { pg_psql -At -c "SELECT count(*) FROM $1" 2>/dev/null; }

# Replaces the three cache tables' contents with the CSVs in a folder (the seed's CSV layout).
pg_load_csv_dir() {
  local src=$1 label=$2 f
  for f in coupon_categories coupon_info customer_info; do
    [[ -r $src/$f.csv ]] || die "$src/$f.csv not found"
  done
  # \copy takes the rest of its line literally (no psql variables), so the paths are quoted here.
  local q=${src//\'/\'\'}
  pg_psql <<SQL >/dev/null || die "loading $src failed"
BEGIN;
TRUNCATE coupon_categories, coupon_info, customer_info RESTART IDENTITY;
\\copy coupon_categories(coupon_id, item_id, category) FROM '$q/coupon_categories.csv' WITH (FORMAT csv, HEADER true)
\\copy coupon_info FROM '$q/coupon_info.csv' WITH (FORMAT csv, HEADER true)
\\copy customer_info FROM '$q/customer_info.csv' WITH (FORMAT csv, HEADER true)
COMMIT;
ANALYZE coupon_categories, coupon_info, customer_info;
SQL
  printf '%s\n%s\n' "$label" "$src" >"$(PG_DIR)/dataset"
  say "loaded $label data from $src: $(pg_row_count customer_info) customers, $(pg_row_count coupon_info) coupons, $(pg_row_count coupon_categories) coupon items"
}
