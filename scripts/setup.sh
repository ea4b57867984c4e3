#!/bin/sh
# Idempotent install for `make setup`: Debian packages (when root), .venv, sävy.
set -eu
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"

apt_install() {
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing Debian packages: $*"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "setup: sävy needs these system packages: $*" >&2
        echo "setup: install them with: sudo apt-get install $*" >&2
        exit 1
    fi
}

missing=""
if command -v dpkg >/dev/null 2>&1; then
    for pkg in libvoikko1 voikko-fi; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
    done
elif ! ldconfig -p 2>/dev/null | grep -q libvoikko; then
    echo "setup: libvoikko and the voikko-fi dictionary are needed; install them with your package manager" >&2
    exit 1
fi
command -v "$PYTHON" >/dev/null 2>&1 || missing="$missing python3 python3-venv"
# Chromium renders the HTML report in the test suite; optional for using sävy.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
        && [ "${SAVY_NO_BROWSER:-}" = "" ]; then
    missing="$missing chromium"
fi
[ -z "$missing" ] || apt_install $missing

if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        apt_install python3-venv
        "$PYTHON" -m venv "$VENV"
    fi
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
"$VENV/bin/python" -c "import sävy.voikko as v; v.check_available()"
echo "setup: ready ($VENV)"
