#!/usr/bin/env bats
# Deliberately failing: propagation.bats runs it to prove that a
# failure inside the guest fails the run. Not part of the default set.

@test "this test fails on purpose" {
	false
}
