/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: cnet_dhcp_parse on arbitrary bytes. Besides the
 * sanitizers' own checks, what a successful parse promises is checked,
 * and a broken promise aborts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* NUL-terminated within its field, printable ASCII before the NUL. */
static void check_string(const char *s, size_t size)
{
	const char *end = memchr(s, '\0', size);

	if (!end)
		abort();
	for (; s < end; s++)
		if (*s < 0x20 || *s > 0x7e)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cnet_dhcp_msg zero;
	struct cnet_dhcp_msg msg;
	int r;

	r = cnet_dhcp_parse(data, size, &msg);
	if (r != 0) {
		/* Refused: with -EBADMSG, and nothing half-parsed left. */
		if (r != -EBADMSG || memcmp(&msg, &zero, sizeof(msg)))
			abort();
		return 0;
	}
	if (msg.type < CNET_DHCPDISCOVER || msg.type > CNET_DHCPINFORM)
		abort();
	if (msg.n_dns > CNET_DHCP_MAX_DNS || msg.n_routers > CNET_DHCP_MAX_ROUTERS)
		abort();
	if (msg.plen > 32 || (!msg.has_mask && msg.plen))
		abort();
	if ((!msg.has_lease && msg.lease) || (!msg.has_t1 && msg.t1) || (!msg.has_t2 && msg.t2))
		abort();
	check_string(msg.domain, sizeof(msg.domain));
	check_string(msg.message, sizeof(msg.message));
	return 0;
}
