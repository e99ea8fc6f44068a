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

/* Kept as text: a walk over 10,000 records holds 10,000 lines, not trees. */
int cnet_result_add_record(struct cnet_result *res, const cJSON *rec)
{
	char *text = cJSON_PrintUnformatted(rec);
	size_t n = text ? strlen(text) : 0;

	if (!text)
		return -ENOMEM;
	if (res->rlen + n + 3 > res->rcap) {
		size_t cap = (res->rlen + n + 3) * 2;
		char *b = realloc(res->records_str, cap);
		if (!b) {
			free(text);
			return -ENOMEM;
		}
		res->records_str = b;
		res->rcap = cap;
	}
	res->records_str[res->rlen] = res->rlen ? ',' : '[';
	res->rlen++;
	memcpy(res->records_str + res->rlen, text, n);
	res->rlen += n;
	memcpy(res->records_str + res->rlen, "]", 2); /* closed until the next one */
	free(text);
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
