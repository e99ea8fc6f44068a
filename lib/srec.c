/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store in memory: every record as its text, found by id, and the
 * view, the few records a command parses. A command parses only what it
 * touches: its target's records, the records a cross-target check names
 * (a VF's PCI address, a bridge's name), one at a time for a walk. The
 * text tests that pick them are only a first cut (JSON text a record may
 * hold elsewhere can match too); callers test the parsed record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"

static int store_err(struct cnet_store *st, int r, const char *what)
{
	return cnet_errc(st->ctx, CNET_ERR_STORE, r, "state store %s: %s", st->path, what);
}

static size_t id_hash(const char *id)
{
	uint32_t h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h;
}

/* The slot of id in the hash (its own, or the free one it would take). */
static size_t slot_of(const struct cnet_store *st, const char *id)
{
	size_t i = id_hash(id) & (st->hcap - 1);

	while (st->hash[i] >= 0 && strcmp(st->recs[st->hash[i]].id, id))
		i = (i + 1) & (st->hcap - 1);
	return i;
}

/* The index of id's record, live or dead; -1 if none. */
static long find(const struct cnet_store *st, const char *id)
{
	return st->hcap && *id ? st->hash[slot_of(st, id)] : -1;
}

static long find_live(const struct cnet_store *st, const char *id)
{
	long k = find(st, id);

	return k >= 0 && !st->recs[k].dead ? k : -1;
}

static int rehash(struct cnet_store *st, size_t want)
{
	size_t cap = 64;
	long *h;

	while (cap < want * 2)
		cap *= 2;
	if (cap <= st->hcap)
		return 0;
	h = malloc(cap * sizeof(*h));
	if (!h)
		return -ENOMEM;
	free(st->hash);
	st->hash = h;
	st->hcap = cap;
	for (size_t i = 0; i < cap; i++)
		h[i] = -1;
	/* the newest record of each id wins its slot */
	for (size_t k = 0; k < st->n_recs; k++)
		if (st->recs[k].id[0])
			h[slot_of(st, st->recs[k].id)] = (long)k;
	return 0;
}

int cnet_srec_reserve(struct cnet_store *st, size_t n)
{
	return rehash(st, n) < 0 ? cnet_err(st->ctx, -ENOMEM, "out of memory") : 0;
}

/* An id as cnet writes it: 8 lowercase hex digits. */
static bool valid_id(const char *s, size_t n)
{
	if (n != 8)
		return false;
	for (size_t i = 0; i < 8; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A record's id from its text: cnet writes it first; anything else is
 * parsed. "" for a record without a valid one (kept, never found by id). */
static int text_id(struct cnet_store *st, const char *text, size_t len, char id[9])
{
	cJSON *o;
	const char *s;

	if (len > 16 && !memcmp(text, "{\"id\":\"", 7) && text[15] == '"' && valid_id(text + 7, 8)) {
		memcpy(id, text + 7, 8);
		id[8] = '\0';
		return 0;
	}
	o = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return store_err(st, -EBADMSG, "holds a record that is not a JSON object; left untouched");
	}
	s = cnet_json_str(o, "id");
	if (valid_id(s, strlen(s)))
		memcpy(id, s, 9);
	else
		id[0] = '\0';
	cJSON_Delete(o);
	return 0;
}

/* recs[k] is in the view now. */
static int set_loaded(struct cnet_store *st, size_t k)
{
	if (st->recs[k].loaded)
		return 0;
	if (st->n_loaded == st->cap_loaded) {
		size_t cap = st->cap_loaded * 2 + 16;
		size_t *v = realloc(st->loaded_k, cap * sizeof(*v));
		if (!v)
			return cnet_err(st->ctx, -ENOMEM, "out of memory");
		st->loaded_k = v;
		st->cap_loaded = cap;
	}
	st->loaded_k[st->n_loaded++] = k;
	st->recs[k].loaded = true;
	return 0;
}

/* put: the record with its id replaced in place, or a new one at the end.
 * own: text is a copy that the store now owns. */
int cnet_srec_put(struct cnet_store *st, const char *text, size_t len, char *own)
{
	struct cnet_srec *s;
	char id[9];
	long k;
	int r = text_id(st, text, len, id);

	if (r < 0)
		goto fail;
	k = find_live(st, id);
	if (k >= 0) {
		s = &st->recs[k];
		s->foreign = s->loaded; /* commit clears it for our own writes */
		free(s->own);
		s->own = own;
		s->text = text;
		s->len = len;
		cnet_vindex_note(st, (size_t)k);
		return 0;
	}
	if (st->n_recs == st->cap_recs) {
		size_t cap = st->cap_recs ? st->cap_recs * 2 : 64;
		struct cnet_srec *n = realloc(st->recs, cap * sizeof(*n));
		if (!n) {
			r = -ENOMEM;
			goto fail;
		}
		st->recs = n;
		st->cap_recs = cap;
	}
	if ((st->n_recs + 1) * 2 > st->hcap && (r = rehash(st, st->n_recs * 2 + 1)) < 0)
		goto fail;
	s = &st->recs[st->n_recs];
	*s = (struct cnet_srec){.own = own, .text = text, .len = len};
	memcpy(s->id, id, sizeof(id));
	if (*id)
		st->hash[slot_of(st, id)] = (long)st->n_recs;
	st->n_recs++;
	st->n_live++;
	cnet_vindex_note(st, st->n_recs - 1);
	return 0;
fail:
	free(own);
	return r == -ENOMEM ? cnet_err(st->ctx, r, "out of memory") : r;
}

void cnet_srec_del(struct cnet_store *st, const char *id)
{
	long k = find_live(st, id);

	if (k < 0)
		return;
	st->recs[k].dead = true;
	st->n_live--;
}

/* What tells a record this command changed from one it only read. */
static uint64_t text_hash(const char *t, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ n; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)t[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static void set_base(struct cnet_srec *s)
{
	s->base = text_hash(s->text, s->len);
	s->has_base = true;
}

int cnet_srec_view_marks(struct cnet_store *st, struct cnet_view_mark **out, size_t *n)
{
	*n = 0;
	*out = malloc((st->n_loaded + 1) * sizeof(**out));
	if (!*out)
		return cnet_err(st->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < st->n_loaded; i++) {
		const struct cnet_srec *s = &st->recs[st->loaded_k[i]];
		if (!s->loaded || !s->has_base || !*s->id)
			continue;
		memcpy((*out)[*n].id, s->id, sizeof(s->id));
		(*out)[(*n)++].base = s->base;
	}
	return 0;
}

void cnet_srec_view_restore(struct cnet_store *st, const struct cnet_view_mark *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long k = find_live(st, m[i].id);
		bool gone = k < 0;
		if (gone) {
			/* deleted meanwhile: a dead record holds what the view's
			 * copy started from, so that an unchanged copy is not
			 * written back */
			char t[32], *own;
			int len = snprintf(t, sizeof(t), "{\"id\":\"%s\"}", m[i].id);
			if (!(own = strdup(t)) || cnet_srec_put(st, own, (size_t)len, own) < 0)
				continue;
			/* the store owns own now (put keeps or frees it) */
			cnet_srec_del(st, m[i].id); /* NOLINT(clang-analyzer-unix.Malloc) */
			k = find(st, m[i].id);
		}
		if (k < 0 || set_loaded(st, (size_t)k) < 0)
			continue;
		st->recs[k].foreign = !gone && text_hash(st->recs[k].text, st->recs[k].len) != m[i].base;
		st->recs[k].base = m[i].base;
		st->recs[k].has_base = true;
	}
}

void cnet_srec_free_all(struct cnet_store *st)
{
	cnet_vindex_free(&st->by_ino);
	cnet_vindex_free(&st->by_parent);
	for (size_t k = 0; k < st->n_recs; k++)
		free(st->recs[k].own);
	free(st->recs);
	free(st->hash);
	free(st->loaded_k);
	st->loaded_k = NULL;
	st->n_loaded = st->cap_loaded = 0;
	st->recs = NULL;
	st->hash = NULL;
	st->n_recs = st->cap_recs = st->n_live = st->hcap = 0;
}

/* ---- the view ------------------------------------------------------------ */

static int view_init(struct cnet_store *st)
{
	if (st->doc)
		return 0;
	st->doc = cJSON_CreateObject();
	if (!st->doc || !(st->records = cJSON_AddArrayToObject(st->doc, "records")))
		return cnet_err(st->ctx, -ENOMEM, "out of memory");
	return 0;
}

/* The view's record with this id, if it is there. */
static cJSON *in_view(const struct cnet_store *st, const char *id)
{
	cJSON *rec;

	cJSON_ArrayForEach(rec, st->records)
	{
		if (!strcmp(cnet_json_str(rec, "id"), id))
			return rec;
	}
	return NULL;
}

static int materialize(struct cnet_store *st, size_t k, cJSON **out)
{
	struct cnet_srec *s = &st->recs[k];
	cJSON *rec = NULL;
	int r = view_init(st);

	if (r < 0)
		return r;
	if (s->loaded) {
		/* not in the view any more: this command deleted it */
		rec = in_view(st, s->id);
		if (out)
			*out = rec;
		return rec || !out ? 0 : -ENOENT;
	}
	rec = cJSON_ParseWithLength(s->text, s->len);
	if (!cJSON_IsObject(rec)) {
		cJSON_Delete(rec);
		return store_err(st, -EBADMSG, "holds a record that is not a JSON object; left untouched");
	}
	r = set_loaded(st, k);
	if (r < 0) {
		cJSON_Delete(rec);
		return r;
	}
	set_base(s);
	cJSON_AddItemToArray(st->records, rec);
	if (out)
		*out = rec;
	return 0;
}

/* needle at q, and not the start of a longer number when it ends in one */
static bool whole_at(const char *q, size_t n, const char *end)
{
	return !(q[n - 1] >= '0' && q[n - 1] <= '9') || q + n == end || q[n] < '0' || q[n] > '9';
}

/* fn(st, k, arg) for each live record whose current text has needle: one
 * search over the snapshot's bytes, then each record the journal wrote.
 * A first cut: callers test the parsed record. Stops at fn's nonzero. */
static int each_with(struct cnet_store *st, const char *needle,
		     int (*fn)(struct cnet_store *st, size_t k, void *arg), void *arg)
{
	size_t n = strlen(needle);
	const char *p = st->snap, *end = st->snap + st->snap_len, *q;
	int r;

	while (st->n_snap && p < end && (q = memmem(p, (size_t)(end - p), needle, n))) {
		long k = cnet_snap_rec_at(st, q);
		p = q + 1;
		if (k < 0 || !whole_at(q, n, end))
			continue;
		p = st->recs[k].stext + st->recs[k].slen; /* one hit a record */
		if (st->recs[k].dead || st->recs[k].own)
			continue; /* gone, or its newer text is searched below */
		if ((r = fn(st, (size_t)k, arg)))
			return r;
	}
	for (size_t k = 0; k < st->n_recs; k++) {
		const struct cnet_srec *s = &st->recs[k];
		if (s->dead || s->text == s->stext)
			continue;
		for (p = s->text, end = s->text + s->len; (q = memmem(p, (size_t)(end - p), needle, n));
		     p = q + 1)
			if (whole_at(q, n, end)) {
				if ((r = fn(st, k, arg)))
					return r;
				break;
			}
	}
	return 0;
}

static int load_one(struct cnet_store *st, size_t k, void *arg)
{
	(void)arg;
	return st->recs[k].loaded ? 0 : materialize(st, k, NULL);
}

static int load_with(struct cnet_store *st, const char *needle)
{
	int r = view_init(st);

	return r < 0 ? r : each_with(st, needle, load_one, NULL);
}

int cnet_store_load_netns(struct cnet_store *st, const struct cnet_target *t)
{
	char needle[40], value[24];
	bool indexed;
	int r = view_init(st);

	if (r < 0 || t->fd < 0)
		return r;
	snprintf(value, sizeof(value), "%llu", t->ino);
	r = cnet_vindex_each(st, &st->by_ino, value, load_one, NULL, &indexed);
	if (indexed)
		return r;
	snprintf(needle, sizeof(needle), "\"ino\":%llu", t->ino);
	return load_with(st, needle);
}

int cnet_store_load_text(struct cnet_store *st, const char *key, const char *value)
{
	cJSON *v = cJSON_CreateString(value);
	char *quoted = v ? cJSON_PrintUnformatted(v) : NULL, *needle = NULL;
	int r = -ENOMEM;

	if (quoted && (needle = malloc(strlen(key) + strlen(quoted) + 4))) {
		sprintf(needle, "\"%s\":%s", key, quoted);
		r = load_with(st, needle);
	} else {
		r = cnet_err(st->ctx, r, "out of memory");
	}
	free(needle);
	free(quoted);
	cJSON_Delete(v);
	return r;
}

int cnet_store_load_all(struct cnet_store *st)
{
	int r = view_init(st);

	for (size_t k = 0; r == 0 && k < st->n_recs; k++)
		if (!st->recs[k].dead && !st->recs[k].loaded)
			r = materialize(st, k, NULL);
	return r;
}

void cnet_store_drop_view(struct cnet_store *st)
{
	for (size_t i = 0; i < st->n_loaded; i++)
		st->recs[st->loaded_k[i]].loaded = st->recs[st->loaded_k[i]].has_base = false;
	st->n_loaded = 0;
	if (st->records)
		while (st->records->child)
			cJSON_Delete(cJSON_DetachItemViaPointer(st->records, st->records->child));
}

const char *cnet_record_text(const struct cnet_store *st, const char *id, size_t *len)
{
	long k = find_live(st, id);

	if (k < 0)
		return NULL;
	*len = st->recs[k].len;
	return st->recs[k].text;
}

bool cnet_store_has(const struct cnet_store *st, const char *id)
{
	return find_live(st, id) >= 0;
}

cJSON *cnet_record_by_id(struct cnet_store *st, const char *id)
{
	long k = find_live(st, id);
	cJSON *rec = NULL;

	if (k < 0) /* a record of this command's own, not appended yet */
		return st->records ? in_view(st, id) : NULL;
	if (materialize(st, (size_t)k, &rec) < 0)
		return NULL; /* unreadable, or deleted by this command */
	return rec;
}

int cnet_record_ids(struct cnet_ctx *ctx, struct cnet_store *st, const char *needle,
		    bool (*keep)(const cJSON *rec, const void *arg), const void *arg, char (**ids)[9],
		    int *n)
{
	size_t nlen = needle ? strlen(needle) : 0;

	*n = 0;
	*ids = calloc(st->n_live + 1, sizeof(**ids));
	if (!*ids)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	for (size_t k = 0; k < st->n_recs; k++) {
		const struct cnet_srec *s = &st->recs[k];
		bool take = !s->dead && *s->id && (!nlen || memmem(s->text, s->len, needle, nlen));
		if (take && keep) {
			/* parsed to be tested, not kept: a walk holds one at a time */
			cJSON *rec = cJSON_ParseWithLength(s->text, s->len);
			take = rec && keep(rec, arg);
			cJSON_Delete(rec);
		}
		if (take)
			memcpy((*ids)[(*n)++], s->id, 9);
	}
	return 0;
}

bool cnet_record_is_child(const struct cnet_store *st, const cJSON *rec)
{
	const char *of = cnet_json_str(rec, "slave_of");

	return *of && (find_live(st, of) >= 0 || (st->records && in_view(st, of)));
}

bool cnet_record_hand_over(struct cnet_store *st, const cJSON *self, const char *name_key,
			   const char *const *keys, size_t n_keys)
{
	const cJSON *self_host = cJSON_GetObjectItemCaseSensitive(self, "host");
	const char *name = cnet_json_str(self_host, name_key);
	cJSON *rec, *host;

	if (!*name || cnet_store_load_text(st, name_key, name) < 0)
		return false;
	cJSON_ArrayForEach(rec, st->records)
	{
		host = cJSON_GetObjectItemCaseSensitive(rec, "host");
		if (rec == self || !cJSON_IsObject(host) || strcmp(cnet_json_str(host, name_key), name))
			continue;
		for (size_t i = 0; i < n_keys; i++) {
			cJSON *v = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(self_host, keys[i]), true);
			cJSON_DeleteItemFromObjectCaseSensitive(host, keys[i]);
			if (v)
				cJSON_AddItemToObject(host, keys[i], v);
		}
		return true;
	}
	return false;
}

/* Test builds: the next of the ids in $CNET_FAULT_IDS (comma-separated),
 * handed out before random ones, so that a test can make one collide. */
static bool test_id(struct cnet_ctx *ctx, char id[9])
{
#ifdef CNET_FAULT_INJECTION
	const char *p = ctx->fault_ids;
	size_t n = p ? strcspn(p, ",") : 0;

	if (!p || !*p)
		return false;
	ctx->fault_ids = p + n + (p[n] == ',');
	if (n != 8 || strspn(p, "0123456789abcdef") < 8)
		return false;
	memcpy(id, p, 8);
	id[8] = '\0';
	return true;
#else
	(void)ctx;
	(void)id;
	return false;
#endif
}

static int found(struct cnet_store *st, size_t k, void *arg)
{
	(void)st;
	(void)k;
	(void)arg;
	return 1;
}

/* Some record names id as its composite's. */
static bool named_as_parent(struct cnet_store *st, const char *id)
{
	char needle[24];

	bool indexed;
	int r = cnet_vindex_each(st, &st->by_parent, id, found, NULL, &indexed);

	if (indexed)
		return r != 0;
	snprintf(needle, sizeof(needle), "\"slave_of\":\"%s\"", id);
	return each_with(st, needle, found, NULL) != 0;
}

int cnet_new_id(struct cnet_ctx *ctx, struct cnet_store *st, char id[9])
{
	/* 32 random bits: a second try is needed once in 4 billion per record. */
	for (int tries = 0; tries < 100; tries++) {
		unsigned char b[4];

		if (!test_id(ctx, id)) {
			if (getrandom(b, sizeof(b), 0) != sizeof(b))
				return cnet_err(ctx, -errno, "cannot get random bytes: %s", strerror(errno));
			snprintf(id, 9, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
		}
		if (find_live(st, id) < 0 && !(st->records && in_view(st, id)) && !named_as_parent(st, id))
			return 0;
	}
	return cnet_errc(ctx, CNET_ERR_STORE, -EEXIST, "state store %s: no free record id found",
			 st->path);
}

/* ---- save: what the view changed ----------------------------------------- */

/* Keys another cnet gave a record of ours while we held it (a bridge or
 * VLAN lower handed over by a detach: the duty to remove it) survive our
 * write of it. */
static void keep_foreign(const struct cnet_srec *s, cJSON *rec)
{
	cJSON *disk = cJSON_ParseWithLength(s->text, s->len), *k;
	cJSON *dh = cJSON_GetObjectItemCaseSensitive(disk, "host");
	cJSON *h = cJSON_GetObjectItemCaseSensitive(rec, "host");

	if (cJSON_IsObject(dh) && cJSON_IsObject(h))
		cJSON_ArrayForEach(k, dh)
		{
			if (!cJSON_GetObjectItemCaseSensitive(h, k->string))
				cJSON_AddItemToObject(h, k->string, cJSON_Duplicate(k, true));
		}
	cJSON_Delete(disk);
}

/* One entry: CRC32C of the JSON, a space, the JSON, a newline. */
static int add_entry(struct cnet_changes *c, const char *json, size_t n)
{
	if (c->len + n + 11 > c->cap) {
		size_t cap = (c->len + n + 11) * 2;
		char *b = realloc(c->buf, cap);
		if (!b)
			return -ENOMEM;
		c->buf = b;
		c->cap = cap;
	}
	snprintf(c->buf + c->len, 10, "%08x ", cnet_crc32c(json, n));
	memcpy(c->buf + c->len + 9, json, n);
	c->buf[c->len + 9 + n] = '\n';
	c->len += n + 10;
	return 0;
}

static int add_change(struct cnet_changes *c, const char *id, char *text)
{
	if (c->n == c->n_cap) {
		size_t cap = c->n_cap * 2 + 8;
		struct cnet_change *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->n_cap = cap;
	}
	memcpy(c->v[c->n].id, id, 9);
	c->v[c->n++].text = text;
	return 0;
}

static int diff_put(struct cnet_store *st, struct cnet_changes *c, cJSON *rec)
{
	const char *id = cnet_json_str(rec, "id");
	long k = find_live(st, id), b = k >= 0 ? k : find(st, id);
	char *text, *json;
	size_t tl;
	int r;

	if (!valid_id(id, strlen(id)))
		return 0;
	text = cJSON_PrintUnformatted(rec);
	if (!text)
		return -ENOMEM;
	tl = strlen(text);
	if (b >= 0 && st->recs[b].loaded && st->recs[b].has_base && st->recs[b].base == text_hash(text, tl)) {
		/* only read by this command: never written back over what
		 * another cnet made of it meanwhile (changed, or deleted) */
		st->recs[b].seen = st->gen;
		free(text);
		return 0;
	}
	if (k >= 0 && st->recs[k].foreign) {
		keep_foreign(&st->recs[k], rec);
		free(text);
		if (!(text = cJSON_PrintUnformatted(rec)))
			return -ENOMEM;
		tl = strlen(text);
	}
	if (k >= 0 && st->recs[k].loaded) {
		st->recs[k].seen = st->gen;
		if (tl == st->recs[k].len && !memcmp(text, st->recs[k].text, tl)) {
			free(text);
			return 0;
		}
	}
	json = malloc(tl + 9);
	if (!json) {
		free(text);
		return -ENOMEM;
	}
	r = add_entry(c, json, (size_t)sprintf(json, "{\"put\":%s}", text));
	free(json);
	if (r == 0)
		r = add_change(c, id, text);
	if (r < 0)
		free(text);
	return r;
}

void cnet_store_put_back(struct cnet_store *st, const char *id)
{
	long b = find(st, id);

	if (b >= 0)
		st->recs[b].has_base = false;
}

int cnet_srec_diff(struct cnet_store *st, struct cnet_changes *c)
{
	cJSON *rec;
	int r = 0;

	memset(c, 0, sizeof(*c));
	st->gen++;
	cJSON_ArrayForEach(rec, st->records)
	{
		if ((r = diff_put(st, c, rec)) < 0)
			return r;
	}
	for (size_t i = 0; r == 0 && i < st->n_loaded; i++) {
		struct cnet_srec *s = &st->recs[st->loaded_k[i]];
		char json[32];
		if (s->dead || !s->loaded || s->seen == st->gen)
			continue;
		s->seen = st->gen; /* once */
		r = add_entry(c, json, (size_t)snprintf(json, sizeof(json), "{\"del\":\"%s\"}", s->id));
		if (r == 0)
			r = add_change(c, s->id, NULL);
	}
	return r;
}

/* Written: the store in memory says what the journal now says. */
int cnet_srec_commit(struct cnet_store *st, struct cnet_changes *c)
{
	int r = 0;

	for (size_t i = 0; i < c->n; i++) {
		char *text = c->v[i].text;
		long k;
		c->v[i].text = NULL;
		if (!text) {
			cnet_srec_del(st, c->v[i].id);
			st->n_dels++;
			continue;
		}
		st->n_puts++;
		if (r != 0) {
			free(text);
			continue;
		}
		r = cnet_srec_put(st, text, strlen(text), text); /* owns text, even on failure */
		if (r == 0 && (k = find_live(st, c->v[i].id)) >= 0 && (r = set_loaded(st, (size_t)k)) == 0) {
			st->recs[k].foreign = false;
			st->recs[k].seen = st->gen;
			set_base(&st->recs[k]);
		}
	}
	st->n_entries += (unsigned int)c->n;
	return r;
}

void cnet_changes_free(struct cnet_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].text);
	free(c->v);
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
