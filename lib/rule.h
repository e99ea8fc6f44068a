/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Policy routing rules kept with an attachment (rule.c). */
#ifndef CNET_RULE_H
#define CNET_RULE_H

#include "cnet-internal.h"

/* "from=PREFIX,to=PREFIX,table=N,priority=N": from, to, both (of one
 * family) or neither (all IPv4 traffic), table required (a number, or
 * main), priority optional (the kernel picks one then). */
struct cnet_rule {
	int family;
	struct cnet_ip src, dst; /* family 0: any */
	unsigned int table, prio;
};
#define CNET_MAX_RULES 8
int cnet_parse_rule(const char *s, struct cnet_rule *out);
char *cnet_rule_str(const struct cnet_rule *r, char buf[CNET_ROUTESTRLEN]);
/* Added if no such rule is there (1), there already (0), or < 0. */
int cnet_rule_add(struct cnet_nl *nl, const struct cnet_rule *r);
/* Gone (1), not there (0), or < 0. */
int cnet_rule_del(struct cnet_nl *nl, const struct cnet_rule *r);
/* Each rule of a record's options ("rule") there: 0, or 1 with the first
 * one missing in reason; < 0. */
int cnet_rules_check(struct cnet_nl *tnl, const struct cJSON *options, char *reason, size_t len);
/* The record's "rules_found": rules its namespace had before cnet asked
 * for them, which detach leaves. Whether r is one; r noted as one (found)
 * or no longer (!found). */
bool cnet_rule_found(const struct cJSON *rec, const struct cnet_rule *r);
void cnet_rule_note_found(struct cJSON *rec, const struct cnet_rule *r, bool found);
/* Detach: a record's rules taken away (best effort, warnings in res),
 * but for those it found. */
void cnet_rules_undo(struct cnet_nl *tnl, const struct cJSON *rec, struct cnet_result *res);

#endif
