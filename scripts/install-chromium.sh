#!/usr/bin/env bash
# Installs Chromium and chromedriver from Debian's packages for the dashboard's browser test
# (Tests/ArcadiaTests/DashboardTests.swift). Idempotent; needs root (CI runs as root).
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium chromium-driver >&2
