#!/bin/sh
# Install a runner into a fresh virtualenv at exactly the versions of its lock. Every runner's
# Dockerfile runs it in its builder stage (one script, not a copy per runner).
#
# usage: install.sh WHEEL_DIR VENV_DIR DISTRIBUTION [EXTRAS]
#   WHEEL_DIR     what wheels.sh wrote: exactly one datakit_sdk-*.whl and one DISTRIBUTION-*.whl,
#                 constraints.txt (the runner's uv.lock) and wheels built from sdists
#   VENV_DIR      must not exist yet (the install starts clean, nothing leaks in)
#   DISTRIBUTION  the runner's wheel name, e.g. runner_postgres
#   EXTRAS        the runner's extras to install, comma-separated, e.g. sqlserver,spark
#   PYTHON        interpreter that creates the venv (default: python3)
#
# Our two wheels are named by path, so pip never picks a same-named package from an index for
# them (no dependency confusion); everything else comes as wheels only (--only-binary: no
# compiler, no build script runs at install time), at the version the lock pins.
set -eu

if [ "$#" -lt 3 ] || [ "$#" -gt 4 ]; then
    echo "usage: install.sh WHEEL_DIR VENV_DIR DISTRIBUTION [EXTRAS]" >&2
    exit 2
fi
wheel_dir=$1
venv_dir=$2
distribution=$3
extras=${4:+[$4]}
python=${PYTHON:-python3}

# Print the one wheel in $wheel_dir matching $1, or fail naming what was found.
one_wheel() {
    pattern=$1
    # shellcheck disable=SC2086 # the pattern must glob
    set -- "$wheel_dir"/$pattern
    if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
        echo "install.sh: expected exactly one $pattern in $wheel_dir, found: $*" >&2
        exit 3
    fi
    printf '%s\n' "$1"
}

sdk_wheel=$(one_wheel 'datakit_sdk-*.whl')
runner_wheel=$(one_wheel "$distribution-*.whl")
constraints="$wheel_dir/constraints.txt"
if [ ! -f "$constraints" ]; then
    echo "install.sh: $constraints is missing (wheels.sh writes it from the runner's uv.lock)" >&2
    exit 3
fi
if [ -e "$venv_dir" ]; then
    echo "install.sh: $venv_dir already exists; the install must start from a clean venv" >&2
    exit 3
fi

"$python" -m venv "$venv_dir"
pip="$venv_dir/bin/python -m pip --disable-pip-version-check --no-input --require-virtualenv"
# shellcheck disable=SC2086 # $pip is a command line on purpose
$pip install --no-cache-dir --only-binary=:all: --find-links "$wheel_dir" \
    --constraint "$constraints" "$sdk_wheel" "$runner_wheel$extras"
# shellcheck disable=SC2086
$pip check
# The image is immutable: drop the installers so nothing can be pip-installed at run time.
# shellcheck disable=SC2086
$pip uninstall --yes pip setuptools >/dev/null
