/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kinds registry: names both ways, each table whole, and the "applies
 * to" messages built from the tables. */
#include <errno.h>
#include <string.h>

#include "kind.h"
#include "unit.h"

TEST(test_kinds_names_round_trip, "every kind's name and value map to each other; unknown ones are refused")
{
	int n = 0;

	for (int k = 0; k < 64; k++) {
		const char *name = cnet_kind_to_string(k);
		if (!name)
			continue;
		n++;
		CHECK(cnet_kind_from_string(name) == k);
		CHECK(cnet_kind_get(k) && !strcmp(cnet_kind_get(k)->name, name));
	}
	CHECK(n == 8);
	CHECK(cnet_kind_from_string("ipvtap") == -EINVAL && cnet_kind_from_string(NULL) == -EINVAL);
	CHECK(cnet_kind_to_string(0) == NULL);
}

TEST(test_kinds_tables_whole, "each table can do an attach: it creates, and hooks match its flags")
{
	for (int k = 0; k < 64; k++) {
		const struct cnet_kind_ops *ops = cnet_kind_get(k);
		if (!ops)
			continue;
		CHECK(ops->create && ops->verify && ops->plan);
		/* options of its own are written to the record and read back
		 * (a pair's peer is the engine's: it has none) */
		CHECK(!ops->options_json == !ops->from_record);
		CHECK(ops->options_json || !(ops->options & ~(unsigned int)CNET_OPT_PEER));
		/* --vlan means something only where the kind says what */
		CHECK(!(ops->options & CNET_OPT_VLAN) == !ops->set_vlan);
		/* a lent device must be given back by the kind */
		CHECK(!ops->moves || (ops->undo && ops->rollback && ops->record));
		/* run state that holds something is let go */
		CHECK(!ops->prepare == !ops->release);
	}
}

TEST(test_kinds_applies_to_names_every_kind, "an option refused names every kind that takes it, from the tables")
{
	struct cnet_ctx *ctx;
	struct cnet_attach *att;

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(cnet_attach_new(ctx, "netns:x", CNET_KIND_VETH, &att) == 0);
	CHECK(cnet_attach_set_parent(att, "eth9") == -EINVAL);
	CHECK(cnet_ctx_errclass(ctx) == CNET_ERR_INVALID);
	CHECK(!strcmp(cnet_ctx_errmsg(ctx), "--parent applies to macvlan, vlan and ipvlan, not veth"));
	CHECK(cnet_attach_set_vlan(att, 5, 0, NULL) == -EINVAL);
	CHECK(!strcmp(cnet_ctx_errmsg(ctx), "--vlan applies to macvlan, sriov, vlan, bond and ipvlan, not veth"));
	CHECK(cnet_attach_set_pf(att, "eth9") == -EINVAL);
	CHECK(!strcmp(cnet_ctx_errmsg(ctx), "--pf applies to sriov, not veth"));
	CHECK(cnet_attach_set_bridge(att, "br0", false) == 0);
	cnet_attach_free(att);
	CHECK(cnet_attach_new(ctx, "netns:x", CNET_KIND_VLAN, &att) == 0);
	CHECK(cnet_attach_set_parent(att, "eth9") == 0);
	CHECK(cnet_attach_set_flags(att, CNET_ATTACH_FORCE) == -EINVAL);
	CHECK(!strcmp(cnet_ctx_errmsg(ctx), "--force applies to host-device, not vlan"));
	cnet_attach_free(att);
	cnet_ctx_free(ctx);
}
