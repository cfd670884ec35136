#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, then
#   gui   — opens the workbench on the Fashion-MNIST default experiment
#   test  — runs the whole test suite (CTest)
#   setup — only installs and builds
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${TERNLAB_BUILD_DIR:-$ROOT/build}

PACKAGES=(build-essential cmake ninja-build git pkg-config ccache
  libtorch-dev libopenblas0-pthread qt6-base-dev libqcustomplot-dev libqcustomplot-doc
  libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  libboost-dev dataset-fashion-mnist xvfb xauth python3)

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing: ${missing[*]}"
    local SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
  # LibTorch must use OpenBLAS, not the reference BLAS (13x slower GEMM).
  if ! readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 | grep -q openblas; then
    echo "warning: libblas.so.3 does not point to OpenBLAS; fp32 baselines will be slow" >&2
  fi
}

build() {
  # TERNLAB_CMAKE_ARGS adds options, e.g. -DTERNLAB_BUILD_BENCH=OFF (CI builds no benchmarks).
  # shellcheck disable=SC2086
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release ${TERNLAB_CMAKE_ARGS:-} >/dev/null
  cmake --build "$BUILD" -j2
}

cmd=${1:-setup}
shift || true
install_missing
build
case "$cmd" in
  gui)
    exec "$BUILD/app/ternlab" --experiment "$ROOT/experiments/fmnist-lenet-twn.json" "$@" ;;
  test)
    cd "$BUILD"
    # GUI tests run offscreen; every test binary is run by CTest.
    QT_QPA_PLATFORM=offscreen ctest --output-on-failure --timeout 900 "$@" ;;
  setup) ;;
  *) echo "usage: $0 {gui|test|setup}" >&2; exit 2 ;;
esac
