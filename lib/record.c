/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The record of one attach: pending (written before the kernel is
 * touched, with what undo needs to find and reverse any step) or final;
 * and, before an attach, the record it may repeat.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "attach.h"

/* Which namespace: what reapply and detach know it again by. */
static void record_netns(const struct run *run, cJSON *rec)
{
	cJSON *o = cJSON_AddObjectToObject(rec, "netns");

	cJSON_AddNumberToObject(o, "dev", (double)run->t.dev);
	cJSON_AddNumberToObject(o, "ino", (double)run->t.ino);
	if (run->t.cookie)
		cJSON_AddNumberToObject(o, "cookie", (double)run->t.cookie);
	if (run->t.pid && run->t.by_pid) {
		cJSON_AddNumberToObject(o, "pid", run->t.pid);
		cJSON_AddNumberToObject(o, "pid_start", (double)run->t.start_time);
	}
	if (*run->t.container_id)
		cJSON_AddStringToObject(o, "container_id", run->t.container_id);
}

/* A peer end, as a record of its own would say it (its target and the
 * identity of its namespace, its name, what it asked, its link, the
 * default routes its --gw replaced): what reapply checks there and what
 * detach finds it by. Its id and kind are the record's. */
static void record_peer(const struct run *p, const cJSON *options, cJSON *rec, bool pending)
{
	const struct cnet_routes *rs = pending ? &p->replace : &p->saved;
	cJSON *o = cJSON_AddObjectToObject(rec, "peer"), *a;
	char buf[18];

	if (!o)
		return;
	cJSON_AddStringToObject(o, "id", p->id);
	cJSON_AddStringToObject(o, "target", p->att->target);
	cJSON_AddStringToObject(o, "runtime", p->t.runtime);
	record_netns(p, o);
	cJSON_AddStringToObject(o, "kind", cnet_json_str(rec, "kind"));
	cJSON_AddStringToObject(o, "ifname", p->att->ifname);
	cJSON_AddItemToObject(o, "options",
			      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(options, "peer"), true));
	if (!pending && (a = cJSON_AddObjectToObject(o, "link"))) {
		cJSON_AddNumberToObject(a, "ifindex", p->link.ifindex);
		cnet_mac_str(p->link.mac, buf);
		cJSON_AddStringToObject(a, "mac", buf);
		cJSON_AddNumberToObject(a, "mtu", p->link.mtu);
	}
	if (rs->n && (a = cJSON_AddArrayToObject(o, "replaced_routes")))
		for (size_t i = 0; i < rs->n; i++)
			cJSON_AddItemToArray(a, cnet_route_to_json(rs->msg[i]));
}

/* What the engine made beside the kind: children, the L3 link, routes. */
static void record_engine(const struct run *run, cJSON *rec, bool pending)
{
	const struct cnet_routes *rs = pending ? &run->replace : &run->saved;
	cJSON *a, *o;

	if (!pending && run->ops->composite && (a = cJSON_AddArrayToObject(rec, "slaves")))
		for (size_t i = 0; i < run->n_children; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(run->child_ids[i]));
	if (!pending && run->l3.ifindex > 0 && (o = cJSON_AddObjectToObject(rec, "vlan_link"))) {
		cJSON_AddStringToObject(o, "ifname", run->att->l3_ifname);
		cJSON_AddNumberToObject(o, "ifindex", run->l3.ifindex);
	}
	if (run->att->child_of[0])
		cJSON_AddStringToObject(rec, "slave_of", run->att->child_of);
	if (run->att->dhcp)
		cnet_dhcp_record(&run->att->dhcp_id, rec, pending || !run->leased ? NULL : &run->lease);
	if (rs->n && (a = cJSON_AddArrayToObject(rec, "replaced_routes")))
		for (size_t i = 0; i < rs->n; i++)
			cJSON_AddItemToArray(a, cnet_route_to_json(rs->msg[i]));
	for (size_t i = 0; !pending && i < run->att->n_rules; i++)
		if (!(run->rules_added & (1u << i)))
			cnet_rule_note_found(rec, &run->att->rules[i], true);
}

cJSON *cnet_run_record(struct run *run, cJSON *options, bool pending)
{
	struct cnet_attach *att = run->att;
	char buf[CNET_IPSTRLEN], tbuf[48];
	cJSON *rec = cJSON_CreateObject(), *o;
	time_t now = time(NULL);

	if (!rec) {
		cJSON_Delete(options);
		return NULL;
	}
	cJSON_AddStringToObject(rec, "id", run->id);
	cJSON_AddStringToObject(rec, "target", att->target);
	cJSON_AddStringToObject(rec, "runtime", run->t.runtime);
	record_netns(run, rec);
	cJSON_AddStringToObject(rec, "kind", run->ops->name);
	cJSON_AddStringToObject(rec, "ifname", att->ifname);
	if (*att->cni_net && (o = cJSON_AddObjectToObject(rec, "cni"))) {
		cJSON_AddStringToObject(o, "network", att->cni_net);
		cJSON_AddStringToObject(o, "container", att->cni_cid);
	}
	cJSON_AddItemToObject(rec, "options", options);
	if (run->peer)
		record_peer(run->peer, options, rec, pending);
	if (pending) {
		cJSON_AddBoolToObject(rec, "pending", true);
	} else {
		o = cJSON_AddObjectToObject(rec, "link");
		cJSON_AddNumberToObject(o, "ifindex", run->link.ifindex);
		cnet_mac_str(run->link.mac, buf);
		cJSON_AddStringToObject(o, "mac", buf);
		cJSON_AddNumberToObject(o, "mtu", run->link.mtu);
	}
	if (run->ops->record)
		run->ops->record(run, rec, pending);
	record_engine(run, rec, pending);
	cnet_qos_record(run, rec, pending);
	cnet_utc_stamp((long long)now, tbuf);
	cJSON_AddStringToObject(rec, "created", tbuf);
	return rec;
}

cJSON *cnet_run_find_record(struct run *run, int *idx)
{
	cJSON *rec;
	int i = 0;

	cJSON_ArrayForEach(rec, run->st->records)
	{
		if (cnet_record_in_netns(rec, &run->t) &&
		    !strcmp(cnet_json_str(rec, "ifname"), run->att->ifname)) {
			*idx = i;
			return rec;
		}
		i++;
	}
	return NULL;
}

bool cnet_run_record_live(struct run *run, const cJSON *rec)
{
	struct cnet_linkinfo li;
	int ifindex = (int)cnet_json_int(cJSON_GetObjectItemCaseSensitive(rec, "link"), "ifindex", 1,
					 INT32_MAX, 0);

	if (run->ops->moves) {
		/* lent devices carry no mark of ours: their identity instead */
		struct cnet_devid id;
		return cnet_devid_from_json(cJSON_GetObjectItemCaseSensitive(rec, "restore"), &id) &&
		       cnet_devid_find(run->hnl, run->tnl, run->t.fd, &id, &li) == 0 &&
		       li.ifindex == ifindex && !strcmp(li.name, run->att->ifname);
	}
	if (ifindex <= 0 || cnet_link_get(run->tnl, ifindex, NULL, &li) < 0)
		return false;
	return !strcmp(li.name, run->att->ifname) && cnet_record_marks(rec, &li);
}
