#!/usr/bin/env bash
# Installs the Debian packages Jilium needs to build, run and test, and only those missing.
# Idempotent and quiet when everything is present; run as root.
set -euo pipefail

# command-or-file to probe -> Debian package that provides it
declare -A NEEDED=(
  [clang]=clang
  [llc]=llvm
  [/usr/include/bpf/libbpf.h]=libbpf-dev
  [/usr/lib/x86_64-linux-gnu/libbpf.so.1]=libbpf1
  [bpftool]=bpftool
  [ip]=iproute2
  [nsenter]=util-linux
  [socat]=socat
  [iperf3]=iperf3
  [sockperf]=sockperf
  [ping]=iputils-ping
  [hyperfine]=hyperfine
  [/usr/lib/jvm/temurin-25-jdk-amd64/bin/java]=temurin-25-jdk
)

missing=()
for probe in "${!NEEDED[@]}"; do
  if [[ "$probe" == /* ]]; then
    [[ -e "$probe" ]] || missing+=("${NEEDED[$probe]}")
  else
    command -v "$probe" >/dev/null 2>&1 || missing+=("${NEEDED[$probe]}")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $EUID -ne 0 ]]; then
  echo "jilium: missing packages: ${missing[*]}; run as root once (sudo ./jilium ...) to install them" >&2
  exit 1
fi
if printf '%s\n' "${missing[@]}" | grep -qx temurin-25-jdk; then
  echo "jilium: Java 25 (Temurin) is required at /usr/lib/jvm/temurin-25-jdk-amd64" >&2
  exit 1
fi
echo "jilium: installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
