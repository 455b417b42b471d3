#!/usr/bin/env bash
# A throwaway FerretDB (a MongoDB wire-protocol server on SQLite) for the tests, on 127.0.0.1 only.
#
#   scripts/ferretdb.sh run CMD...   start FerretDB, run CMD with MONGODB_URI set, stop FerretDB
#                                    whatever CMD does; without FerretDB, run CMD without it
#   scripts/ferretdb.sh start        start one; prints MONGODB_URI=... and FERRETDB_HOME=...
#   scripts/ferretdb.sh stop DIR     stop the one whose FERRETDB_HOME is DIR, delete its data
#   scripts/ferretdb.sh build        build the binary if this version's is missing
#
# Exit code 3 from build/start means "no FerretDB here" (no Go to build it with, or the build
# failed); the reason is printed, and callers run the MongoDB tests as skipped.
set -euo pipefail

VERSION="${FERRETDB_VERSION:-v1.24.2}"
CACHE="${LATCHKEY_FERRETDB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/latchkey-ferretdb}"
BIN="$CACHE/$VERSION/ferretdb"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SKIP=3

say() { echo "ferretdb: $*" >&2; }

# Builds from the module source: `go install` alone leaves out build/version/version.txt
# (generated, not in the module zip), and such a binary refuses to start.
build() {
  if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then return 0; fi
  if ! command -v go >/dev/null 2>&1; then
    say "no FerretDB $VERSION at $BIN and no Go toolchain to build it with"
    return "$SKIP"
  fi
  say "building FerretDB $VERSION into $BIN"
  local src dir
  src="$(mktemp -d)"
  if ! dir="$(cd "$src" && go mod download -json "github.com/FerretDB/FerretDB@$VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || [ -z "$dir" ]; then
    say "could not download the FerretDB $VERSION module"
    rm -rf "$src"
    return "$SKIP"
  fi
  cp -r "$dir" "$src/ferretdb" && chmod -R u+w "$src/ferretdb"
  echo "$VERSION" >"$src/ferretdb/build/version/version.txt"
  mkdir -p "$(dirname "$BIN")"
  if ! (cd "$src/ferretdb" && GOFLAGS=-mod=mod go build -o "$BIN.tmp" ./cmd/ferretdb) >&2; then
    say "building FerretDB $VERSION failed"
    rm -rf "$src" "$BIN.tmp"
    return "$SKIP"
  fi
  mv "$BIN.tmp" "$BIN"
  rm -rf "$src"
}

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

answers() {
  (cd "$ROOT" && node -e "
    const { MongoClient } = require('mongodb');
    MongoClient.connect(process.argv[1], { serverSelectionTimeoutMS: 500 })
      .then((c) => c.db('admin').command({ ping: 1 }).finally(() => c.close()))
      .then(() => process.exit(0), () => process.exit(1));" "$1") >/dev/null 2>&1
}

# Prints MONGODB_URI=... and FERRETDB_HOME=... on stdout once the server answers a ping.
start() {
  build || return $?
  local home port pid uri
  for _ in 1 2 3; do
    home="$(mktemp -d "${TMPDIR:-/tmp}/latchkey-ferretdb.XXXXXX")"
    mkdir -p "$home/data" "$home/state"
    port="$(free_port)"
    uri="mongodb://127.0.0.1:$port/"
    "$BIN" --handler=sqlite --sqlite-url="file:$home/data/" --listen-addr="127.0.0.1:$port" \
      --state-dir="$home/state" --debug-addr=- --telemetry=disable --log-level=warn \
      >"$home/ferretdb.log" 2>&1 &
    pid=$!
    echo "$pid" >"$home/pid"
    for _ in $(seq 1 100); do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if answers "$uri"; then
        say "FerretDB $VERSION at $uri (data in $home)"
        echo "MONGODB_URI=$uri"
        echo "FERRETDB_HOME=$home"
        return 0
      fi
      sleep 0.1
    done
    say "FerretDB did not answer on port $port:"
    tail -n 5 "$home/ferretdb.log" >&2 || true
    stop "$home"
  done
  return 1
}

stop() {
  local home="$1" pid
  [ -f "$home/pid" ] || return 0
  pid="$(cat "$home/pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$home"
}

run() {
  local out code=0
  out="$(start)" || code=$?
  if [ "$code" = 0 ]; then
    export MONGODB_URI FERRETDB_HOME
    MONGODB_URI="$(sed -n 's/^MONGODB_URI=//p' <<<"$out")"
    FERRETDB_HOME="$(sed -n 's/^FERRETDB_HOME=//p' <<<"$out")"
    trap 'stop "$FERRETDB_HOME"' EXIT
    trap 'exit 130' INT TERM
  elif [ "$code" = "$SKIP" ]; then
    say "running without FerretDB: the MongoDB tests skip"
  else
    say "FerretDB would not start"
    return "$code"
  fi
  "$@"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop "${2:?usage: ferretdb.sh stop FERRETDB_HOME}" ;;
  run)
    shift
    run "$@"
    ;;
  *)
    echo "usage: scripts/ferretdb.sh build | start | stop DIR | run CMD..." >&2
    exit 2
    ;;
esac
