#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ctest "lint": every C file of ours is formatted by clang-format-19 with the root .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
files=(src/**/*.[ch] tools/**/*.[ch] tests/unit/**/*.[ch] tests/fuzz/*.c tests/tools/*.c)
if ! clang-format-19 --dry-run -Werror "${files[@]}"; then
	echo "check-format: run clang-format-19 -i on the files above" >&2
	exit 1
fi
echo "check-format: ${#files[@]} files formatted"
