/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pair kind's description: its peer end, what the peer end takes, and
 * the record it is rebuilt from (a repair re-makes both ends from it). */
#include <errno.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "attach.h"
#include "unit.h"

TEST(test_pair_peer_only_for_pair, "--peer is the pair kind's; the pair needs it; the peer end has no peer")
{
	struct cnet_ctx *ctx;
	struct cnet_attach *att;

	unit_attach_new(CNET_KIND_VETH, &ctx, &att);
	CHECK(cnet_attach_set_peer(att, "netns:y") == -EINVAL);
	CHECK(!strcmp(cnet_ctx_errmsg(ctx), "--peer applies to pair, not veth"));
	CHECK(cnet_attach_peer(att) == NULL);
	unit_attach_free(ctx, att);

	unit_attach_new(CNET_KIND_PAIR, &ctx, &att);
	CHECK(cnet_attach_verify(att) == -EINVAL);
	CHECK(!strcmp(cnet_ctx_errmsg(ctx), "pair needs --peer TARGET"));
	CHECK(cnet_attach_set_peer(att, "") == -EINVAL);
	CHECK(cnet_attach_set_peer(att, "netns:y") == 0);
	CHECK(cnet_attach_peer(att) != NULL);
	CHECK(!strcmp(cnet_attach_peer(att)->ifname, "eth1"));
	CHECK(cnet_attach_set_peer(cnet_attach_peer(att), "netns:z") == -EINVAL);
	CHECK(cnet_attach_verify(att) == 0);
	CHECK(cnet_attach_set_mtu(att, 65535) == 0 && cnet_attach_verify(att) == 0);
	unit_attach_free(ctx, att);
}

TEST(test_pair_peer_end_takes_l3_only, "the peer end takes a name, static addresses, gateways and routes, nothing else")
{
	struct cnet_ctx *ctx;
	struct cnet_attach *att, *p;

	unit_attach_new(CNET_KIND_PAIR, &ctx, &att);
	CHECK(cnet_attach_set_peer(att, "netns:y") == 0);
	p = cnet_attach_peer(att);
	CHECK(cnet_attach_set_ifname(p, "p0") == 0 && cnet_attach_add_ip(p, "10.1.0.2/30") == 0 &&
	      cnet_attach_add_gateway(p, "10.1.0.1") == 0 && cnet_attach_add_route(p, "10.9.0.0/16") == 0);
	CHECK(cnet_attach_verify(att) == 0);
	/* a gateway outside its addresses is refused for the peer as for any end */
	CHECK(cnet_attach_add_gateway(p, "fd00::1") == 0 && cnet_attach_verify(att) == -EINVAL);
	unit_attach_free(ctx, att);

	unit_attach_new(CNET_KIND_PAIR, &ctx, &att);
	CHECK(cnet_attach_set_peer(att, "netns:y") == 0);
	p = cnet_attach_peer(att);
	CHECK(cnet_attach_add_ip(p, "dhcp") == 0);
	CHECK(cnet_attach_verify(att) == -EINVAL);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "the peer end takes only") != NULL);
	unit_attach_free(ctx, att);

	unit_attach_new(CNET_KIND_PAIR, &ctx, &att);
	CHECK(cnet_attach_set_peer(att, "netns:y") == 0);
	CHECK(cnet_attach_set_mtu(cnet_attach_peer(att), 1500) == 0);
	CHECK(cnet_attach_verify(att) == -EINVAL);
	unit_attach_free(ctx, att);
}

TEST(test_pair_record_round_trip, "a pair's description comes back from its record whole: its peer, as asked and as it was")
{
	struct cnet_ctx *ctx;
	struct cnet_attach *att, *back;
	cJSON *o, *rec, *o2, *peer, *ns, *link;

	unit_attach_new(CNET_KIND_PAIR, &ctx, &att);
	CHECK(cnet_attach_add_ip(att, "10.1.0.1/30") == 0 && cnet_attach_set_mtu(att, 9000) == 0);
	CHECK(cnet_attach_set_peer(att, "docker:db") == 0);
	CHECK(cnet_attach_set_ifname(cnet_attach_peer(att), "p0") == 0);
	CHECK(cnet_attach_add_ip(cnet_attach_peer(att), "10.1.0.2/30") == 0);
	CHECK(cnet_attach_add_route(cnet_attach_peer(att), "10.9.0.0/16@10.1.0.1") == 0);
	CHECK(cnet_attach_verify(att) == 0);
	o = cnet_attach_options_json(att);
	CHECK(o != NULL);
	CHECK(!strcmp(cnet_json_str(cJSON_GetObjectItemCaseSensitive(o, "peer"), "target"), "docker:db"));
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", "0badcafe");
	cJSON_AddStringToObject(rec, "kind", "pair");
	cJSON_AddStringToObject(rec, "target", "netns:x");
	cJSON_AddStringToObject(rec, "ifname", "eth1");
	cJSON_AddItemToObject(rec, "options", cJSON_Duplicate(o, true));
	peer = cJSON_AddObjectToObject(rec, "peer");
	cJSON_AddStringToObject(peer, "runtime", "docker");
	ns = cJSON_AddObjectToObject(peer, "netns");
	cJSON_AddStringToObject(ns, "container_id", "ab12");
	link = cJSON_AddObjectToObject(peer, "link");
	cJSON_AddStringToObject(link, "mac", "02:00:00:00:00:02");
	back = cnet_attach_from_record(ctx, rec);
	CHECK(back != NULL);
	o2 = back ? cnet_attach_options_json(back) : NULL;
	CHECK(o2 && cJSON_Compare(o, o2, true));
	/* the peer as it was: found the same way, the same container, its MAC */
	CHECK(back && back->peer && !strcmp(back->peer->runtime, "docker"));
	CHECK(back && back->peer && !strcmp(back->peer->container_id, "ab12"));
	CHECK(back && back->peer && back->peer->has_mac_hint && back->peer->mac_hint[5] == 2);
	cJSON_Delete(o2);
	cJSON_Delete(o);
	cJSON_Delete(rec);
	cnet_attach_free(back);
	unit_attach_free(ctx, att);
}
