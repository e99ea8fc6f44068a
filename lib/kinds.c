/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry: the one place that lists every kind (kind.h says how to
 * add one). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kind.h"

extern const struct cnet_kind_ops cnet_kind_macvlan, cnet_kind_host_device, cnet_kind_veth,
	cnet_kind_sriov, cnet_kind_vlan, cnet_kind_bond, cnet_kind_ipvlan, cnet_kind_pair;

/* In the order messages list them. */
static const struct cnet_kind_ops *const kinds[] = {
	&cnet_kind_macvlan, &cnet_kind_host_device, &cnet_kind_veth, &cnet_kind_sriov,
	&cnet_kind_vlan,    &cnet_kind_bond,	    &cnet_kind_ipvlan,	    &cnet_kind_pair,
};

const struct cnet_kind_ops *cnet_kind_get(int kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kinds[i]->kind == kind)
			return kinds[i];
	return NULL;
}

const struct cnet_kind_ops *cnet_kind_by_name(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

CNET_EXPORT int cnet_kind_from_string(const char *name)
{
	const struct cnet_kind_ops *ops = cnet_kind_by_name(name);

	return ops ? ops->kind : -EINVAL;
}

CNET_EXPORT const char *cnet_kind_to_string(int kind)
{
	const struct cnet_kind_ops *ops = cnet_kind_get(kind);

	return ops ? ops->name : NULL;
}

int cnet_kind_accepts(struct cnet_attach *att, unsigned int opt, const char *what)
{
	char list[128] = "";
	size_t n = 0, k = 0;

	if (att->ops->options & opt)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		n += (kinds[i]->options & opt) != 0;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!(kinds[i]->options & opt))
			continue;
		k++;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 k == 1 ? "" : k == n ? " and " : ", ", kinds[i]->name);
	}
	cnet_clear_err(att->ctx);
	return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "%s applies to %s, not %s", what, list,
			 att->ops->name);
}
