/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A minimal unit-test harness: TEST(name, "what it proves") { CHECK(...); } */
#ifndef CNET_UNIT_H
#define CNET_UNIT_H

#include <stdbool.h>

struct unit_test {
	const char *name, *desc;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
/* A context whose store is never the host's (a refusal must not even
 * create it: /nonexistent-cnet-unit), and a description of kind into
 * netns:x in it; freed by unit_attach_free. */
struct cnet_ctx;
struct cnet_attach;
void unit_attach_new(int kind, struct cnet_ctx **ctx, struct cnet_attach **att);
void unit_attach_free(struct cnet_ctx *ctx, struct cnet_attach *att);
void unit_fail(const char *file, int line, const char *expr);

#define TEST(fn_name, description)                                                   \
	static void fn_name(void);                                                   \
	static struct unit_test fn_name##_t = {#fn_name, description, fn_name, 0};   \
	__attribute__((constructor)) static void fn_name##_reg(void)                 \
	{                                                                            \
		unit_register(&fn_name##_t);                                         \
	}                                                                            \
	static void fn_name(void)

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			unit_fail(__FILE__, __LINE__, #cond);                        \
			return;                                                      \
		}                                                                    \
	} while (0)

#endif
