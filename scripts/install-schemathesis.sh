#!/usr/bin/env bash
# Installs schemathesis (from PyPI) into .build-schemathesis/ for the simulator's fuzz test.
# Prints the path of its `st` command. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build-schemathesis
if ! "$venv/bin/st" --version >/dev/null 2>&1; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet schemathesis==4.32.5 >&2
fi
echo "$PWD/$venv/bin/st"
