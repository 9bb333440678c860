#!/usr/bin/env bash
# Installs DigitalOcean's official Python client (pydo, from PyPI) into .build-pydo/ for the
# official-client compatibility test. Prints the interpreter path. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.build-pydo
if ! "$venv/bin/python" -c "import pydo" >/dev/null 2>&1; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet pydo==0.44.0 >&2
fi
echo "$PWD/$venv/bin/python"
