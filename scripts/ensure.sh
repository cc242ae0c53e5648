#!/usr/bin/env bash
# Debian packages the app and its tests use but pip cannot install: chromium (the browser tests
# and figure export; playwright's own browser download cannot work on these machines) and nginx
# (the lecture hall, deploy/). `bash scripts/ensure.sh chromium nginx` installs whichever is
# missing with apt (sudo only when not root) and prints where each one is.
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: $0 chromium|nginx ..." >&2; exit 2; }

# Debian puts nginx in /usr/sbin, which a user's PATH may lack.
find_tool() { command -v "$1" 2>/dev/null || { [ -x "/usr/sbin/$1" ] && echo "/usr/sbin/$1"; }; }

missing=()
for tool in "$@"; do
    case "$tool" in
        chromium|nginx) ;;
        *) echo "$0: no package known for '$tool'" >&2; exit 2 ;;
    esac
    find_tool "$tool" >/dev/null || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    echo "Installing Debian's ${missing[*]}..."
    $SUDO apt-get update -qq
    # Where an init system runs, the nginx package also starts the system's nginx on port 80;
    # deploy/ never uses that one (its own config, port and user).
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for tool in "$@"; do find_tool "$tool"; done
