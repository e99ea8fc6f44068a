/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Records checked side by side: a batch of them, each parsed from its
 * stored text and given to a check (reapply's lock-free one) on this
 * thread and FAST_THREADS - 1 more. The store is only read meanwhile. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"

#define FAST_THREADS 2

struct fast_worker {
	struct cnet_batch *b;
	cnet_batch_ok_fn ok;
	struct cnet_ctx ctx; /* a copy: its own error message, no log */
	struct cnet_nl *hnl;
};

static void fast_one(struct fast_worker *w, int j)
{
	struct cnet_batch *b = w->b;
	cJSON *rec = b->text[j] ? cJSON_ParseWithLength(b->text[j], b->len[j]) : NULL;

	b->state[j] = CNET_BATCH_UNKNOWN;
	b->line[j] = NULL;
	if (!cJSON_IsObject(rec)) {
		cJSON_Delete(rec);
		return; /* the locked way says what is wrong */
	}
	if (cnet_record_is_child(b->st, rec))
		b->state[j] = CNET_BATCH_CHILD;
	else if (w->ok(&w->ctx, b->st, w->hnl, rec) &&
		 asprintf(&b->line[j], "ok: %s %s in %s", cnet_json_str(rec, "kind"),
			  cnet_json_str(rec, "ifname"), cnet_json_str(rec, "target")) >= 0)
		b->state[j] = CNET_BATCH_OK;
	else
		b->line[j] = NULL;
	cJSON_Delete(rec);
}

static void *fast_work(void *arg)
{
	struct fast_worker *w = arg;
	int j;

	while ((j = atomic_fetch_add(&w->b->next, 1)) < w->b->n)
		fast_one(w, j);
	return NULL;
}

/* The batch's records checked: this thread and FAST_THREADS - 1 more,
 * each with its own ctx and host socket; alone if a thread cannot start.
 * Test builds (fault injection counts requests in order) check alone. */
void cnet_batch_check(struct cnet_ctx *ctx, struct cnet_nl *hnl, struct cnet_batch *b, cnet_batch_ok_fn ok)
{
	struct fast_worker w[FAST_THREADS];
	pthread_t tid[FAST_THREADS];
	bool started[FAST_THREADS] = {false};
	int k;

	atomic_store(&b->next, 0);
	/* A check's failure is not reported: the locked way finds it again
	 * and logs it, on the caller's thread, which alone calls the log. */
	w[0] = (struct fast_worker){.b = b, .ok = ok, .ctx = *ctx, .hnl = hnl};
	w[0].ctx.log_fn = NULL;
#ifndef CNET_FAULT_INJECTION
	for (k = 1; k < FAST_THREADS; k++) {
		w[k] = (struct fast_worker){.b = b, .ok = ok, .ctx = w[0].ctx};
		if (cnet_nl_open(&w[k].ctx, -1, &w[k].hnl) < 0)
			break;
		started[k] = pthread_create(&tid[k], NULL, fast_work, &w[k]) == 0;
		if (!started[k]) {
			cnet_nl_close(w[k].hnl);
			break;
		}
	}
#endif
	fast_work(&w[0]);
	for (k = 1; k < FAST_THREADS; k++)
		if (started[k]) {
			pthread_join(tid[k], NULL);
			cnet_nl_close(w[k].hnl);
		}
	cnet_clear_err(ctx);
}
