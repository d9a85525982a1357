#!/usr/bin/env bash
# The installed tree, as a third party gets it (issue 15): installs the build into a temporary
# prefix, checks what is there and what the shared library exports, builds examples/embed.c
# against it with pkg-config (shared and static) and with find_package(argo) from a copy outside
# the source tree, runs them, and runs the installed argo from another folder.
#   tests/install_tree.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/argo-install-XXXXXX")
trap '[ -n "${ARGO_KEEP:-}" ] || rm -rf "$work"' EXIT
prefix=$work/prefix
fail() { echo "install_tree: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
lib=$prefix/lib
[ -d "$prefix/lib64" ] && lib=$prefix/lib64
for f in include/argo/argo.h include/argo/strategy.h include/argo/version.h bin/argo \
         share/man/man1/argo.1 share/bash-completion/completions/argo share/doc/argo/LICENSE \
         share/doc/argo/NOTICES.md share/doc/argo/TA-LIB-LICENSE; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
for f in libargo.so libargo.a libduckdb.so pkgconfig/argo.pc cmake/argo/argoConfig.cmake \
         cmake/argo/argoConfigVersion.cmake cmake/argo/argoTargets.cmake; do
  [ -e "$lib/$f" ] || fail "not installed: lib/$f"
done
soname=$(readelf -d "$lib/libargo.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ "$soname" == libargo.so.[0-9]* ]] || fail "libargo.so has no versioned SONAME ($soname)"

# Only the public API is exported: argo_* names, never argo__* (internal).
exported=$(nm -D --defined-only "$lib/libargo.so" | awk '$2 ~ /^[TDBRVW]$/ {print $3}')
bad=$(printf '%s\n' "$exported" | grep -v '^argo_[a-z]' | grep -v '^_\(init\|fini\)$' || true)
internal=$(printf '%s\n' "$exported" | grep '^argo__' || true)
[ -z "$bad$internal" ] || fail "exported beyond the public API: $bad $internal"
declared=$(grep -ho 'ARGO_API [^(]*(' "$src/include/argo/argo.h" | sed 's/.*[ *]\(argo_[a-z_0-9]*\)($/\1/' | sort -u)
missing=$(comm -23 <(printf '%s\n' "$declared") <(printf '%s\n' "$exported" | sort -u))
[ -z "$missing" ] || fail "declared ARGO_API but not exported: $missing"
echo "exported symbols: $(printf '%s\n' "$exported" | wc -l)"

# RUNPATHs point into the prefix only ($ORIGIN), never into the build or source tree.
for f in "$lib/libargo.so" "$prefix/bin/argo"; do
  rp=$(readelf -d "$f" | sed -n 's/.*R\(UN\)\?PATH.*\[\(.*\)\]/\2/p')
  [[ "$rp" == '$ORIGIN'* ]] || fail "$f: RUNPATH '$rp' is not relative to the installed file"
done

# The examples, copied away from the source tree.
cp -r "$src/examples" "$work/examples"
cd "$work"
export PKG_CONFIG_PATH=$lib/pkgconfig
make -s -C examples >/dev/null
examples/embed "$work/data-shared" 400 > out-shared.txt || fail "embed (pkg-config, shared) failed: $(cat out-shared.txt)"
grep -q 'catalog: 2025-10-01/run_1 finished' out-shared.txt || fail "embed (shared): $(cat out-shared.txt)"
make -s -C examples clean && make -s -C examples STATIC=1 >/dev/null
ldd examples/embed | grep -q libargo && fail "the static build links libargo.so"
examples/embed "$work/data-static" 400 > out-static.txt || fail "embed (pkg-config, static) failed: $(cat out-static.txt)"
cmake -S examples -B build-cmake -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build build-cmake >/dev/null
build-cmake/embed "$work/data-cmake" 400 > out-cmake.txt || fail "embed (find_package) failed: $(cat out-cmake.txt)"
# The same session (order ids aside: they carry the session id) from each build.
same() { sed -E '/^recording/d; s/[0-9a-f]{8}-([0-9]+)/ID-\1/' "$1"; }
cmp -s <(same out-shared.txt) <(same out-cmake.txt) && cmp -s <(same out-shared.txt) <(same out-static.txt) \
  || fail "the builds of embed disagree"

# The installed tool, from another folder, with nothing of the build on its paths.
mkdir elsewhere && cd elsewhere
env -i PATH=/usr/bin:/bin HOME="$work" "$prefix/bin/argo" run --bars 30 --data-output data --quiet \
  || fail "the installed argo run failed"
env -i PATH=/usr/bin:/bin HOME="$work" "$prefix/bin/argo" sessions --data-output data > sessions.txt \
  || fail "the installed argo sessions failed"
grep -q finished sessions.txt || fail "argo sessions: $(cat sessions.txt)"
echo "installed tree: $(du -sh "$prefix" | cut -f1) in $prefix; examples and the tool run from it"
