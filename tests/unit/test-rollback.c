/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A composite's rollback (a bond's) undoes its children with detach's undo, which clears the
 * error (and warns) when what a record names is gone. The failure that
 * started the rollback must survive it: message and class (exit code).
 * The records name interfaces that exist nowhere; undo only asks the
 * kernel about them (in this process's namespace) and finds nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "attach.h"
#include "unit.h"

/* A slave record of kind, in this namespace, whose interface is gone. */
static cJSON *gone_slave(const struct cnet_target *t, const char *id, const char *kind)
{
	char text[768];

	snprintf(text, sizeof(text),
		 "{\"id\":\"%s\",\"kind\":\"%s\",\"target\":\"unit\",\"ifname\":\"cnunit%.2s\","
		 "\"slave_of\":\"feedbee0\",\"netns\":{\"cookie\":%llu,\"dev\":%llu,\"ino\":%llu},"
		 "\"link\":{\"ifindex\":2147483000,\"mac\":\"02:00:5e:00:00:01\"},"
		 "\"restore\":{\"name\":\"cnunitdev%.2s\",\"ifindex\":2147483001,\"mtu\":1500,"
		 "\"mac\":\"02:00:5e:00:00:02\","
		 "\"identity\":{\"veth_peer\":2147483002,\"veth_peer_name\":\"cnunitp%.2s\"}}}",
		 id, kind, id, t->cookie, t->dev, t->ino, id, id);
	return cJSON_Parse(text);
}

static void rollback_keeps_first(const char *kind)
{
	struct cnet_store st = {.lock_fd = -1, .path = "unit"};
	struct run run = {0};
	struct cnet_ctx *ctx;
	struct stat sb;
	bool ok;

	CHECK(cnet_ctx_new(&ctx) == 0);
	run.ctx = ctx;
	run.st = &st;
	/* the target: this namespace (which resolve refuses: it is "the host") */
	run.t.fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	CHECK(run.t.fd >= 0 && fstat(run.t.fd, &sb) == 0);
	run.t.dev = sb.st_dev;
	run.t.ino = sb.st_ino;
	CHECK(cnet_nl_open(ctx, -1, &run.hnl) == 0);
	run.tnl = run.hnl;
	run.t.cookie = cnet_nl_netns_cookie(run.tnl);
	st.doc = cJSON_CreateObject();
	st.records = cJSON_AddArrayToObject(st.doc, "records");
	CHECK(st.records);
	cJSON_AddItemToArray(st.records, gone_slave(&run.t, "feed0001", kind));
	strcpy(run.child_ids[0], "feed0001");
	run.n_children = 1;

	cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV, "the first failure");
	cnet_run_rollback_children(&run);
	ok = cnet_ctx_errclass(ctx) == CNET_ERR_MISSING &&
	     !strcmp(cnet_ctx_errmsg(ctx), "the first failure") &&
	     cJSON_GetArraySize(st.records) == 0; /* nothing left to undo: dropped */
	cJSON_Delete(st.doc);
	cnet_nl_close(run.hnl);
	cnet_target_close(&run.t);
	cnet_ctx_free(ctx);
	CHECK(ok);
}

TEST(test_rollback_keeps_first_error_created_slave,
     "a bond's rollback: a created slave found gone leaves the first failure's message and class")
{
	rollback_keeps_first("macvlan");
}

TEST(test_rollback_keeps_first_error_moved_slave,
     "a bond's rollback: a moved slave found gone (a warning) leaves the first failure as it was")
{
	rollback_keeps_first("host-device");
}
