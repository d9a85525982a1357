#!/usr/bin/env bash
# Installs what argo needs to build, and nothing else:
#   1. the Debian packages below, when one is missing (apt-get, as root or through sudo);
#   2. a pinned DuckDB: libduckdb.so from the npm package @duckdb/node-bindings-linux-x64 and duckdb.h
#      from the npm package duckdb of the same release, both checked against the sha256 sums below and
#      unpacked into third_party/duckdb-<version>/ (ignored by git).
#   3. a pinned TA-Lib (the C sources of the indicator library, BSD licence, Mario Fortier) from the
#      npm package talib, checked against its sha256 and unpacked into third_party/ta-lib-<version>/:
#      only src/lib/include and src/lib/src/{ta_common,ta_func,ta_abstract} are kept (the package's
#      Node binding, prebuilt archives and tools are not); CMake builds them (third_party.cmake).
# A machine that already has DuckDB can skip step 2 by setting ARGO_DUCKDB_DIR to a folder holding
# duckdb.h and libduckdb.so (the build then uses that folder). TA-Lib is fetched in every case.
# With --fuzz (make fuzz, make test) it also installs clang and libFuzzer's runtime (fuzz/): about
# 300 MB that building and running argo do not need, so `make build` and `make demo` leave them out.
# The script is idempotent and quiet when everything is already in place.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

DUCKDB_VERSION=1.4.4
DUCKDB_BINDINGS_VERSION=1.4.4-r.1
DUCKDB_BINDINGS_SHA256=8ac460b152cd05a95065a414879bb09e40534b1fb7a80a7afe6969b6ce039029
DUCKDB_SOURCE_SHA256=5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed
# TA-Lib 0.6 (its ta_version.c says 0.6.0-dev) as the npm package talib 2.0.5 ships it.
TALIB_NPM_VERSION=2.0.5
TALIB_SHA256=b73e2a382d0937e7a9e889c6e1285d811747b3a78365f325493889cb7b302cde

debs=(build-essential cmake pkg-config libyaml-dev libjansson-dev libcurl4-openssl-dev libwebsockets-dev
      libssl-dev # libcrypto: the Binance broker's request signatures; libssl: the TLS client context
      # The Python strategy host (argo_python.so, optional: argo builds and runs without them, and
      # its tests then skip): Python's embedding library (pkg-config python3-embed) and numpy,
      # whose C headers the host builds against and whose module the strategies import.
      libpython3-dev python3-numpy
      nodejs npm ca-certificates
      chromium fonts-dejavu-core) # chromium: the report test renders the HTML report headless
if [ "${1:-}" = "--fuzz" ]; then
  # clang 14 is Debian 12's clang; -fsanitize=fuzzer needs libFuzzer's runtime, which Debian
  # ships apart (libclang-rt-14-dev), and llvm-14 holds llvm-symbolizer, so that the stack of a
  # crash names functions and lines.
  debs+=(clang-14 libclang-rt-14-dev llvm-14)
fi

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # nodejs/npm may come from elsewhere than Debian; do not reinstall them when the commands exist.
  keep=()
  for p in "${missing[@]}"; do
    case "$p" in
      nodejs) command -v node >/dev/null 2>&1 || keep+=("$p") ;;
      npm) command -v npm >/dev/null 2>&1 || keep+=("$p") ;;
      *) keep+=("$p") ;;
    esac
  done
  missing=("${keep[@]+"${keep[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq </dev/null >/dev/null || true
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

check() {
  local file=$1 want=$2 got
  got=$(sha256sum "$file" | cut -d' ' -f1)
  if [ "$got" != "$want" ]; then
    echo "bootstrap: sha256 mismatch for $(basename "$file"): expected $want, got $got" >&2
    exit 1
  fi
}

# A scratch folder beside third_party/ (same file system: the final mv is a rename).
scratch() {
  mkdir -p "$here/third_party"
  mktemp -d "$here/third_party.tmp.XXXXXX"
}

fetch_talib() {
  local dest="$here/third_party/ta-lib-npm-$TALIB_NPM_VERSION" work
  [ -f "$dest/.complete" ] && return 0
  echo "bootstrap: fetching TA-Lib (npm talib@$TALIB_NPM_VERSION) from the npm registry" >&2
  work=$(scratch)
  (cd "$work" && npm pack --silent "talib@$TALIB_NPM_VERSION" </dev/null >/dev/null 2>npm.log) \
    || { cat "$work/npm.log" >&2; rm -rf "$work"; echo "bootstrap: npm pack talib failed" >&2; exit 1; }
  check "$work/talib-$TALIB_NPM_VERSION.tgz" "$TALIB_SHA256"
  tar -xzf "$work/talib-$TALIB_NPM_VERSION.tgz" -C "$work" package/src/lib/include \
    package/src/lib/src/ta_common package/src/lib/src/ta_func package/src/lib/src/ta_abstract
  mkdir -p "$work/out"
  mv "$work/package/src/lib/include" "$work/package/src/lib/src" "$work/out/"
  echo "$TALIB_NPM_VERSION" >"$work/out/VERSION"
  touch "$work/out/.complete"
  rm -rf "$dest"
  mv "$work/out" "$dest"
  rm -rf "$work"
  echo "bootstrap: TA-Lib ready in $dest" >&2
}
fetch_talib

if [ -n "${ARGO_DUCKDB_DIR:-}" ]; then
  for f in duckdb.h libduckdb.so; do
    [ -f "$ARGO_DUCKDB_DIR/$f" ] || { echo "bootstrap: ARGO_DUCKDB_DIR=$ARGO_DUCKDB_DIR has no $f" >&2; exit 1; }
  done
  exit 0
fi

dest="$here/third_party/duckdb-$DUCKDB_VERSION"
if [ -f "$dest/.complete" ]; then
  exit 0
fi

echo "bootstrap: fetching DuckDB $DUCKDB_VERSION from the npm registry" >&2
work=$(scratch)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@duckdb/node-bindings-linux-x64@$DUCKDB_BINDINGS_VERSION" "duckdb@$DUCKDB_VERSION" </dev/null >/dev/null 2>npm.log) \
  || { cat "$work/npm.log" >&2; echo "bootstrap: npm pack failed" >&2; exit 1; }

check "$work/duckdb-node-bindings-linux-x64-$DUCKDB_BINDINGS_VERSION.tgz" "$DUCKDB_BINDINGS_SHA256"
check "$work/duckdb-$DUCKDB_VERSION.tgz" "$DUCKDB_SOURCE_SHA256"

mkdir -p "$work/out"
tar -xzf "$work/duckdb-node-bindings-linux-x64-$DUCKDB_BINDINGS_VERSION.tgz" -C "$work" package/libduckdb.so package/LICENSE
mv "$work/package/libduckdb.so" "$work/package/LICENSE" "$work/out/"
tar -xzf "$work/duckdb-$DUCKDB_VERSION.tgz" -C "$work" package/src/duckdb/src/include/duckdb.h
mv "$work/package/src/duckdb/src/include/duckdb.h" "$work/out/"
echo "$DUCKDB_VERSION" >"$work/out/VERSION"
touch "$work/out/.complete"
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$work/out" "$dest"
echo "bootstrap: DuckDB $DUCKDB_VERSION ready in $dest" >&2
