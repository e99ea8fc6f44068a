/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading and writing the pieces of a store record. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>
#include <linux/rtnetlink.h>

#include "cnet-internal.h"

void cnet_utc_stamp(long long t, char out[48])
{
	long long days = t / 86400, secs = t % 86400, z, era, y;
	unsigned int doe, yoe, doy, mp, d, m;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* the proleptic Gregorian date of a day count, in 400-year eras
	 * that start on 1 March (the leap day last) */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = (long long)yoe + era * 400 + (m <= 2);
	snprintf(out, 48, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", y, m, d, secs / 3600, secs / 60 % 60,
		 secs % 60);
}

const char *cnet_json_str(const cJSON *o, const char *key)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return v && cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}


bool cnet_record_in_netns(const cJSON *rec, const struct cnet_target *t)
{
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(rec, "netns");

	if (t->fd < 0 || !ns)
		return false;
	long long cookie = cnet_json_int(ns, "cookie", 1, 1LL << 53, 0);

	if (t->cookie && cookie)
		return (unsigned long long)cookie == t->cookie;
	return cnet_json_int(ns, "dev", 0, 1LL << 53, -1) == (long long)t->dev &&
	       cnet_json_int(ns, "ino", 0, 1LL << 53, -1) == (long long)t->ino;
}

long long cnet_json_int(const cJSON *o, const char *key, long long min, long long max,
			long long def)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
	double d;

	if (!v || !cJSON_IsNumber(v))
		return def;
	d = v->valuedouble;
	if (!(d >= (double)min && d <= (double)max) || d != (double)(long long)d)
		return def;
	return (long long)d;
}

cJSON *cnet_route_to_json(const struct nlmsghdr *h)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)h;
	char *s = malloc(2 * (size_t)h->nlmsg_len + 1);
	cJSON *o;

	if (!s)
		return NULL;
	for (size_t i = 0; i < h->nlmsg_len; i++) {
		s[2 * i] = hex[p[i] >> 4];
		s[2 * i + 1] = hex[p[i] & 15];
	}
	s[2 * (size_t)h->nlmsg_len] = '\0';
	o = cJSON_CreateString(s);
	free(s);
	return o;
}

static int unhex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int cnet_route_from_json(const cJSON *s, struct nlmsghdr **out)
{
	const char *x = cJSON_GetStringValue(s);
	size_t n = x ? strlen(x) : 0;
	unsigned char *b;

	if (!x || n % 2 || n / 2 < NLMSG_LENGTH(sizeof(struct rtmsg)) || n / 2 > 8192)
		return -EINVAL;
	b = malloc(n / 2);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = unhex(x[2 * i]), lo = unhex(x[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(b);
			return -EINVAL;
		}
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	if (((struct nlmsghdr *)b)->nlmsg_len != n / 2) {
		free(b);
		return -EINVAL;
	}
	*out = (struct nlmsghdr *)b;
	return 0;
}

void cnet_routes_from_json(const cJSON *a, struct cnet_routes *rs)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, a)
	{
		if (rs->n < ARRAY_SIZE(rs->msg) && cnet_route_from_json(s, &rs->msg[rs->n]) == 0)
			rs->n++;
	}
}

bool cnet_record_pending(const cJSON *rec)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "pending"));
}

bool cnet_record_marks(const cJSON *rec, const struct cnet_linkinfo *li)
{
	char alias[16];

	cnet_mark_name(alias, cnet_json_str(rec, "id"));
	return !strcmp(li->alias, alias);
}

bool cnet_record_of_container(const cJSON *rec, const void *id)
{
	return !strcmp(cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "netns"), "container_id"),
		       (const char *)id);
}

const char *cnet_container_needle(char *buf, size_t size, const char *id)
{
	snprintf(buf, size, "\"container_id\":\"%s\"", id);
	return buf;
}

int cnet_record_target(struct cnet_ctx *ctx, const cJSON *rec, struct cnet_target *t, char *why,
		       size_t len)
{
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(rec, "netns");
	long long start = cnet_json_int(ns, "pid_start", 1, 1LL << 53, 0);
	int r = cnet_target_resolve_as(ctx, cnet_json_str(rec, "target"),
				       cnet_runtime_name(cnet_json_str(rec, "runtime")), t);
	const char *other;

	if (r < 0 && ctx->errclass == CNET_ERR_TARGET) {
		cnet_clear_err(ctx);
		snprintf(why, len, "target not running");
		return 1;
	}
	if (r < 0)
		return r;
	other = cnet_target_other(t, (unsigned long long)start, cnet_json_str(ns, "container_id"));
	if (other) {
		snprintf(why, len, "%s", other);
		return 1;
	}
	return 0;
}
