#!/usr/bin/env bash
# The whole test command: install into .venv (created if missing), then lint, type-check and test.
# PostgreSQL tests run when PETITIONKIT_TEST_POSTGRESQL_URL is set (CI sets it and requires them).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e '.[test,docs,server]'
for plugin in plugins/*/; do
  if [ -f "$plugin/pyproject.toml" ]; then
    "$VENV/bin/python" -m pip install --quiet -e "$plugin[test]"
  fi
done

lint=()
for path in src tests plugins examples benchmarks conftest.py; do
  [ -e "$path" ] && lint+=("$path")
done
echo "== ruff"
"$VENV/bin/ruff" check "${lint[@]}"
"$VENV/bin/ruff" format --check "${lint[@]}"
echo "== mypy --strict src"
"$VENV/bin/mypy" src
echo "== docs (Sphinx, warnings are errors)"
"$VENV/bin/sphinx-build" -q -W --keep-going -b html docs docs/_build/html
echo "== the clerks' guide (Sphinx, zh_CN, warnings are errors)"
"$VENV/bin/sphinx-build" -q -W --keep-going -b html docs/guide-zh docs/guide-zh/_build/html
echo "== pytest"
"$VENV/bin/python" -m pytest tests plugins examples "$@"
