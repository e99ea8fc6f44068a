/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "unit.h"

static struct unit_test *head, **tail = &head;
static bool failed_now;

void unit_register(struct unit_test *t)
{
	*tail = t;
	tail = &t->next;
}

void unit_fail(const char *file, int line, const char *expr)
{
	printf("  %s:%d: CHECK(%s) failed\n", file, line, expr);
	failed_now = true;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (struct unit_test *t = head; t; t = t->next) {
		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		failed_now = false;
		t->fn();
		printf("%s %s: %s\n", failed_now ? "FAIL" : "ok  ", t->name, t->desc);
		if (failed_now)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
