#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine: installs what is missing, builds, then
#   gui   — opens the workbench on the Fashion-MNIST default experiment
#   test  — runs the whole test suite (CTest)
#   setup — only installs and builds
#   sanitize — builds build-san (clang, ASan + UBSan) and runs its tests
#   fuzz [SECONDS] [TARGET...] — runs the libFuzzer targets (tests/fuzz) for SECONDS each
#   package — builds the .deb (CPack), installs it with apt and checks the installed programs
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${TERNLAB_BUILD_DIR:-$ROOT/build}

PACKAGES=(build-essential cmake ninja-build git pkg-config ccache
  libtorch-dev libopenblas0-pthread qt6-base-dev libqcustomplot-dev libqcustomplot-doc
  libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
  libboost-dev dataset-fashion-mnist xvfb xauth python3 iproute2
  libgloo-dev libonnx-dev libprotobuf-dev python3-onnx python3-numpy python3-torch libstb-dev help2man dpkg-dev)

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
  # node + npm for ONNX Runtime's npm package: Debian's, unless the machine already has a node with npm.
  if ! command -v npm >/dev/null; then
    local SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
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
  install_onnxruntime
}

# ONNX Runtime for the ONNX export's tests and baseline, from npm into the build tree. --ignore-scripts: the
# package's install script only fetches GPU extras, which fails offline; the CPU runtime ships in the package.
install_onnxruntime() {
  local dir="$BUILD/onnxruntime"
  [ -f "$dir/node_modules/onnxruntime-node/package.json" ] && return 0
  echo "== installing onnxruntime-node (npm) into $dir"
  mkdir -p "$dir"
  npm install --ignore-scripts --no-audit --no-fund --prefix "$dir" onnxruntime-node >/dev/null
  node -e "require('$dir/node_modules/onnxruntime-node')"
}

# A second tree built by clang with AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer's coverage:
# the core, the CLI, their tests and the fuzz targets (no GUI, no benchmarks).
SAN_BUILD=${TERNLAB_SAN_BUILD_DIR:-$ROOT/build-san}
SAN_PACKAGES=(clang-14 libclang-rt-14-dev)
build_sanitized() {
  PACKAGES+=("${SAN_PACKAGES[@]}")
  install_missing
  cmake -S "$ROOT" -B "$SAN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DTERNLAB_SANITIZE=address,undefined -DTERNLAB_FUZZ=ON -DTERNLAB_BUILD_GUI=OFF -DTERNLAB_BUILD_BENCH=OFF >/dev/null
  cmake --build "$SAN_BUILD" -j2
}
# LibTorch's own allocations are not ours to report: leak checking is off; every other finding aborts.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

cmd=${1:-setup}
shift || true
case "$cmd" in
  sanitize)
    build_sanitized
    cd "$SAN_BUILD"
    # By default every test but the `slow` label (those run unsanitized in `test`); CTest arguments replace that.
    [ $# -eq 0 ] && set -- -LE slow
    exec ctest -j2 --output-on-failure --timeout 900 "$@" ;;
  fuzz)  # fuzz [SECONDS] [TARGET...]: each target on its committed corpus, new inputs kept in build-san/fuzz-found
    build_sanitized
    seconds=${1:-600}
    shift || true
    targets=("$@")
    [ ${#targets[@]} -eq 0 ] && targets=(idx cifar experiment tnn npz store)
    for t in "${targets[@]}"; do
      mkdir -p "$SAN_BUILD/fuzz-found/$t"
      echo "== fuzz_$t for ${seconds} s"
      "$SAN_BUILD/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -rss_limit_mb=4096 -malloc_limit_mb=2048 \
        -artifact_prefix="$SAN_BUILD/fuzz-found/$t/" -print_final_stats=1 \
        "$SAN_BUILD/fuzz-found/$t" "$ROOT/tests/fuzz/corpus/$t"
    done
    exit 0 ;;
esac
install_missing
build
case "$cmd" in
  gui)
    exec "$BUILD/app/ternlab" "$ROOT/experiments/fmnist-lenet-default.json" "$@" ;;
  test)
    cd "$BUILD"
    # GUI tests run offscreen; every test binary is run by CTest, two at a time (each test has its own folders).
    QT_QPA_PLATFORM=offscreen ctest -j2 --output-on-failure --timeout 900 "$@" ;;
  setup) ;;
  package)
    (cd "$BUILD" && cpack -G DEB >/dev/null)
    deb=$(ls -t "$BUILD"/ternlab_*.deb | head -1)
    echo "== installing $deb"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$deb"
    /usr/bin/ternlab-cli --version
    test -x /usr/bin/ternlab
    ls /usr/share/man/man1/ternlab-cli.1*
    test -f /usr/share/applications/ternlab.desktop ;;
  *) echo "usage: $0 {gui|test|setup|sanitize|fuzz|package}" >&2; exit 2 ;;
esac
