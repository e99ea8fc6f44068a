/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where records are in the snapshot's bytes, and value indexes over the
 * records' text: a command that looks records up once searches the
 * snapshot's bytes (srec.c); one that looks up again and again (a reapply
 * repairing thousands) builds an index of the values after a key ("ino":
 * N, "slave_of":"ID") in one pass, and each lookup then costs what it
 * finds. An index may name more records than match (a record's older
 * text, the key elsewhere in it): callers test the parsed record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cnet-internal.h"

#define EMPTY UINT32_MAX

long cnet_snap_rec_at(const struct cnet_store *st, const char *p)
{
	size_t lo = 0, hi = st->n_snap;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct cnet_srec *s = &st->recs[mid];
		if (p < s->stext)
			hi = mid;
		else if (p >= s->stext + s->slen)
			lo = mid + 1;
		else
			return (long)mid;
	}
	return -1;
}

static uint64_t value_hash(const char *v, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)v[i]) * 1099511628211ull;
	return h | 1; /* never 0 */
}

/* The value after a key: letters and digits. */
static size_t value_len(const char *v, const char *end)
{
	size_t n = 0;

	while (v + n < end && ((v[n] >= '0' && v[n] <= '9') || (v[n] >= 'a' && v[n] <= 'z') ||
			       (v[n] >= 'A' && v[n] <= 'Z')))
		n++;
	return n;
}

static int insert(struct cnet_vindex *ix, uint64_t h, uint32_t k)
{
	size_t i;

	if ((ix->n + 1) * 2 > ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 1024, old = ix->cap;
		uint64_t *oh = ix->h;
		uint32_t *ok = ix->k;
		ix->h = malloc(cap * sizeof(*ix->h));
		ix->k = malloc(cap * sizeof(*ix->k));
		if (!ix->h || !ix->k) {
			free(ix->h);
			free(ix->k);
			ix->h = oh;
			ix->k = ok;
			return -ENOMEM;
		}
		ix->cap = cap;
		ix->n = 0;
		for (i = 0; i < cap; i++)
			ix->k[i] = EMPTY;
		for (i = 0; i < old; i++)
			if (ok[i] != EMPTY)
				insert(ix, oh[i], ok[i]);
		free(oh);
		free(ok);
	}
	for (i = h & (ix->cap - 1); ix->k[i] != EMPTY; i = (i + 1) & (ix->cap - 1))
		if (ix->h[i] == h && ix->k[i] == k)
			return 0; /* there already */
	ix->h[i] = h;
	ix->k[i] = k;
	ix->n++;
	return 0;
}

/* Every value after the key in recs[k]'s text. */
static int add_text(struct cnet_vindex *ix, const char *text, size_t len, size_t k)
{
	size_t kl = strlen(ix->key);
	const char *p = text, *end = text + len, *q;
	int r = 0;

	while (r == 0 && (q = memmem(p, (size_t)(end - p), ix->key, kl))) {
		q += kl;
		r = insert(ix, value_hash(q, value_len(q, end)), (uint32_t)k);
		p = q;
	}
	return r;
}

void cnet_vindex_note(struct cnet_store *st, size_t k)
{
	struct cnet_vindex *ixs[] = {&st->by_ino, &st->by_parent};

	for (size_t i = 0; i < ARRAY_SIZE(ixs); i++)
		if (ixs[i]->built && add_text(ixs[i], st->recs[k].text, st->recs[k].len, k) < 0)
			ixs[i]->built = false; /* out of memory: searched instead */
}

/* One pass over the snapshot's bytes, then the journal's records. */
static int build(struct cnet_store *st, struct cnet_vindex *ix)
{
	size_t kl = strlen(ix->key);
	const char *p = st->snap, *end = st->snap + st->snap_len, *q;
	int r = 0;

	while (r == 0 && st->n_snap && p < end && (q = memmem(p, (size_t)(end - p), ix->key, kl))) {
		long k = cnet_snap_rec_at(st, q);
		q += kl;
		if (k >= 0 && !st->recs[k].dead && !st->recs[k].own)
			r = insert(ix, value_hash(q, value_len(q, end)), (uint32_t)k);
		p = q;
	}
	for (size_t k = 0; r == 0 && k < st->n_recs; k++)
		if (!st->recs[k].dead && st->recs[k].text != st->recs[k].stext)
			r = add_text(ix, st->recs[k].text, st->recs[k].len, k);
	ix->built = r == 0;
	return r;
}

int cnet_vindex_each(struct cnet_store *st, struct cnet_vindex *ix, const char *value,
		     int (*fn)(struct cnet_store *st, size_t k, void *arg), void *arg, bool *indexed)
{
	uint64_t h = value_hash(value, strlen(value));
	int r;

	*indexed = ix->built || (++ix->lookups >= 2 && build(st, ix) == 0);
	if (!*indexed || !ix->cap)
		return 0; /* no index: the caller searches the bytes instead; or none has the key */
	for (size_t i = h & (ix->cap - 1); ix->k[i] != EMPTY; i = (i + 1) & (ix->cap - 1))
		if (ix->h[i] == h && !st->recs[ix->k[i]].dead && (r = fn(st, ix->k[i], arg)))
			return r;
	return 0;
}

void cnet_vindex_free(struct cnet_vindex *ix)
{
	free(ix->h);
	free(ix->k);
	ix->h = NULL;
	ix->k = NULL;
	ix->cap = ix->n = 0;
	ix->built = false;
	ix->lookups = 0;
}
