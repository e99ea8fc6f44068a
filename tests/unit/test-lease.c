/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lease as the store keeps it, and the client identifier. */
#include <arpa/inet.h>
#include <string.h>

#include "attach.h"
#include "lease.h"
#include "unit.h"

TEST(test_lease_json_round_trip, "a lease survives the store: every field, and nothing invented")
{
	struct cnet_lease l = {.plen = 22, .has_router = true, .n_dns = 2, .lease = 3600, .t1 = 1800,
			       .t2 = 3150, .obtained = 1795000000};
	struct cnet_lease back;
	cJSON *j;

	inet_pton(AF_INET, "10.1.2.3", &l.addr);
	inet_pton(AF_INET, "10.1.0.1", &l.server);
	inet_pton(AF_INET, "10.1.0.254", &l.router);
	inet_pton(AF_INET, "10.1.0.53", &l.dns[0]);
	inet_pton(AF_INET, "10.1.0.54", &l.dns[1]);
	strcpy(l.domain, "example.test");
	j = cnet_lease_to_json(&l);
	CHECK(j);
	CHECK(!strcmp(cnet_json_str(j, "address"), "10.1.2.3/22"));
	CHECK(cnet_lease_from_json(j, &back) == 0);
	cJSON_Delete(j);
	CHECK(back.addr.s_addr == l.addr.s_addr && back.server.s_addr == l.server.s_addr);
	CHECK(back.has_router && back.router.s_addr == l.router.s_addr && back.plen == 22);
	CHECK(back.n_dns == 2 && back.dns[1].s_addr == l.dns[1].s_addr);
	CHECK(!strcmp(back.domain, "example.test"));
	CHECK(back.lease == 3600 && back.t1 == 1800 && back.t2 == 3150 && back.obtained == 1795000000);
	/* time left before T1, and past the end */
	CHECK(cnet_lease_left(&back, back.t1, 1795000100) == 1700);
	CHECK(cnet_lease_left(&back, back.lease, 1795003601) == -1);
	back.lease = CNET_LEASE_INFINITE;
	CHECK(cnet_lease_left(&back, back.lease, 1900000000) > 0);
}

TEST(test_lease_json_refused, "a lease without address or server, or an IPv6 one, is no lease")
{
	struct cnet_lease l;
	cJSON *j = cJSON_Parse("{\"address\":\"10.0.0.2/24\"}");

	CHECK(cnet_lease_from_json(j, &l) < 0);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"address\":\"fd00::2/64\",\"server\":\"10.0.0.1\"}");
	CHECK(cnet_lease_from_json(j, &l) < 0);
	cJSON_Delete(j);
	CHECK(cnet_lease_from_json(NULL, &l) < 0);
}

TEST(test_dhcp_client_id, "client identifiers are RFC 4361's (0xff, IAID, DUID-UUID) and differ")
{
	uint8_t a[CNET_DHCP_MAX_CLIENT_ID], b[CNET_DHCP_MAX_CLIENT_ID];
	size_t na, nb;

	cnet_dhcp_client_id(a, &na);
	cnet_dhcp_client_id(b, &nb);
	CHECK(na == 23 && nb == 23);
	CHECK(a[0] == 0xff && a[5] == 0 && a[6] == 4);
	CHECK(memcmp(a, b, na));
}
