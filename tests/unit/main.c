/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "libcnet.h"
#include "unit.h"

static struct unit_test *head, **tail = &head;
static bool failed_now;

void unit_register(struct unit_test *t)
{
	*tail = t;
	tail = &t->next;
}

void unit_attach_new(int kind, struct cnet_ctx **ctx, struct cnet_attach **att)
{
	cnet_ctx_new(ctx);
	cnet_ctx_set_state_path(*ctx, "/nonexistent-cnet-unit/state.json");
	cnet_attach_new(*ctx, "netns:x", kind, att);
}

void unit_attach_free(struct cnet_ctx *ctx, struct cnet_attach *att)
{
	cnet_attach_free(att);
	cnet_ctx_free(ctx);
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
