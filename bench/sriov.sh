#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Boot the VM rig and run bench/sriov.bats in it. Usage: bench/sriov.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec tests/vm/run.sh bench/sriov.bats
