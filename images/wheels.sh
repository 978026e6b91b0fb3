#!/bin/sh
# The wheels a runner image installs, and the versions its lock pins. Shared by every runner's
# Dockerfile (builder stage) and by the image tests that imitate it on the host.
#
# usage: wheels.sh COMPONENT_DIR SDK_DIR OUT_DIR [SDIST_ONLY_PACKAGE...]
#   COMPONENT_DIR  the runner (its pyproject.toml and uv.lock)
#   SDK_DIR        datakit-sdk
#   OUT_DIR        receives datakit_sdk-*.whl, the runner's wheel, constraints.txt (the runner's
#                  uv.lock as `uv export --frozen --no-dev --all-extras --no-hashes`) and a wheel
#                  for each SDIST_ONLY_PACKAGE (published as an sdist only, e.g. pyspark), built
#                  at the locked version so the install stays wheels-only
#   UV, PYTHON     the uv binary and the interpreter (defaults: uv, python3)
set -eu

if [ "$#" -lt 3 ]; then
    echo "usage: wheels.sh COMPONENT_DIR SDK_DIR OUT_DIR [SDIST_ONLY_PACKAGE...]" >&2
    exit 2
fi
component=$1
sdk=$2
out=$3
shift 3
uv=${UV:-uv}
python=${PYTHON:-python3}

"$uv" build --wheel --out-dir "$out" "$sdk"
"$uv" build --wheel --out-dir "$out" "$component"
"$uv" export --project "$component" --frozen --no-dev --all-extras --no-hashes \
    --no-emit-project --no-emit-package datakit-sdk -o "$out/constraints.txt" >/dev/null
for package in "$@"; do
    "$python" -m pip wheel --disable-pip-version-check --no-deps --no-binary "$package" \
        --constraint "$out/constraints.txt" --wheel-dir "$out" "$package"
done
