/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VF settings (what a PF holds for each of its VFs): their setters, which
 * sriov and bond (for each VF slave) take, and their JSON form, for
 * records' options and a VF's originals.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <linux/if_link.h>

#include "kind.h"

CNET_EXPORT int cnet_attach_set_vf_spoofchk(struct cnet_attach *att, bool on)
{
	int r = cnet_kind_accepts(att, CNET_OPT_VF_SETTINGS, "--spoofchk");

	if (r < 0)
		return r;
	att->vf_want.spoofchk = on;
	att->vf_set |= 1u << CNET_VF_SPOOFCHK;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vf_trust(struct cnet_attach *att, bool on)
{
	int r = cnet_kind_accepts(att, CNET_OPT_VF_SETTINGS, "--trust");

	if (r < 0)
		return r;
	att->vf_want.trust = on;
	att->vf_set |= 1u << CNET_VF_TRUST;
	return 0;
}

static const char *const link_states[] = {
	[IFLA_VF_LINK_STATE_AUTO] = "auto",
	[IFLA_VF_LINK_STATE_ENABLE] = "enable",
	[IFLA_VF_LINK_STATE_DISABLE] = "disable",
};

CNET_EXPORT int cnet_attach_set_vf_link_state(struct cnet_attach *att, const char *state)
{
	int r = cnet_kind_accepts(att, CNET_OPT_VF_SETTINGS, "--link-state");

	if (r < 0)
		return r;
	for (size_t i = 0; state && i < ARRAY_SIZE(link_states); i++)
		if (!strcmp(state, link_states[i])) {
			att->vf_want.link_state = (int)i;
			att->vf_set |= 1u << CNET_VF_LINK_STATE;
			return 0;
		}
	cnet_clear_err(att->ctx);
	return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
			 "invalid link state '%s' (auto, enable or disable)", state ? state : "");
}

CNET_EXPORT int cnet_attach_set_vf_rate(struct cnet_attach *att, unsigned int min_mbps,
					unsigned int max_mbps)
{
	int r = cnet_kind_accepts(att, CNET_OPT_VF_SETTINGS, "--min-rate/--max-rate");

	if (r < 0)
		return r;
	if (max_mbps && min_mbps > max_mbps) {
		cnet_clear_err(att->ctx);
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "--min-rate %u is above --max-rate %u", min_mbps, max_mbps);
	}
	att->vf_want.min_rate = min_mbps;
	att->vf_want.max_rate = max_mbps;
	att->vf_set |= 1u << CNET_VF_RATE;
	return 0;
}


/* ---- as JSON ---------------------------------------------------------- */

void cnet_vfinfo_json(cJSON *o, const struct cnet_vfinfo *v, unsigned int fields)
{
	char buf[24];

	if (fields & (1u << CNET_VF_MAC)) {
		cnet_mac_str(v->mac, buf);
		cJSON_AddStringToObject(o, "vf_mac", buf);
	}
	if (fields & (1u << CNET_VF_VLAN)) {
		cJSON_AddNumberToObject(o, "vlan", v->vlan);
		cJSON_AddNumberToObject(o, "qos", v->qos);
		cJSON_AddStringToObject(o, "vlan_proto", v->proto == 0x88a8 ? "802.1ad" : "802.1Q");
	}
	if ((fields & (1u << CNET_VF_SPOOFCHK)) && v->spoofchk >= 0)
		cJSON_AddBoolToObject(o, "spoofchk", v->spoofchk);
	if ((fields & (1u << CNET_VF_TRUST)) && v->trust >= 0)
		cJSON_AddBoolToObject(o, "trust", v->trust);
	if ((fields & (1u << CNET_VF_LINK_STATE)) && v->link_state >= 0 &&
	    (size_t)v->link_state < ARRAY_SIZE(link_states))
		cJSON_AddStringToObject(o, "link_state", link_states[v->link_state]);
	if (fields & (1u << CNET_VF_RATE)) {
		cJSON_AddNumberToObject(o, "min_rate", v->min_rate);
		cJSON_AddNumberToObject(o, "max_rate", v->max_rate);
	}
}

/* Back from JSON: the fields present, as a mask. */
unsigned int cnet_vfinfo_from_json(const cJSON *o, struct cnet_vfinfo *v)
{
	unsigned int fields = 0;
	const cJSON *x;

	v->spoofchk = v->trust = v->link_state = -1;
	v->proto = 0x8100;
	if (cnet_parse_mac(cnet_json_str(o, "vf_mac"), v->mac) == 0)
		fields |= 1u << CNET_VF_MAC;
	if (cJSON_GetObjectItemCaseSensitive(o, "vlan")) {
		v->vlan = (unsigned int)cnet_json_int(o, "vlan", 0, 4094, 0);
		v->qos = (unsigned int)cnet_json_int(o, "qos", 0, 7, 0);
		v->proto = !strcmp(cnet_json_str(o, "vlan_proto"), "802.1ad") ? 0x88a8 : 0x8100;
		fields |= 1u << CNET_VF_VLAN;
	}
	if (cJSON_IsBool(x = cJSON_GetObjectItemCaseSensitive(o, "spoofchk"))) {
		v->spoofchk = cJSON_IsTrue(x);
		fields |= 1u << CNET_VF_SPOOFCHK;
	}
	if (cJSON_IsBool(x = cJSON_GetObjectItemCaseSensitive(o, "trust"))) {
		v->trust = cJSON_IsTrue(x);
		fields |= 1u << CNET_VF_TRUST;
	}
	for (size_t i = 0; i < ARRAY_SIZE(link_states); i++)
		if (!strcmp(cnet_json_str(o, "link_state"), link_states[i])) {
			v->link_state = (int)i;
			fields |= 1u << CNET_VF_LINK_STATE;
		}
	if (cJSON_GetObjectItemCaseSensitive(o, "max_rate")) {
		v->min_rate = (unsigned int)cnet_json_int(o, "min_rate", 0, UINT32_MAX, 0);
		v->max_rate = (unsigned int)cnet_json_int(o, "max_rate", 0, UINT32_MAX, 0);
		fields |= 1u << CNET_VF_RATE;
	}
	return fields;
}

int cnet_vf_settings_copy(struct cnet_attach *to, const struct cnet_attach *from)
{
	const struct cnet_vfinfo *v = &from->vf_want;
	unsigned int set = from->vf_set;
	int r = 0;

	if (set & (1u << CNET_VF_SPOOFCHK))
		r = cnet_attach_set_vf_spoofchk(to, v->spoofchk);
	if (r == 0 && (set & (1u << CNET_VF_TRUST)))
		r = cnet_attach_set_vf_trust(to, v->trust);
	if (r == 0 && (set & (1u << CNET_VF_LINK_STATE)) && v->link_state >= 0 &&
	    (size_t)v->link_state < ARRAY_SIZE(link_states))
		r = cnet_attach_set_vf_link_state(to, link_states[v->link_state]);
	if (r == 0 && (set & (1u << CNET_VF_RATE)))
		r = cnet_attach_set_vf_rate(to, v->min_rate, v->max_rate);
	return r;
}

/* sriov, --egress-rate: a whole number of Mbit/s without a burst becomes
 * the VF's own rate (max_tx_rate, held by the PF, out of the container's
 * reach) in place of a tbf in the container; any other stays a tbf. A PF
 * that has no VF rates fails the attach, saying so. */
int cnet_vf_egress_as_rate(struct cnet_attach *att)
{
	unsigned long long rate = att->qos.rate[CNET_QOS_EGRESS];

	if (!rate || att->qos.burst[CNET_QOS_EGRESS] || rate % 1000000)
		return 0;
	if (att->vf_set & (1u << CNET_VF_RATE))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "--egress-rate and --max-rate both set the VF's rate: give one");
	att->vf_want.min_rate = 0;
	att->vf_want.max_rate = (unsigned int)(rate / 1000000);
	att->vf_set |= 1u << CNET_VF_RATE;
	att->qos.rate[CNET_QOS_EGRESS] = 0;
	return 0;
}
