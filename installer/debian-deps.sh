#!/usr/bin/env bash
# Installs the Debian 12 packages Beamlet needs to build and test. Idempotent: when every package is
# already installed it only asks dpkg and returns in well under a second.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake pkg-config clang-format
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev libgl1-mesa-dev
  libvtk9-dev libinsighttoolkit5-dev libgdcm-tools libgdcm-dev libdcmtk-dev libeigen3-dev
  libtorch-dev libtbb-dev nlohmann-json3-dev libcli11-dev libnlopt-cxx-dev
)
# Tests: a virtual X server for the GUI tests, peers the benchmarks and checks run side by side.
TEST_PKGS=(xvfb xauth dcm2niix dcmtk dicom3tools plastimatch python3-pydicom python3-dicompylercore
  python3-junitparser python3-torch)

missing=()
for p in "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "debian-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q "${missing[@]}"
