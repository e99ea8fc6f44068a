/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public description API: bad input is refused with a class and a message. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cnet-internal.h"
#include "unit.h"

static struct cnet_ctx *ctx;
static struct cnet_attach *att;

static void setup(int kind)
{
	unit_attach_new(kind, &ctx, &att);
}

static void teardown(void)
{
	unit_attach_free(ctx, att);
}

TEST(test_attach_setters_refuse_bad_values, "bad CIDRs, MTUs and MACs are usage errors with a message")
{
	setup(CNET_KIND_MACVLAN);
	CHECK(cnet_attach_add_ip(att, "10.0.0.1") == -EINVAL);
	CHECK(cnet_ctx_errclass(ctx) == CNET_ERR_INVALID);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "10.0.0.1") != NULL);
	CHECK(cnet_attach_set_mtu(att, 67) == -EINVAL);
	CHECK(cnet_attach_set_mtu(att, 65536) == -EINVAL);
	CHECK(cnet_attach_set_mtu(att, 9000) == 0);
	CHECK(cnet_attach_set_mac(att, "01:00:5e:00:00:01") == -EINVAL); /* multicast */
	CHECK(cnet_attach_set_mac(att, "00:00:00:00:00:00") == -EINVAL);
	CHECK(cnet_attach_set_mac(att, "02:00:00:00:00:01") == 0);
	CHECK(cnet_attach_set_ifname(att, "0123456789abcdef") == -EINVAL);
	teardown();
}

TEST(test_attach_duplicate_ip_and_second_gateway, "an address twice, or two gateways of a family, are refused")
{
	setup(CNET_KIND_MACVLAN);
	CHECK(cnet_attach_add_ip(att, "10.0.0.2/24") == 0);
	CHECK(cnet_attach_add_ip(att, "10.0.0.2/16") == -EINVAL);
	CHECK(cnet_attach_add_gateway(att, "10.0.0.1") == 0);
	CHECK(cnet_attach_add_gateway(att, "10.0.0.254") == -EINVAL);
	CHECK(cnet_attach_add_gateway(att, "fd00::1") == 0);
	CHECK(cnet_attach_add_gateway(att, "10.0.0.0/24") == -EINVAL);
	CHECK(cnet_attach_add_route(att, "10.9.0.5/24@10.0.0.1") == -EINVAL);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "host bits") != NULL);
	CHECK(cnet_attach_add_route(att, "10.9.0.0/24@10.0.0.1") == 0);
	CHECK(cnet_attach_add_route(att, "fd00:1::/48") == 0);
	CHECK(cnet_attach_add_route(att, "fd00:1::1/48") == -EINVAL);
	teardown();
}

TEST(test_attach_kind_specific_options, "options of another kind are refused by the library too")
{
	setup(CNET_KIND_VETH);
	CHECK(cnet_attach_set_parent(att, "eth9") == -EINVAL);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "macvlan") != NULL);
	CHECK(cnet_attach_set_device(att, "eth9") == -EINVAL);
	CHECK(cnet_attach_set_flags(att, CNET_ATTACH_FORCE) == -EINVAL);
	CHECK(cnet_attach_set_bridge(att, "br0", true) == 0);
	CHECK(cnet_attach_set_flags(att, 1u << 20) == -EINVAL);
	teardown();
}

TEST(test_kind_names_round_trip, "kind names map to stable numbers and back")
{
	CHECK(cnet_kind_from_string("macvlan") == CNET_KIND_MACVLAN);
	CHECK(cnet_kind_from_string("host-device") == CNET_KIND_HOST_DEVICE);
	CHECK(cnet_kind_from_string("veth") == CNET_KIND_VETH);
	CHECK(cnet_kind_from_string("ipvlan") == CNET_KIND_IPVLAN);
	CHECK(cnet_kind_from_string("ipvtap") == -EINVAL);
	CHECK(!strcmp(cnet_kind_to_string(CNET_KIND_VETH), "veth"));
	CHECK(cnet_kind_to_string(99) == NULL);
}

TEST(test_attach_needs_kind_options, "an attach without its kind's required option fails before any I/O")
{
	struct cnet_result *res = NULL;

	setup(CNET_KIND_MACVLAN);
	CHECK(cnet_attach(ctx, att, &res) == -EINVAL);
	CHECK(cnet_ctx_errclass(ctx) == CNET_ERR_INVALID);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "--parent") != NULL);
	CHECK(res == NULL);
	teardown();
}

TEST(test_attach_gateway_must_be_reachable, "a gateway outside every --ip subnet is refused before any I/O")
{
	setup(CNET_KIND_MACVLAN);
	CHECK(cnet_attach_set_parent(att, "up0") == 0);
	CHECK(cnet_attach_add_ip(att, "10.0.0.2/24") == 0);
	CHECK(cnet_attach_add_gateway(att, "10.0.1.1") == 0);
	CHECK(cnet_attach(ctx, att, NULL) == -EINVAL);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "10.0.1.1") != NULL);
	CHECK(access("/nonexistent-cnet-unit", F_OK) != 0); /* no store, no lock, no directory */
	teardown();
}
