#!/usr/bin/env bash
# Builds llama-server from the llama.cpp source bundled in node-llama-cpp and caches it
# outside the repo, keyed by the llama.cpp commit, so later runs (and CI) reuse it.
# Prints the path of the binary on stdout; build logs go to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bundle="$root/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$bundle" ] || { echo "missing $bundle: run npm ci first" >&2; exit 1; }
commit=$(git bundle list-heads "$bundle" | awk '$2=="HEAD"{print $1; exit}')
[ -n "$commit" ] || commit=$(git bundle list-heads "$bundle" | awk '{print $1; exit}')
cache="${OPBENCH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/opbench}/llama-server-$commit"
bin="$cache/bin/llama-server"
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then echo "$bin"; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "building llama-server $commit (several minutes; cached in $cache)" >&2
git clone -q "$bundle" "$work/src" >&2
git -C "$work/src" checkout -q "$commit" >&2
# No web UI: llama.cpp would otherwise try to download a prebuilt one on every build (the tests
# and opbench use the HTTP API only, and CI has no internet).
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
  -DGGML_NATIVE=OFF -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$work/build" --target llama-server -j "$(nproc)" >&2
mkdir -p "$cache/bin.tmp"
cp "$work/build/bin/llama-server" "$cache/bin.tmp/"
rm -rf "$cache/bin" && mv "$cache/bin.tmp" "$cache/bin"
"$bin" --version >&2 || true
echo "$bin"
