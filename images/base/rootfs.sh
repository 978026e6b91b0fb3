#!/bin/sh
# The air-gapped base image's root filesystem, from Debian packages only (no container registry).
#
# usage: rootfs.sh DIR MIRROR SECURITY_MIRROR CA_BUNDLE
#   DIR              empty or missing folder that receives the root filesystem (run as root)
#   MIRROR           the Debian mirror apt uses on this machine, e.g. http://deb.debian.org/debian
#   SECURITY_MIRROR  its security mirror (http://deb.debian.org/debian-security), or "" for none
#   CA_BUNDLE        the machine's CA bundle, copied in so pip, uv and apt trust what it trusts
#
# images/build.py runs it and tags the result datakit-base:<hash of this file, the mirror and the
# CA bundle>, so a change here rebuilds the base and nothing else does. It stands in for
# python:3.11-slim-bookworm: Debian's python3 (3.11) at /usr/bin/python3 instead of the official
# image's /usr/local/bin/python3.11.x (see the root README, "Air-gapped build").
set -eu

if [ "$#" -ne 4 ]; then
    echo "usage: rootfs.sh DIR MIRROR SECURITY_MIRROR CA_BUNDLE" >&2
    exit 2
fi
dir=$1
mirror=$2
security=$3
ca_bundle=$4
suite=bookworm

debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    "$suite" "$dir" "$mirror"

# The same suites as the official bookworm images (updates and security), from this machine's mirrors.
{
    echo "deb $mirror $suite main"
    echo "deb $mirror $suite-updates main"
    if [ -n "$security" ]; then
        echo "deb $security $suite-security main"
    fi
} >"$dir/etc/apt/sources.list"

# The machine's CA bundle: a proxy that re-signs TLS is trusted inside builds as outside.
cp "$ca_bundle" "$dir/etc/ssl/certs/ca-certificates.crt"
# A base for building venvs, not a system Python: pip may install (PEP 668 marker removed).
rm -f "$dir"/usr/lib/python3.*/EXTERNALLY-MANAGED
# python -> python3, as in the official image.
ln -sf python3 "$dir/usr/bin/python"
# No caches, package lists, docs or logs in the image (apt-get update refreshes the lists).
rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/* \
    "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/root/.cache
