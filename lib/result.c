/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"

int cnet_result_new(struct cnet_ctx *ctx, struct cnet_result **out)
{
	struct cnet_result *res = calloc(1, sizeof(*res));

	if (!res)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	*out = res;
	return 0;
}

static int vpush(char ***list, size_t *n, const char *fmt, va_list ap)
{
	char **l;
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		return -ENOMEM;
	l = realloc(*list, (*n + 1) * sizeof(*l));
	if (!l) {
		free(s);
		return -ENOMEM;
	}
	l[(*n)++] = s;
	*list = l;
	return 0;
}

int cnet_result_add_action(struct cnet_result *res, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vpush(&res->actions, &res->n_actions, fmt, ap);
	va_end(ap);
	return r;
}

int cnet_result_add_warning(struct cnet_result *res, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vpush(&res->warnings, &res->n_warnings, fmt, ap);
	va_end(ap);
	return r;
}

/* Room for n more bytes of records_str (and its closing "]" and NUL). */
static int records_room(struct cnet_result *res, size_t n)
{
	if (res->rlen + n + 3 > res->rcap) {
		size_t cap = (res->rlen + n + 3) * 2;
		char *b = realloc(res->records_str, cap);
		if (!b)
			return -ENOMEM;
		res->records_str = b;
		res->rcap = cap;
	}
	return 0;
}

static void records_put(struct cnet_result *res, const char *p, size_t n)
{
	memcpy(res->records_str + res->rlen, p, n);
	res->rlen += n;
}

/* Kept as text: a walk over 10,000 records holds 10,000 lines, not trees. */
int cnet_result_add_record(struct cnet_result *res, const cJSON *rec)
{
	char *text = cJSON_PrintUnformatted(rec);
	size_t n = text ? strlen(text) : 0;

	if (!text || records_room(res, n) < 0) {
		free(text);
		return -ENOMEM;
	}
	records_put(res, res->rlen ? "," : "[", 1);
	records_put(res, text, n);
	memcpy(res->records_str + res->rlen, "]", 2); /* closed until the next one */
	free(text);
	return 0;
}

/* s as a JSON string (room for 6 bytes a byte and the quotes made first) */
static void records_put_str(struct cnet_result *res, const char *s)
{
	char *o = res->records_str + res->rlen;

	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if (*p < 0x20) {
			o += sprintf(o, "\\u%04x", *p);
		} else {
			*o++ = (char)*p;
		}
	}
	*o++ = '"';
	res->rlen = (size_t)(o - res->records_str);
}

int cnet_result_add_record_text(struct cnet_result *res, const char *text, size_t len,
				const char *status, const char *reason)
{
	/* an object's text, "{...}": the two members go before its "}" */
	if (len < 2 || text[0] != '{' || text[len - 1] != '}')
		return -EINVAL;
	if (records_room(res, len + 6 * (strlen(status) + strlen(reason)) + 32) < 0)
		return -ENOMEM;
	records_put(res, res->rlen ? "," : "[", 1);
	records_put(res, text, len - 1);
	records_put(res, len > 2 ? ",\"status\":" : "\"status\":", len > 2 ? 10 : 9);
	records_put_str(res, status);
	records_put(res, ",\"reason\":", 10);
	records_put_str(res, reason);
	memcpy(res->records_str + res->rlen, "}]", 3);
	res->rlen++;
	return 0;
}

CNET_EXPORT bool cnet_result_changed(const struct cnet_result *res)
{
	return res->changed;
}

CNET_EXPORT const char *cnet_result_records_json(const struct cnet_result *res)
{
	return res->rlen ? res->records_str : "[]";
}

CNET_EXPORT size_t cnet_result_n_actions(const struct cnet_result *res)
{
	return res->n_actions;
}

CNET_EXPORT const char *cnet_result_action(const struct cnet_result *res, size_t i)
{
	return i < res->n_actions ? res->actions[i] : NULL;
}

CNET_EXPORT size_t cnet_result_n_warnings(const struct cnet_result *res)
{
	return res->n_warnings;
}

CNET_EXPORT const char *cnet_result_warning(const struct cnet_result *res, size_t i)
{
	return i < res->n_warnings ? res->warnings[i] : NULL;
}

CNET_EXPORT void cnet_result_free(struct cnet_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n_actions; i++)
		free(res->actions[i]);
	for (size_t i = 0; i < res->n_warnings; i++)
		free(res->warnings[i]);
	free(res->actions);
	free(res->warnings);
	free(res->records_str);
	free(res);
}

void cnet_result_warn_failed(struct cnet_ctx *ctx, struct cnet_result *res, int r, const char *what)
{
	if (r == -EEXIST && res) {
		cnet_clear_err(ctx); /* already there: nothing was lost */
		return;
	}
	if (r >= 0 || !res)
		return;
	cnet_result_add_warning(res, "could not %s: %s", what, *ctx->errmsg ? ctx->errmsg : strerror(-r));
	cnet_clear_err(ctx);
}
