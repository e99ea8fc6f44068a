/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One line of an engine's event stream (Docker's GET /events, Podman's
 * compatible one), as cnet watch needs it: a container's start, death,
 * removal or rename, with the container's Id, name and the event's time.
 * The line comes from a socket: anything else, or anything malformed, is
 * CNET_EV_NONE. Podman's own names ("died", "remove") count as Docker's.
 */
#include <ctype.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"

static const struct {
	const char *name;
	int action;
} actions[] = {
	{"start", CNET_EV_START},     {"die", CNET_EV_DIE},	      {"died", CNET_EV_DIE},
	{"destroy", CNET_EV_DESTROY}, {"remove", CNET_EV_DESTROY}, {"rename", CNET_EV_RENAME},
};

/* A name an engine gives a container (Docker's old names start with "/"). */
static bool name_copy(char *dst, size_t size, const cJSON *v)
{
	const char *s = cJSON_GetStringValue(v);
	size_t n;

	if (!s)
		return false;
	s += *s == '/';
	n = strlen(s);
	if (!n || n >= size || !isalnum((unsigned char)*s))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	memcpy(dst, s, n + 1);
	return true;
}

int cnet_event_parse(const char *line, size_t len, struct cnet_event *ev)
{
	const cJSON *type, *action, *actor, *id, *attrs, *tn, *t;
	cJSON *doc;
	size_t n;

	memset(ev, 0, sizeof(*ev));
	if (len > CNET_EVENT_LINE_MAX)
		return CNET_EV_NONE;
	doc = cJSON_ParseWithLength(line, len);
	if (!cJSON_IsObject(doc))
		goto out;
	type = cJSON_GetObjectItemCaseSensitive(doc, "Type");
	action = cJSON_GetObjectItemCaseSensitive(doc, "Action");
	actor = cJSON_GetObjectItemCaseSensitive(doc, "Actor");
	id = cJSON_GetObjectItemCaseSensitive(actor, "ID");
	attrs = cJSON_GetObjectItemCaseSensitive(actor, "Attributes");
	tn = cJSON_GetObjectItemCaseSensitive(doc, "timeNano");
	t = cJSON_GetObjectItemCaseSensitive(doc, "time");
	if (!cJSON_IsString(type) || strcmp(type->valuestring, "container") || !cJSON_IsString(action) ||
	    !cJSON_IsString(id))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (!strcmp(action->valuestring, actions[i].name))
			ev->action = actions[i].action;
	n = strlen(id->valuestring);
	/* Docker's and Podman's Ids: 64 lowercase hexadecimal digits */
	if (!ev->action || n != 64 || strspn(id->valuestring, "0123456789abcdef") != n) {
		ev->action = CNET_EV_NONE;
		goto out;
	}
	memcpy(ev->id, id->valuestring, 65);
	if (!name_copy(ev->name, sizeof(ev->name), cJSON_GetObjectItemCaseSensitive(attrs, "name")))
		ev->name[0] = '\0';
	if (ev->action == CNET_EV_RENAME &&
	    !name_copy(ev->old_name, sizeof(ev->old_name), cJSON_GetObjectItemCaseSensitive(attrs, "oldName")))
		ev->old_name[0] = '\0';
	/* ns since 1970 (a double holds it to within a few hundred ns: two
	 * events that close apart are told apart by their action); else the
	 * seconds */
	if (cJSON_IsNumber(tn) && tn->valuedouble > 0 && tn->valuedouble < 9.2e18)
		ev->time_nano = (long long)tn->valuedouble;
	else if (cJSON_IsNumber(t) && t->valuedouble > 0 && t->valuedouble < 9.2e9)
		ev->time_nano = (long long)t->valuedouble * 1000000000LL;
out:
	cJSON_Delete(doc);
	return ev->action;
}
