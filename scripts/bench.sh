#!/usr/bin/env bash
# make bench: every benchmark in bench/, in the benchmark environment (.bench-venv: xget plus the
# `bench` extra, which brings twscrape for the parser comparison; never installed at runtime).
# Usage: scripts/bench.sh [NAME...]   (NAME = a file in bench/ without .py; default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.bench-venv/.xget-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -x .bench-venv/bin/python ]; then
  python3 -m venv .bench-venv
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .bench-venv/bin/python -m pip install -q --upgrade pip
  .bench-venv/bin/python -m pip install -q -e '.[bench]'
  echo "$want" > "$stamp"
fi
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=(parse event_store api rebuild ingest export)
fi
for name in "${names[@]}"; do
  [ -f "bench/$name.py" ] || { echo "bench: no bench/$name.py (skipped)"; continue; }
  echo "===== bench/$name.py"
  .bench-venv/bin/python "bench/$name.py"
done
