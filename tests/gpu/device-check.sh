#!/usr/bin/env bash
# The GPU check, on a machine with an NVIDIA GPU and the CUDA toolkit (nvcc), run from anywhere in
# the checkout: configures a fresh Release build with CUDA, builds the GPU test and benchmark,
# runs `ctest -L gpu` (where a missing device is a failure: BEAMLET_REQUIRE_CUDA=1) and the GPU
# benchmark, and prints the GPU's nvidia-smi details. Logs and the benchmark's results are copied
# to $OUT when it is set. Needs no network and no sudo.
#
# Environment: BUILD_DIR (default build-device-check), JOBS (default: all cores),
# BUILD_TARGETS (default "test_gpu_dij bench_dij_gpu"; "all" builds everything),
# CUDA_ARCHITECTURES (default: the project's list; e.g. 90 builds for Hopper only, faster).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
BUILD_DIR=${BUILD_DIR:-build-device-check}
JOBS=${JOBS:-$(nproc)}
BUILD_TARGETS=${BUILD_TARGETS:-test_gpu_dij bench_dij_gpu}
LOGS="$BUILD_DIR/device-check"

log() { printf '[%s] %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$*"; }

main() {
  log "device check of $(git rev-parse --short HEAD 2>/dev/null || echo 'an unknown commit') in $PWD"

  log "GPU"
  if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total --format=csv |
      tee "$LOGS/nvidia-smi.txt"
    nvidia-smi >> "$LOGS/nvidia-smi.txt" 2>&1 || true
  else
    log "nvidia-smi not found (no NVIDIA driver?)"
  fi

  NVCC=${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
  if [[ ! -x "$NVCC" ]]; then
    log "error: nvcc not found (install the CUDA toolkit, or set CUDACXX)"
    exit 1
  fi
  "$NVCC" --version | tail -n 2

  # The Debian build dependencies (installer/debian-deps.sh installs them; it needs the network).
  missing=()
  for p in build-essential cmake qt6-base-dev libinsighttoolkit5-dev libdcmtk-dev libeigen3-dev \
    libtbb-dev nlohmann-json3-dev; do
    [[ "$(dpkg-query -W -f='${Status}' "$p" 2> /dev/null || true)" == "install ok installed" ]] ||
      missing+=("$p")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "error: Debian build dependencies missing: ${missing[*]}"
    log "install them with installer/debian-deps.sh (root and network needed), then run this again"
    exit 1
  fi

  log "configure ($BUILD_DIR, Release, CUDA)"
  configure=(-DCMAKE_BUILD_TYPE=Release -DBEAMLET_BUILD_GUI=OFF -DBEAMLET_CUDA=ON
    -DCMAKE_CUDA_COMPILER="$NVCC")
  [[ -n "${CUDA_ARCHITECTURES:-}" ]] && configure+=(-DCMAKE_CUDA_ARCHITECTURES="$CUDA_ARCHITECTURES")
  if ! cmake -S . -B "$BUILD_DIR" "${configure[@]}" > "$LOGS/configure.log" 2>&1; then
    tail -n 30 "$LOGS/configure.log"
    log "error: configure failed (full log: $LOGS/configure.log); missing build dependencies?" \
      "installer/debian-deps.sh installs them"
    exit 1
  fi
  grep "CUDA dose engine" "$LOGS/configure.log" || true
  grep -q "CUDA dose engine: on" "$LOGS/configure.log" || {
    log "error: the build has no CUDA"
    exit 1
  }

  log "build ($BUILD_TARGETS, $JOBS jobs)"
  target_args=()
  [[ "$BUILD_TARGETS" != all ]] && for t in $BUILD_TARGETS; do target_args+=(--target "$t"); done
  start=$(date +%s)
  if ! cmake --build "$BUILD_DIR" -j "$JOBS" "${target_args[@]}" > "$LOGS/build.log" 2>&1; then
    grep -E "error|Error" "$LOGS/build.log" | head -n 30
    log "error: build failed (full log: $LOGS/build.log)"
    exit 1
  fi
  log "built in $(($(date +%s) - start)) s"

  log "ctest -L gpu"
  result=0
  (cd "$BUILD_DIR" && BEAMLET_REQUIRE_CUDA=1 ctest -L gpu --output-on-failure -V) \
    > "$LOGS/ctest-gpu.log" 2>&1 || result=1
  grep -E "QINFO|SKIP|FAIL!|Totals|tests passed|Test +#" "$LOGS/ctest-gpu.log" || true

  log "GPU benchmark"
  if ! "$BUILD_DIR/bin/bench_dij_gpu" 2>&1 | tee "$LOGS/bench-dij-gpu.log"; then
    result=1
  fi

  return "$result"
}

rm -rf "$BUILD_DIR"
mkdir -p "$LOGS"
set +e
(set -e; main) 2>&1 | tee "$LOGS/device-check.log"
status=${PIPESTATUS[0]}
set -e
if [[ $status -eq 0 ]]; then log "device check passed"; else log "device check FAILED ($status)"; fi
if [[ -n "${OUT:-}" ]]; then
  mkdir -p "$OUT"
  cp -r "$LOGS"/. "$OUT"/
  if [[ -f "$BUILD_DIR/bench/dij_gpu.json" ]]; then cp "$BUILD_DIR/bench/dij_gpu.json" "$OUT"/; fi
  log "logs and results copied to $OUT"
fi
exit "$status"
