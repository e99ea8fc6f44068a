/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host-device: a host interface lent to the target, given back on detach
 * (lend.c). */
#include <errno.h>

#include <cjson/cJSON.h>

#include "kind.h"

static int verify(struct cnet_attach *att)
{
	if (!att->dev[0])
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "host-device needs --dev IF");
	return 0;
}

static void options_json(const struct cnet_attach *att, cJSON *o)
{
	cJSON_AddStringToObject(o, "dev", att->dev);
}

/* It was moved once, knowingly: what it carried then went with it and
 * came back; what it carries now is the host's again (no --force). */
static int from_record(struct cnet_attach *att, const cJSON *rec)
{
	return cnet_attach_set_device(att, cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"),
							 "dev"));
}

static int preflight(struct run *run)
{
	return cnet_lend_preflight(run, run->priv);
}

static void plan(struct run *run, struct cnet_result *res)
{
	cnet_result_add_action(res, "move %s into %s as %s", run->att->dev, run->att->target,
			       run->att->ifname);
}

static int create(struct run *run)
{
	return cnet_lend_move(run, run->priv);
}

static void rollback(struct run *run)
{
	cnet_lend_rollback(run, run->priv, false);
}

static void record(const struct run *run, cJSON *rec, bool pending)
{
	(void)pending;
	cnet_lend_record(run, run->priv, rec);
}

static void finish(struct run *run)
{
	cnet_lend_free(run->priv);
}

static int undo(struct cnet_undo *u, cJSON *rec)
{
	return cnet_lend_undo(u, rec, false);
}

const struct cnet_kind_ops cnet_kind_host_device = {
	.name = "host-device",
	.kind = CNET_KIND_HOST_DEVICE,
	.run_size = sizeof(struct cnet_lend),
	.options = CNET_OPT_DEV | CNET_OPT_FORCE,
	.rename = CNET_SET_MTU | CNET_SET_MAC,
	.moves = true,
	.verify = verify,
	.options_json = options_json,
	.from_record = from_record,
	.preflight = preflight,
	.plan = plan,
	.create = create,
	.rollback = rollback,
	.record = record,
	.finish = finish,
	.undo = undo,
};
