# Sourced by the other scripts: make .venv and install the project with its test extras when needed.
# The first install takes a minute or two: it says which stage it is in, and pip shows each package.
set -euo pipefail
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "[1/3] creating .venv with $("$PY" --version 2>&1) …" >&2
  "$PY" -m venv .venv
fi
stamp=.venv/.ndxp-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[2/3] updating pip in .venv …" >&2
  .venv/bin/python -m pip install -q --upgrade pip
  echo "[3/3] installing ndxp-sim and its dependencies into .venv (the first time: 1–2 minutes) …" >&2
  .venv/bin/python -m pip install --progress-bar on -e '.[test]' >&2
  echo "$want" > "$stamp"
  echo "installed." >&2
fi
