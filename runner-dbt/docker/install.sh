#!/bin/sh
# Install the datakit-sdk and runner-dbt wheels, with every adapter, into a fresh virtualenv.
#
# The image's builder stage runs this script, and so does tests/unit/test_image.py: the test
# therefore checks the very install the image ships, without needing a Docker engine.
#
# usage: install.sh WHEEL_DIR VENV_DIR
#   WHEEL_DIR  holds exactly one datakit_sdk-*.whl and one runner_dbt-*.whl, the wheels built
#              from third-party sdists (pyspark is published as an sdist only), and
#              constraints.txt (the versions of runner-dbt/uv.lock, from `uv export`)
#   VENV_DIR   must not exist yet (the install starts clean, nothing leaks in)
#   PYTHON     interpreter that creates the venv (default: python3)
#
# Our two wheels are named by path, so pip can never pick a same-named package from an index for
# them (no dependency confusion); everything else comes as wheels only (--only-binary: no
# compiler in the slim image, no build scripts run at install time), pinned by the lock file.
set -eu

if [ "$#" -ne 2 ]; then
    echo "usage: install.sh WHEEL_DIR VENV_DIR" >&2
    exit 2
fi
wheel_dir=$1
venv_dir=$2
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
runner_wheel=$(one_wheel 'runner_dbt-*.whl')
constraints="$wheel_dir/constraints.txt"
if [ ! -f "$constraints" ]; then
    echo "install.sh: $constraints is missing (uv export --frozen --no-dev --all-extras ...)" >&2
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
    --constraint "$constraints" "$sdk_wheel" "${runner_wheel}[sqlserver,spark]"
# shellcheck disable=SC2086
$pip check
# The image is immutable: drop the installers so nothing can be pip-installed at run time.
# shellcheck disable=SC2086
$pip uninstall --yes pip setuptools >/dev/null
