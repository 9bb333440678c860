#!/usr/bin/env bash
# The test command (see README): starts PostgreSQL (installing it from Debian packages if
# missing), then runs the whole suite, PostgreSQL suites included.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
if [ -z "${ARCADIA_TEST_DATABASE_URL:-}" ] && [ -z "${POSTGRES_HOSTNAME:-}" ]; then
  eval "$(scripts/start-postgres.sh)"
fi
export CI="${CI:-false}"
# DigitalOcean's official Python client, for the simulator's compatibility test.
if [ -z "${ARCADIA_PYDO_PYTHON:-}" ]; then
  ARCADIA_PYDO_PYTHON="$(scripts/install-pydo.sh)" || { echo "warning: could not install pydo" >&2; ARCADIA_PYDO_PYTHON=; }
  export ARCADIA_PYDO_PYTHON
fi
# schemathesis, for the simulator's fuzz test against the official spec.
if [ -z "${ARCADIA_SCHEMATHESIS:-}" ]; then
  ARCADIA_SCHEMATHESIS="$(scripts/install-schemathesis.sh)" || { echo "warning: could not install schemathesis" >&2; ARCADIA_SCHEMATHESIS=; }
  export ARCADIA_SCHEMATHESIS
fi
# Chromium and chromedriver, for the dashboard's browser test.
if [ "$CI" = true ] || [ "$(id -u)" = 0 ]; then
  scripts/install-chromium.sh || echo "warning: could not install chromium" >&2
fi
echo "swift: $(swift --version 2>&1 | head -n 1)"
echo "PostgreSQL: ${ARCADIA_TEST_DATABASE_URL:-${POSTGRES_HOSTNAME:-?}:${POSTGRES_PORT:-5432}}"
if [ "${ARCADIA_CHECK_FORMAT:-1}" = 1 ] && swift format --version >/dev/null 2>&1; then
  swift format lint --strict --recursive Package.swift Sources Tests
fi
swift build --build-tests
swift test --skip-build "$@"
