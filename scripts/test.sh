#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The one command that runs every test: installs dependencies (setup.sh, root only), builds the
# dev preset (Debug, ASan + UBSan) and runs ctest --preset dev: unit, fuzz-replay, lint and
# integration (the integration tests need root and are skipped, not failed, without it).
# Extra arguments go to ctest, e.g. scripts/test.sh -L unit
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "$(id -u)" -eq 0 ]; then
	scripts/setup.sh
else
	echo "test.sh: not root: skipping scripts/setup.sh; root-only tests will be skipped" >&2
fi

cmake --preset dev
cmake --build --preset dev
ctest --preset dev -j "${OCM_TEST_JOBS:-$(nproc)}" "$@" </dev/null
