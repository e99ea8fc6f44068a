#!/usr/bin/env bats
# Run on the host by make check-vm: a failure inside the guest must fail the
# run, and so must a guest that never finishes.

bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

@test "a failing guest test fails the VM run" {
	run -1 "$TOP/tests/vm/run.sh" "$TOP/tests/vm/failing/fail.bats"
	assert_line --partial "not ok 1 this test fails on purpose"
	assert_line "0 passed, 1 failed"
}

@test "a guest that does not finish in time fails the VM run" {
	VM_TIMEOUT=2 run -1 "$TOP/tests/vm/run.sh" "$TOP/tests/vm/failing/fail.bats"
	assert_output --partial "did not finish within 2 s"
}

@test "a skipped guest test fails the VM run" {
	run -1 "$TOP/tests/vm/run.sh" "$TOP/tests/vm/failing/skip.bats"
	assert_output --partial "1 skipped"
}
