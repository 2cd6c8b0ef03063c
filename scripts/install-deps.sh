#!/usr/bin/env bash
# Installs the Debian packages Tessera needs to build, test and run, and nothing else.
# Idempotent and non-interactive: does nothing when every package is already present.
set -euo pipefail

packages=(
  build-essential cmake pkg-config make git clang-format
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libprotobuf-dev protobuf-compiler libonnx-dev
  libsimgrid-dev chromium
  libopenmpi-dev openmpi-bin
  libdnnl-dev ocl-icd-opencl-dev libonnx-testdata
  clang libclang-rt-14-dev  # libFuzzer for `make fuzz`
  coinor-libcbc-dev  # CBC: the throughput MILP cross-check in tests/milp (tests only)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
