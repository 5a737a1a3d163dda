#!/bin/sh
# Install (or, when not root, print the command for) the Debian packages paydesk
# needs to build and test. Safe to run again: it only acts on what is missing.
#   scripts/deps.sh          install what is missing
#   scripts/deps.sh --check  exit 1 (quietly) when something is missing
set -eu

PACKAGES="build-essential pkg-config libncurses-dev libcurl4-openssl-dev libjansson-dev
libsqlite3-dev libsodium-dev zlib1g-dev libqrencode-dev libcmocka-dev tmux python3 python3-pytest
python3-pytest-xdist python3-pytest-timeout sqlite3 tzdata valgrind gdb ca-certificates"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ "${1:-}" = "--check" ]; then
	[ -z "$missing" ]
	exit $?
fi

if [ -z "$missing" ]; then
	echo "deps: everything paydesk needs is installed"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing:$missing" >&2
	echo "deps: this is not a Debian system; install the equivalents of those packages by hand" >&2
	exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing:$missing" >&2
	echo "deps: run this as root, or:  sudo apt-get install -y$missing" >&2
	exit 1
fi

echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet: update first, then install.
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
