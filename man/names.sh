#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The names a page documents: the .Nm lines of its NAME section, one a line.
# make install links each to the page; tests/man_lint.sh checks them.
exec awk '/^\.Sh NAME/ { f = 1; next } /^\.Sh / { f = 0 } f && /^\.Nm / { print $2 }' "$1"
