#!/usr/bin/env bash
# check-wheel.sh -- build furu's wheel and prove it installs and runs in a fresh environment.
#
# Usage: scripts/check-wheel.sh [OUT_DIR]   (default: dist/)
#
# Builds the wheel with the project's build backend, installs it (no editable
# install, no source tree on sys.path) into a new venv, and runs `furu --help`
# and the example pipeline from a throwaway directory. The release workflow
# runs this; so can you, before tagging.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-dist}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

rm -f "$OUT"/furu-*.whl
python -m pip wheel --no-deps --wheel-dir "$OUT" . >/dev/null
WHEEL="$(ls "$OUT"/furu-*.whl)"
echo "[check-wheel] built $WHEEL"

python -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet "$WHEEL" numpy  # numpy: the example pipeline needs it, furu does not
mkdir -p "$WORK/project/docs/examples"
cp docs/examples/pipeline.py "$WORK/project/docs/examples/"
printf '[project]\nname = "smoke"\nversion = "0"\n' > "$WORK/project/pyproject.toml"
cd "$WORK/project"
"$WORK/venv/bin/furu" --help >/dev/null
"$WORK/venv/bin/furu" run docs.examples.pipeline:Report >/dev/null
"$WORK/venv/bin/furu" ls --json | "$WORK/venv/bin/python" -c \
    'import json, sys; records = json.load(sys.stdin); assert records and all(r["status"] == "success" for r in records), records'
echo "[check-wheel] $WHEEL installs and runs the example pipeline in a fresh environment"
