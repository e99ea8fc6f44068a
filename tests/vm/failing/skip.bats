#!/usr/bin/env bats
# Deliberately skipped: a skip inside the guest must fail the VM run.

@test "this test skips on purpose" {
	skip "a guest test that skips"
}
