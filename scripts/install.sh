#!/usr/bin/env bash
# Install asr-tui into ./.venv on a fresh machine. With --test, also what the tests
# need: espeak-ng (speech to test on), tmux, and PulseAudio + PortAudio for the
# virtual microphone.
#
# torch: a machine that already has a torch in .venv keeps it (a GPU box installs its
# CUDA build first, see README); otherwise the CPU build 2.13.0 is installed, which
# these machines serve from local disk (an unpinned torch pulls a multi-GB CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[[ ${1:-} == --test ]] && with_tests=1

apt_packages=(libportaudio2)
((with_tests)) && apt_packages+=(espeak-ng tmux pulseaudio pulseaudio-utils libasound2-plugins alsa-utils)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "asr-tui: please install these Debian packages: ${missing[*]}" >&2
  fi
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
py=.venv/bin/python
$py -m pip install -q --upgrade pip 2>/dev/null || true
$py -c 'import torch' 2>/dev/null || $py -m pip install -q torch==2.13.0
extras=base
((with_tests)) && extras=base,test
$py -m pip install -q -e ".[$extras]"

# whisper-jax is on no registry: where its wheel lies beside the checkout (CI's
# ../shared/third_party), the tests get it. --no-deps, since its metadata pins
# transformers < 4.35, which current JAX cannot run; the test extra brings
# transformers < 5 and flax.
third_party=../shared/third_party
if ((with_tests)) && [[ -d $third_party ]]; then
  $py -m pip install -q --no-deps "$third_party"/whisper_jax-*.whl cached-property
fi
