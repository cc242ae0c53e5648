#!/usr/bin/env bash
# The browser tests drive Debian's chromium through the playwright package (scripts/ensure.sh).
exec bash "$(dirname "$0")/ensure.sh" chromium
