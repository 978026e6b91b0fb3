#!/bin/sh
# The final stage every runner image shares: the runner user and the system packages the
# runner needs at run time, with no package lists, caches or logs left behind.
#
# usage: runtime.sh [APT_PACKAGE...]
#
# The user is numeric (uid/gid 10001) because Kubernetes' runAsNonRoot can only verify a
# numeric USER; its home is the image's WORKDIR and nothing else needs to be writable, so the
# image runs with a read-only root filesystem (plus a writable /tmp).
set -eu

groupadd --system --gid 10001 datakit
useradd --system --uid 10001 --gid 10001 --create-home --home-dir /home/datakit \
    --shell /usr/sbin/nologin datakit

if [ "$#" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "$@"
fi
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/log/apt \
    /var/log/dpkg.log /root/.cache /tmp/* /usr/share/doc/* /usr/share/man/*
