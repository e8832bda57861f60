#!/usr/bin/env bash
# Makes `pip install -r requirements.txt` work with no package index, in the Python base image.
# There is no index on the build network, so pip is set to `no-index` and every requirement must
# already be installed (from Debian): pip then answers "Requirement already satisfied".
#  - System pip: Debian marks its Python as externally managed (PEP 668); the official
#    python:*-slim images are not, and learners' Dockerfiles run `pip install` there, so the marker goes.
#  - Virtualenvs: `python -m venv /opt/venv` gives a venv its own pip, and a sitecustomize hook puts
#    a view of Debian's packages (without pip, setuptools and wheel, so ensurepip still installs
#    those into the venv) after the venv's own site-packages. A venv copied into a second stage built
#    FROM the same image finds the same packages.
#  - fastapi 0.92 (Debian) declares starlette<0.26 but Debian ships it with starlette 0.26.1; the
#    metadata is aligned with what Debian tested together, so pip's resolver and `pip check` agree.
# Usage: python-offline-pip.sh <rootfs> <full Python version the image tags promise, e.g. 3.11.2>
set -euo pipefail
R=$1 FULL=$2
PY=$(echo "$FULL" | cut -d. -f1,2)
site=/usr/lib/python3/dist-packages
view=/usr/lib/python3/academy-venv-site

rm -f "$R/usr/lib/python$PY/EXTERNALLY-MANAGED"
cat >"$R/etc/pip.conf" <<'PIP'
# Academy images: no package index is reachable. Requirements are satisfied by the packages
# already installed from Debian (pin them to the installed versions: `pip list`).
[global]
no-index = true
disable-pip-version-check = true
root-user-action = ignore
PIP

for meta in "$R$site"/fastapi-*.dist-info/METADATA; do
  [ -f "$meta" ] && sed -i 's/^Requires-Dist: starlette<0\.26\.0,>=0\.25\.0$/Requires-Dist: starlette<0.27.0,>=0.25.0/' "$meta"
done

mkdir -p "$R$view"
for entry in "$R$site"/*; do
  name=$(basename "$entry")
  case "$name" in
    pip | pip-* | setuptools | setuptools-* | _distutils_hack | pkg_resources | wheel | wheel-* | distutils-precedence.pth) continue ;;
  esac
  ln -sfn "$site/$name" "$R$view/$name"
done
cat >>"$R/etc/python$PY/sitecustomize.py" <<HOOK

# Academy images: a virtualenv sees the packages installed from Debian (see /etc/pip.conf).
import sys as _sys
if _sys.prefix != _sys.base_prefix and "$view" not in _sys.path:
    _sys.path.append("$view")
HOOK

# Debian's python3-uvicorn has no console script; the official images' pip-installed one does.
cat >"$R/usr/local/bin/uvicorn" <<'UVICORN'
#!/usr/bin/python3
import sys
from uvicorn.main import main
sys.exit(main())
UVICORN
chmod 755 "$R/usr/local/bin/uvicorn"

# Prove it: the interpreter is the version the tags promise, Debian's packages are consistent,
# and a requirements file pinned to them installs offline, system-wide and in a venv.
# No network in the check (unshare -n): nothing may come from anywhere but the image.
# shellcheck disable=SC2016 # expanded by the inner shell
"$(dirname "$0")/in-root.sh" "$R" -- bash -euo pipefail -c '
  want=$0
  [ "$(python --version)" = "Python $want" ] || { echo "python-offline-pip: $(python --version), the tags promise $want" >&2; exit 1; }
  pip check
  ver() { python -c "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))" "$1"; }
  printf "fastapi==%s\nuvicorn==%s\nscikit-learn==%s\n" "$(ver fastapi)" "$(ver uvicorn)" "$(ver scikit-learn)" >/tmp/requirements.txt
  pip install -q -r /tmp/requirements.txt
  python -m venv /tmp/venv
  /tmp/venv/bin/pip install -q --no-cache-dir -r /tmp/requirements.txt
  /tmp/venv/bin/python -c "import fastapi, sklearn, pandas, uvicorn"
  rm -rf /tmp/venv /tmp/requirements.txt
' "$FULL"
echo "python-offline-pip: pip works offline (system and venv)"
