/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bandwidth limits in a description: tc's units, their bounds, what the
 * record keeps, and sriov's whole-Mbit/s egress as the VF's own rate. */
#include <errno.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "attach.h"
#include "kind.h"
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

TEST(test_qos_units, "rates in tc's units within 8kbit-16gbit, bursts in bytes with k and m")
{
	setup(CNET_KIND_MACVLAN);
	CHECK(cnet_attach_set_egress(att, "20mbit", NULL) == 0 && att->qos.rate[CNET_QOS_EGRESS] == 20000000);
	CHECK(cnet_attach_set_egress(att, "1gbit", "64k") == 0 && att->qos.burst[CNET_QOS_EGRESS] == 65536);
	CHECK(cnet_attach_set_ingress(att, "500kbps", "1m") == 0 && att->qos.rate[CNET_QOS_INGRESS] == 4000000 &&
	      att->qos.burst[CNET_QOS_INGRESS] == 1048576);
	CHECK(cnet_attach_set_ingress(att, "8000", NULL) == 0);
	CHECK(cnet_attach_set_ingress(att, "7999", NULL) == -EINVAL);
	CHECK(cnet_attach_set_ingress(att, "17gbit", NULL) == -EINVAL);
	CHECK(cnet_attach_set_ingress(att, "20mbits", NULL) == -EINVAL);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "20mbits") != NULL);
	CHECK(cnet_attach_set_ingress(att, "-5mbit", NULL) == -EINVAL);
	CHECK(cnet_attach_set_ingress(att, "99999999999999999999mbit", NULL) == -EINVAL);
	CHECK(cnet_attach_set_egress(att, "20mbit", "1k") == -EINVAL);
	/* a refused burst leaves the limit as it was, rate too */
	CHECK(att->qos.rate[CNET_QOS_EGRESS] == 1000000000 && att->qos.burst[CNET_QOS_EGRESS] == 65536);
	CHECK(cnet_attach_set_egress(att, "20mbit", "65m") == -EINVAL);
	CHECK(cnet_attach_set_egress(att, NULL, NULL) == -EINVAL);
	teardown();
}

/* The record's options, once verified (NULL if verify refused). */
static cJSON *options(void)
{
	return cnet_attach_verify(att) == 0 ? cnet_attach_options_json(att) : NULL;
}

TEST(test_qos_sriov_egress, "sriov: whole Mbit/s without a burst is the VF's max rate; else a tbf")
{
	cJSON *o;

	setup(CNET_KIND_SRIOV);
	CHECK(cnet_attach_set_pf(att, "pf0") == 0);
	CHECK(cnet_attach_set_egress(att, "100mbit", NULL) == 0);
	CHECK(cnet_attach_set_ingress(att, "50mbit", NULL) == 0);
	o = options();
	CHECK(o != NULL);
	CHECK(cnet_json_int(o, "max_rate", 0, 100000, -1) == 100);
	CHECK(!cJSON_GetObjectItemCaseSensitive(o, "egress_rate"));
	CHECK(cnet_json_int(o, "ingress_rate", 0, 1LL << 40, -1) == 50000000);
	cJSON_Delete(o);
	CHECK(cnet_attach_verify(att) == 0); /* again: nothing moves twice */
	CHECK(att->vf_want.max_rate == 100);
	teardown();

	setup(CNET_KIND_SRIOV);
	CHECK(cnet_attach_set_pf(att, "pf0") == 0);
	CHECK(cnet_attach_set_egress(att, "2500kbit", NULL) == 0);
	o = options();
	CHECK(o != NULL);
	CHECK(cnet_json_int(o, "egress_rate", 0, 1LL << 40, -1) == 2500000);
	CHECK(!cJSON_GetObjectItemCaseSensitive(o, "max_rate"));
	cJSON_Delete(o);
	teardown();

	setup(CNET_KIND_SRIOV);
	CHECK(cnet_attach_set_pf(att, "pf0") == 0);
	CHECK(cnet_attach_set_vf_rate(att, 0, 50) == 0);
	CHECK(cnet_attach_set_egress(att, "100mbit", NULL) == 0);
	CHECK(cnet_attach_verify(att) == -EINVAL);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "--max-rate") != NULL);
	teardown();
}
