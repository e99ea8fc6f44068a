/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cnet as a CNI plugin: the runtime sets CNI_COMMAND and the rest of the
 * environment, writes the network configuration on stdin and reads the
 * result, or an error object, on stdout. Specification 1.1.0 and earlier.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"

#define CONF_MAX (1u << 20)
/* The specification's container IDs: a letter or digit, then these. */
#define ID_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

int cni_set_error(struct cni *c, int code, const char *details)
{
	snprintf(c->details, sizeof(c->details), "%s", details ? details : "");
	c->code = code;
	return -1;
}

int cni_fail_lib(struct cni *c, struct cnet_ctx *ctx, const char *what)
{
	int code;

	switch (cnet_ctx_errclass(ctx)) {
	case CNET_ERR_INVALID:
		code = CNI_ERR_CONFIG;
		break;
	case CNET_ERR_TARGET:
		code = CNI_ERR_CONTAINER;
		break;
	case CNET_ERR_BUSY:
	case CNET_ERR_MISSING:
		code = CNI_ERR_AGAIN;
		break;
	case CNET_ERR_STORE:
		code = CNI_ERR_IO;
		break;
	default:
		code = CNI_ERR_FAILED;
	}
	return cni_fail(c, code, cnet_ctx_errmsg(ctx), "%s: %s", what, cnet_ctx_errmsg(ctx));
}

static void print_json(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	if (s)
		printf("%s\n", s);
	free(s);
}

static int print_error(const struct cni *c)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "cniVersion", c->version && cni_version_ok(c->version) ? c->version : "1.1.0");
	cJSON_AddNumberToObject(o, "code", c->code);
	cJSON_AddStringToObject(o, "msg", c->msg);
	if (*c->details)
		cJSON_AddStringToObject(o, "details", c->details);
	print_json(o);
	cJSON_Delete(o);
	fflush(stdout);
	return 1;
}

static char *read_stdin(size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1), *p;
	size_t got;

	while (buf && (got = fread(buf + n, 1, cap - n, stdin)) > 0) {
		n += got;
		if (n == cap) {
			if (cap >= CONF_MAX || !(p = realloc(buf, 2 * cap + 1))) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap *= 2;
		}
	}
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

/* CNI_ARGS: "K=V;K=V"; unknown keys are ignored (IgnoreUnknown or not:
 * runtimes send K8S_POD_NAME and more to every plugin). */
static int parse_args(struct cni *c)
{
	const char *e = getenv("CNI_ARGS");
	char *save = NULL, *kv;

	if (!e || !*e)
		return 0;
	c->args_buf = strdup(e);
	if (!c->args_buf)
		return cni_fail(c, CNI_ERR_IO, NULL, "out of memory");
	for (kv = strtok_r(c->args_buf, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq)
			return cni_fail(c, CNI_ERR_ENV, e, "CNI_ARGS: '%s' is not KEY=VALUE", kv);
		*eq = '\0';
		if (!strcmp(kv, "IP"))
			c->arg_ip = eq + 1;
		else if (!strcmp(kv, "MAC"))
			c->arg_mac = eq + 1;
	}
	return 0;
}

static void debug_log(void *data, const char *line)
{
	(void)data;
	fprintf(stderr, "cnet: debug: %s\n", line);
}

/* The store: the configuration's "state", else $CNET_STATE, else the
 * default. A runtime's calls do not all carry the environment it was
 * started with (Podman's cleanup after a container exits runs DEL from
 * conmon without it): a store other than the default belongs in the
 * configuration, which every call carries. */
static int set_state(struct cni *c, struct cnet_ctx *ctx)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->conf, "state");

	if (!v)
		return 0;
	if (!cJSON_IsString(v) || v->valuestring[0] != '/')
		return cni_fail(c, CNI_ERR_CONFIG, NULL, "\"state\": must be an absolute path");
	if (cnet_ctx_set_state_path(ctx, v->valuestring) < 0)
		return cni_fail(c, CNI_ERR_IO, NULL, "out of memory");
	return 0;
}

static int need_env(struct cni *c, const char *var, const char **out)
{
	*out = getenv(var);
	if (!*out || !**out)
		return cni_fail(c, CNI_ERR_ENV, NULL, "%s is not set", var);
	return 0;
}

static int read_conf(struct cni *c)
{
	size_t len;
	char *buf = read_stdin(&len);
	const cJSON *v;

	if (!buf)
		return cni_fail(c, CNI_ERR_IO, NULL, "cannot read the configuration on stdin");
	c->conf = cJSON_ParseWithLength(buf, len);
	c->raw = buf;
	c->raw_len = len;
	if (!cJSON_IsObject(c->conf))
		return cni_fail(c, CNI_ERR_DECODE, NULL, "the configuration on stdin is not a JSON object");
	v = cJSON_GetObjectItemCaseSensitive(c->conf, "cniVersion");
	c->version = cJSON_IsString(v) ? v->valuestring : NULL;
	if (!c->version || !cni_version_ok(c->version)) {
		const char *asked = c->version ? c->version : "(none)";
		c->version = NULL;
		return cni_fail(c, CNI_ERR_VERSION, NULL,
				"cniVersion %s is not supported (1.1.0, 1.0.0, 0.4.0, 0.3.1, 0.3.0)", asked);
	}
	v = cJSON_GetObjectItemCaseSensitive(c->conf, "name");
	c->name = cJSON_IsString(v) ? v->valuestring : NULL;
	if (!c->name)
		return cni_fail(c, CNI_ERR_CONFIG, NULL, "the configuration has no \"name\"");
	return 0;
}

static int ctx_fail(struct cni *c, struct cnet_ctx *ctx, int r, const char *what)
{
	if (r == -ENOMEM && !*cnet_ctx_errmsg(ctx))
		return cni_fail(c, CNI_ERR_IO, NULL, "out of memory");
	return cni_fail_lib(c, ctx, what);
}

/* An IPAM plugin's answer to a command that returns nothing of use. */
static int ipam_forward(struct cni *c, const char *command)
{
	cJSON *out = NULL;
	int r = cni_ipam_exec(c, command, &out);

	cJSON_Delete(out);
	return r;
}

/* A 1.1.0 verb, to an IPAM plugin that knows it. */
static int ipam_forward_1_1(struct cni *c, const char *command)
{
	int r = cni_ipam_speaks_1_1(c);

	return r <= 0 ? r : ipam_forward(c, command);
}

/* The same in a rollback: its error does not replace the first. */
static void ipam_quiet(struct cni *c, const char *command)
{
	struct cni keep = *c;

	(void)ipam_forward(c, command);
	c->code = keep.code;
	memcpy(c->msg, keep.msg, sizeof(c->msg));
	memcpy(c->details, keep.details, sizeof(c->details));
}

static int cmd_add(struct cni *c, struct cnet_ctx *ctx)
{
	struct cnet_attach *att = NULL;
	struct cnet_result *res = NULL;
	cJSON *out;
	int r;

	if (need_env(c, "CNI_NETNS", &c->netns) < 0)
		return -1;
	if (cni_ipam_delegate(c) && cni_ipam_exec(c, "ADD", &c->ipam_result) < 0)
		return -1;
	r = cni_attach_from_conf(c, ctx, &att);
	if (r == 0) {
		r = cnet_attach(ctx, att, &res);
		cnet_attach_free(att);
		if (r < 0)
			ctx_fail(c, ctx, r, "ADD");
	}
	if (r < 0) {
		/* what the IPAM plugin gave back to it; the first error is ours */
		if (c->ipam_result)
			ipam_quiet(c, "DEL");
		return -1;
	}
	/* stdout is the runtime's; what a person should know goes to stderr */
	for (size_t i = 0; i < cnet_result_n_warnings(res); i++)
		fprintf(stderr, "cnet: warning: %s\n", cnet_result_warning(res, i));
	out = cni_result(c, cnet_result_records_json(res));
	cnet_result_free(res);
	if (!out)
		return cni_fail(c, CNI_ERR_FAILED, NULL, "ADD: no record of the attachment in the result");
	print_json(out);
	cJSON_Delete(out);
	return 0;
}

/* DEL never needs the namespace: containerd sends it empty, and kubelet
 * may have removed it already. What is recorded says what to undo. */
static int cmd_del(struct cni *c, struct cnet_ctx *ctx)
{
	int r = cnet_cni_del(ctx, c->name, c->container, c->ifname, 0, NULL);

	if (r < 0)
		return ctx_fail(c, ctx, r, "DEL");
	return cni_ipam_delegate(c) ? ipam_forward(c, "DEL") : 0;
}

static bool status_is(const struct cni *c, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "cni");
	const char *net = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "network"));
	const char *cid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "container"));
	const char *ifn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "ifname"));

	return net && cid && ifn && !strcmp(net, c->name) && !strcmp(cid, c->container) &&
	       !strcmp(ifn, c->ifname);
}

/* CHECK: the kernel against the record, as a dry reapply sees it. */
static int cmd_check(struct cni *c, struct cnet_ctx *ctx)
{
	struct cnet_result *res = NULL;
	const char *targets[1];
	cJSON *recs, *rec;
	int r;

	if (!cni_version_ge(c->version, "0.4.0"))
		return cni_fail(c, CNI_ERR_VERSION, NULL, "CHECK needs cniVersion 0.4.0 or later");
	if (need_env(c, "CNI_NETNS", &c->netns) < 0)
		return -1;
	targets[0] = c->netns;
	r = cnet_reapply(ctx, targets, 1, CNET_REAPPLY_DRY_RUN, &res);
	if (r < 0)
		return ctx_fail(c, ctx, r, "CHECK");
	recs = cJSON_Parse(cnet_result_records_json(res));
	cnet_result_free(res);
	r = cni_fail(c, CNI_ERR_CONTAINER, NULL, "CHECK: nothing recorded for container %s, %s",
		     c->container, c->ifname);
	cJSON_ArrayForEach(rec, recs)
	{
		const char *status, *reason;
		if (!status_is(c, rec))
			continue;
		status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "status"));
		reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "reason"));
		if (status && !strcmp(status, "ok"))
			r = c->code = 0;
		else
			r = cni_fail(c, CNI_ERR_CHECK, reason, "CHECK: %s is %s%s%s", c->ifname,
				     status ? status : "unknown", reason && *reason ? ": " : "",
				     reason ? reason : "");
		break;
	}
	cJSON_Delete(recs);
	if (r == 0 && cni_ipam_delegate(c))
		r = ipam_forward(c, "CHECK");
	return r;
}

/* GC: cni.dev/valid-attachments (1.1.0; cni.dev/attachments in its first
 * text), each {containerID, ifname}. */
static int cmd_gc(struct cni *c, struct cnet_ctx *ctx)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->conf, "cni.dev/valid-attachments"), *e;
	char **valid;
	size_t n = 0;
	int r;

	if (!a)
		a = cJSON_GetObjectItemCaseSensitive(c->conf, "cni.dev/attachments");
	if (a && !cJSON_IsArray(a))
		return cni_fail(c, CNI_ERR_CONFIG, NULL, "cni.dev/valid-attachments is not an array");
	valid = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(*valid));
	if (!valid)
		return cni_fail(c, CNI_ERR_IO, NULL, "out of memory");
	cJSON_ArrayForEach(e, a)
	{
		const char *cid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "containerID"));
		const char *ifn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "ifname"));
		if (!cid || !ifn || asprintf(&valid[n], "%s/%s", cid, ifn) < 0) {
			valid[n] = NULL;
			r = cni_fail(c, CNI_ERR_CONFIG, NULL,
				     "cni.dev/valid-attachments: each entry needs containerID and ifname");
			goto out;
		}
		n++;
	}
	r = cnet_cni_gc(ctx, c->name, (const char *const *)valid, n, 0, NULL);
	if (r < 0)
		r = ctx_fail(c, ctx, r, "GC");
	else if (r > 0)
		r = cni_fail(c, CNI_ERR_FAILED, NULL, "GC: %d attachments could not be removed", r);
	if (r == 0 && cni_ipam_delegate(c))
		r = ipam_forward_1_1(c, "GC");
out:
	for (size_t i = 0; i < n; i++)
		free(valid[i]);
	free(valid);
	return r;
}

static int cmd_version(struct cni *c)
{
	cJSON *o = cJSON_CreateObject(), *a;
	static const char *const all[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};

	/* The configuration, if any, only says which version to answer in. */
	(void)read_conf(c);
	c->code = 0;
	cJSON_AddStringToObject(o, "cniVersion", c->version ? c->version : "1.1.0");
	a = cJSON_AddArrayToObject(o, "supportedVersions");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(all[i]));
	print_json(o);
	cJSON_Delete(o);
	return 0;
}

static int run(struct cni *c, struct cnet_ctx **ctx)
{
	bool del = !strcmp(c->command, "DEL"), add = !strcmp(c->command, "ADD");
	bool check = !strcmp(c->command, "CHECK"), status = !strcmp(c->command, "STATUS");
	bool gc = !strcmp(c->command, "GC");

	if (!add && !del && !check && !status && !gc)
		return cni_fail(c, CNI_ERR_ENV, NULL, "unknown CNI_COMMAND '%s'", c->command);
	if (read_conf(c) < 0)
		return -1;
	if ((status || gc) && !cni_version_ge(c->version, "1.1.0"))
		return cni_fail(c, CNI_ERR_VERSION, NULL, "%s needs cniVersion 1.1.0", c->command);
	if (status)
		return cni_status(c) < 0 ? -1 : cni_ipam_delegate(c) ? ipam_forward_1_1(c, "STATUS") : 0;
	if (!gc && (need_env(c, "CNI_CONTAINERID", &c->container) < 0 ||
		    need_env(c, "CNI_IFNAME", &c->ifname) < 0))
		return -1;
	if (!gc && (strlen(c->container) > 255 || !isalnum((unsigned char)c->container[0]) ||
		    strspn(c->container, ID_CHARS) != strlen(c->container)))
		return cni_fail(c, CNI_ERR_ENV, NULL, "CNI_CONTAINERID '%.64s' is not a container ID", c->container);
	if (parse_args(c) < 0)
		return -1;
	if (cnet_ctx_new(ctx) < 0)
		return cni_fail(c, CNI_ERR_IO, NULL, "out of memory");
	if (getenv("CNET_DEBUG"))
		cnet_ctx_set_log_fn(*ctx, debug_log, NULL);
	if (set_state(c, *ctx) < 0)
		return -1;
	if (!gc && cnet_check_ifname(*ctx, c->ifname) < 0)
		return cni_fail(c, CNI_ERR_ENV, cnet_ctx_errmsg(*ctx), "CNI_IFNAME: %s", cnet_ctx_errmsg(*ctx));
	if (add)
		return cmd_add(c, *ctx);
	if (del)
		return cmd_del(c, *ctx);
	if (check)
		return cmd_check(c, *ctx);
	return cmd_gc(c, *ctx);
}

int main(void)
{
	struct cni c = {0};
	struct cnet_ctx *ctx = NULL;
	int r;

	c.command = getenv("CNI_COMMAND");
	c.path = getenv("CNI_PATH");
	if (!c.command || !*c.command) {
		cni_fail(&c, CNI_ERR_ENV, NULL,
			 "CNI_COMMAND is not set: this is the CNI plugin; the command line is cnet(8)");
		return print_error(&c);
	}
	/* VERSION looks at nothing else: Podman sends dummy values. */
	r = !strcmp(c.command, "VERSION") ? cmd_version(&c) : run(&c, &ctx);
	if (r < 0)
		print_error(&c);
	cnet_ctx_free(ctx);
	cJSON_Delete(c.conf);
	cJSON_Delete(c.ipam_result);
	free(c.raw);
	free(c.args_buf);
	return r < 0 ? 1 : 0;
}
