/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An engine's event lines, as cnet watch reads them. */
#include <stdio.h>
#include <string.h>

#include "cnet-internal.h"
#include "unit.h"

#define ID "4b5e57f6eb2f42b9039b3d1e13929295f231749c510cbe341cd68036d9af97e2"

static int parse(const char *line, struct cnet_event *ev)
{
	return cnet_event_parse(line, strlen(line), ev);
}

TEST(test_event_actions, "Docker's and Podman's container actions, with Id, name and time")
{
	struct cnet_event ev;

	CHECK(parse("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"" ID "\","
		    "\"Attributes\":{\"name\":\"web\"}},\"time\":1700000000,\"timeNano\":1700000000123456768}",
		    &ev) == CNET_EV_START);
	CHECK(!strcmp(ev.id, ID) && !strcmp(ev.name, "web") && !ev.old_name[0]);
	CHECK(ev.time_nano == 1700000000123456768LL);
	CHECK(parse("{\"Type\":\"container\",\"Action\":\"died\",\"Actor\":{\"ID\":\"" ID "\"},\"time\":5}",
		    &ev) == CNET_EV_DIE);
	CHECK(ev.time_nano == 5000000000LL && !ev.name[0]);
	CHECK(parse("{\"Type\":\"container\",\"Action\":\"remove\",\"Actor\":{\"ID\":\"" ID "\"}}", &ev) ==
	      CNET_EV_DESTROY);
	CHECK(ev.time_nano == 0);
	CHECK(parse("{\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":\"" ID "\","
		    "\"Attributes\":{\"name\":\"front\",\"oldName\":\"/web\"}}}",
		    &ev) == CNET_EV_RENAME);
	CHECK(!strcmp(ev.name, "front") && !strcmp(ev.old_name, "web"));
}

TEST(test_event_refused, "other types and actions, bad Ids, hostile names and long lines are no event")
{
	char line[CNET_EVENT_LINE_MAX + 200];
	struct cnet_event ev;
	int n;

	CHECK(parse("{\"Type\":\"network\",\"Action\":\"start\",\"Actor\":{\"ID\":\"" ID "\"}}", &ev) ==
	      CNET_EV_NONE);
	CHECK(parse("{\"Type\":\"container\",\"Action\":\"exec_start\",\"Actor\":{\"ID\":\"" ID "\"}}", &ev) ==
	      CNET_EV_NONE);
	CHECK(parse("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"../../etc\"}}", &ev) ==
	      CNET_EV_NONE);
	/* upper case, or one digit short */
	CHECK(parse("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":"
		    "\"4B5E57F6EB2F42B9039B3D1E13929295F231749C510CBE341CD68036D9AF97E2\"}}",
		    &ev) == CNET_EV_NONE);
	CHECK(parse("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":"
		    "\"4b5e57f6eb2f42b9039b3d1e13929295f231749c510cbe341cd68036d9af97e\"}}",
		    &ev) == CNET_EV_NONE);
	CHECK(parse("[1,2]", &ev) == CNET_EV_NONE && parse("", &ev) == CNET_EV_NONE);
	CHECK(ev.id[0] == '\0');
	/* a name with what no engine allows: the event stands, without it */
	CHECK(parse("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"" ID "\","
		    "\"Attributes\":{\"name\":\"a\\nb\"}}}",
		    &ev) == CNET_EV_START);
	CHECK(!ev.name[0]);
	CHECK(parse("{\"Type\":\"container\",\"Action\":\"rename\",\"Actor\":{\"ID\":\"" ID "\","
		    "\"Attributes\":{\"name\":\"../x\",\"oldName\":\"web\"}}}",
		    &ev) == CNET_EV_RENAME);
	CHECK(!ev.name[0]);
	/* past the bound, even if it would parse */
	n = snprintf(line, sizeof(line),
		     "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"" ID "\"},\"x\":\"");
	memset(line + n, 'x', CNET_EVENT_LINE_MAX);
	strcpy(line + n + CNET_EVENT_LINE_MAX, "\"}");
	CHECK(parse(line, &ev) == CNET_EV_NONE);
}
