/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: cnet_event_parse on arbitrary bytes, as an engine's
 * socket may send them. What an event promises (an Id of 64 lowercase hex
 * digits, names Docker would give) is checked; a broken promise aborts. */
#include <stdlib.h>
#include <string.h>

#include "cnet-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		abort();
	if (n && !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", s[0]))
		abort();
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cnet_event ev;
	int a = cnet_event_parse((const char *)data, size, &ev);

	if (a != ev.action || a < CNET_EV_NONE || a > CNET_EV_RENAME)
		abort();
	if (a == CNET_EV_NONE)
		return 0;
	if (strnlen(ev.id, sizeof(ev.id)) != 64 || strspn(ev.id, "0123456789abcdef") != 64)
		abort();
	check_name(ev.name, sizeof(ev.name));
	check_name(ev.old_name, sizeof(ev.old_name));
	if (a != CNET_EV_RENAME && ev.old_name[0])
		abort();
	if (ev.time_nano < 0)
		abort();
	return 0;
}
