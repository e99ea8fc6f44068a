/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The state store on disk: a snapshot and a journal.
 *
 * PATH, the snapshot: one JSON document, {"schema":3,"records":[ and then
 * one record per line: readable, jq-able, and cheap to split without
 * parsing. Written only whole (temporary file, fsync, rename, fsync of the
 * directory), by a compaction or a migration.
 *
 * PATH.journal: "cnet-journal 1", then one entry per line, "CRC32C JSON"
 * with JSON {"put":RECORD} or {"del":"ID"}, in a file preallocated with
 * NUL bytes; the first NUL ends it. A command appends what it changed in
 * one write and makes it durable with one fdatasync (a pending record
 * needs none: it only has to survive a killed cnet). Replay: the
 * snapshot's records, then each entry in order (a put replaces the record
 * with its id in place, or appends it). A last entry cut short or
 * garbled (a crash while writing it) is ignored and overwritten by the
 * next writer; a bad entry with a good one after it is a store error, and
 * nothing is written. Once the journal outgrows the snapshot (and 256
 * KiB), the writer folds it into a new snapshot and starts a new journal;
 * a crash between the two replays the old journal over the new snapshot,
 * which changes nothing (replay is idempotent).
 *
 * Readers (ls, show, dry runs) lock nothing: they open the journal first,
 * then the snapshot (an old journal over a new snapshot is the same
 * store), and a half-written last entry looks torn.
 *
 * Locks, always taken in this order, never the other way round:
 *  1. a PF's lock (sriov: pf.c), before anything else;
 *  2. a target's lock: an OFD lock on one byte of PATH.lock (its offset
 *     from the target's network namespace), held across everything done
 *     to that target, DHCP and DAD included;
 *  3. the store lock: flock on PATH.lock, held while reading and appending
 *     and across the host-side kernel work that decides on other records
 *     (a shared bridge or VLAN lower, a VF), let go across every wait:
 *     DHCP, DAD, resolv.conf, an engine's answer. Taken again, it reads
 *     what others appended meanwhile.
 * reapply only tries a target's lock, and moves on when another cnet holds it.
 *
 * Files are 0600 and never opened through a symlink. A store that does
 * not parse, or comes from a newer schema, is never overwritten. One from
 * an older schema is migrated: its bytes are first kept, durably, in a
 * backup beside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"

#define STORE_MAX (64u << 20)
#define SNAP_HEAD "{\"schema\":3,\"records\":[\n"
#define SNAP_TAIL "]}\n"
#define JOURNAL_HEAD "cnet-journal 1\n"
#define JOURNAL_CHUNK (256u << 10) /* preallocated at a time */
#define COMPACT_MIN (256u << 10)
/* A journal no compaction can fold (a record in it that is not JSON)
 * grows with every write: past this, a writer is refused as it starts
 * (one command's writes may take it to twice this), well before STORE_MAX
 * makes the store unreadable. */
#define JOURNAL_CAP (STORE_MAX / 4)

static int store_err(struct cnet_ctx *ctx, int r, const char *path, const char *what)
{
	return cnet_errc(ctx, CNET_ERR_STORE, r, "state store %s: %s", path, what);
}

static int make_dir(struct cnet_ctx *ctx, const char *path)
{
	char *copy = strdup(path), *dir;
	struct stat st;
	int r = 0;

	if (!copy)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	dir = dirname(copy);
	if (stat(dir, &st) < 0) {
		if (errno != ENOENT || (mkdir(dir, 0700) < 0 && errno != EEXIST))
			r = store_err(ctx, -errno, path, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		r = store_err(ctx, -ENOTDIR, path, "its directory is not a directory");
	}
	free(copy);
	return r;
}

char *cnet_store_journal_path(const struct cnet_store *st)
{
	char *p = malloc(strlen(st->path) + 9);

	if (p)
		sprintf(p, "%s.journal", st->path);
	return p;
}

/* ---- reading ------------------------------------------------------------- */

/* A file's bytes (NUL-terminated); *buf NULL if it does not exist. */
static int slurp(struct cnet_ctx *ctx, const char *path, int fd, char **buf, size_t *len,
		 struct stat *sb)
{
	ssize_t n;
	size_t got = 0;

	*buf = NULL;
	*len = 0;
	if (fstat(fd, sb) < 0 || !S_ISREG(sb->st_mode) || (size_t)sb->st_size > STORE_MAX)
		return store_err(ctx, -EINVAL, path, "not a regular file of sane size");
	*buf = malloc((size_t)sb->st_size + 1);
	if (!*buf)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	while (got < (size_t)sb->st_size &&
	       (n = pread(fd, *buf + got, (size_t)sb->st_size - got, (off_t)got)) > 0)
		got += (size_t)n;
	(*buf)[got] = '\0';
	*len = got;
	return 0;
}

static int open_file(struct cnet_ctx *ctx, const char *path, int flags, int *fd)
{
	*fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC);
	if (*fd >= 0 || errno == ENOENT)
		return 0;
	return store_err(ctx, -errno, path, errno == ELOOP ? "is a symlink; refusing it" : strerror(errno));
}

/* The snapshot as cnet writes it: one record per line. 1: not in that
 * form (parsed whole instead). */
static int scan_snapshot(struct cnet_store *st)
{
	const char *p = st->snap, *end = st->snap + st->snap_len, *nl;
	size_t hl = strlen(SNAP_HEAD), n;
	int r;

	if (st->snap_len < hl || memcmp(p, SNAP_HEAD, hl))
		return 1;
	r = cnet_srec_reserve(st, st->snap_len / 256 + 16); /* records are longer */
	if (r < 0)
		return r;
	for (p += hl; p < end; p = nl + 1) {
		size_t len;
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			return 1;
		len = (size_t)(nl - p);
		if (len == 2 && !memcmp(p, "]}", 2)) {
			st->n_snap = st->n_recs;
			return nl + 1 == end ? 0 : 1;
		}
		if (len && p[len - 1] == ',')
			len--;
		if (len < 2 || p[0] != '{' || p[len - 1] != '}')
			return 1;
		n = st->n_recs;
		r = cnet_srec_put(st, p, len, NULL);
		if (r < 0)
			return r;
		if (st->n_recs == n)
			return 1; /* an id twice: the whole-document checks say so */
		st->recs[n].stext = p;
		st->recs[n].slen = len;
	}
	return 1;
}

/* Any other snapshot: a whole document (an older schema, a hand-made
 * one), checked and migrated in memory, each record as compact text. */
static int parse_snapshot(struct cnet_store *st)
{
	cJSON *rec;
	int r;

	cnet_srec_free_all(st);
	st->n_snap = 0;
	r = cnet_store_parse(st->ctx, st, st->snap, st->snap_len);
	if (r < 0)
		goto out;
	st->snap_whole = true;
	r = 0;
	cJSON_ArrayForEach(rec, st->records)
	{
		char *text = cJSON_PrintUnformatted(rec);
		if (!text) {
			r = cnet_err(st->ctx, -ENOMEM, "out of memory");
			break;
		}
		r = cnet_srec_put(st, text, strlen(text), text);
		if (r < 0)
			break;
	}
out:
	cJSON_Delete(st->doc);
	st->doc = st->records = NULL;
	return r;
}

/* As cnet_store_read_bytes, the snapshot's bytes given (malloc'd, NUL
 * after them). */
static int read_owned(struct cnet_store *st, char *snap, size_t snap_len, const char *journal,
		      size_t journal_len)
{
	size_t hl = strlen(JOURNAL_HEAD);
	int r = 0;

	if (snap) {
		free(st->snap);
		st->snap = snap;
		st->snap_len = st->snap_file = snap_len;
		if ((r = scan_snapshot(st)) > 0)
			r = parse_snapshot(st);
	}
	if (r == 0 && journal) {
		if (journal_len < hl || memcmp(journal, JOURNAL_HEAD, hl))
			r = store_err(st->ctx, -EBADMSG, st->path, "its journal is not a cnet journal; left untouched");
		else
			r = cnet_journal_read(st, journal + hl, journal_len - hl, hl);
	}
	return r;
}

int cnet_store_read_bytes(struct cnet_store *st, const char *snap, size_t snap_len,
			  const char *journal, size_t journal_len)
{
	char *copy = NULL;

	if (snap) {
		copy = malloc(snap_len + 1);
		if (!copy)
			return cnet_err(st->ctx, -ENOMEM, "out of memory");
		memcpy(copy, snap, snap_len);
		copy[snap_len] = '\0';
	}
	return read_owned(st, copy, snap_len, journal, journal_len);
}

/* Read both files: the journal first (see the top). */
/* The journal's identity now, as stat says (0: none). */
static unsigned long long journal_now(const char *jpath)
{
	struct stat sb;

	return stat(jpath, &sb) < 0 ? 0 : (unsigned long long)sb.st_ino;
}

/* Read both files: the journal first (see the top). A reader that saw a
 * compaction start a new journal meanwhile reads again: the snapshot it
 * read may be newer than what the old journal still holds. */
int cnet_store_load_files(struct cnet_store *st)
{
	struct cnet_ctx *ctx = st->ctx;
	char *jpath = cnet_store_journal_path(st), *jbuf = NULL, *sbuf = NULL;
	size_t jlen = 0, slen = 0;
	struct stat sb;
	int fd = -1, r, tries = 0;

	if (!jpath)
		return cnet_err(ctx, -ENOMEM, "out of memory");
again:
	r = open_file(ctx, jpath, st->read_only ? O_RDONLY : O_RDWR, &st->jfd);
	if (r == 0 && st->jfd >= 0 && (r = slurp(ctx, jpath, st->jfd, &jbuf, &jlen, &sb)) == 0) {
		st->jdev = sb.st_dev;
		st->jino = sb.st_ino;
		st->jsize = jlen;
	}
	if (r == 0 && !st->locked)
		cnet_fault_pause(); /* test builds: a writer goes on here */
	if (r == 0)
		r = open_file(ctx, st->path, O_RDONLY, &fd);
	if (r == 0 && fd >= 0)
		r = slurp(ctx, st->path, fd, &sbuf, &slen, &sb);
	if (fd >= 0)
		close(fd);
	fd = -1;
	if (r == 0 && !st->locked && st->jino != journal_now(jpath) && ++tries < 100) {
		free(sbuf);
		free(jbuf);
		sbuf = jbuf = NULL;
		if (st->jfd >= 0)
			close(st->jfd);
		st->jfd = -1;
		st->jino = 0;
		goto again;
	}
	if (r == 0 && !st->locked && st->jfd >= 0) {
		/* Without the lock, the journal again: a compaction may have
		 * put in a snapshot that already holds entries appended to
		 * the journal after our first read (the journal is not
		 * replaced yet, or we would have read again). The journal it
		 * folded no longer grows: read whole, it replays over the new
		 * snapshot to the same records. */
		free(jbuf);
		jbuf = NULL;
		r = slurp(ctx, jpath, st->jfd, &jbuf, &jlen, &sb);
		st->jsize = jlen;
	}
	if (r == 0) {
		r = read_owned(st, sbuf, slen, jbuf, jlen);
		sbuf = NULL;
	}
	free(sbuf);
	free(jbuf);
	free(jpath);
	if (r == 0)
		st->loaded = true;
	return r;
}

int cnet_store_load_snapshot_only(struct cnet_store *st)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat sb;
	int fd = -1, r = open_file(st->ctx, st->path, O_RDONLY, &fd);

	if (r == 0 && fd >= 0)
		r = slurp(st->ctx, st->path, fd, &buf, &len, &sb);
	if (fd >= 0)
		close(fd);
	if (r == 0) {
		r = read_owned(st, buf, len, NULL, 0);
		buf = NULL;
	}
	free(buf);
	return r;
}

/* The journal from jend to its end, or to where NULs start that go on for
 * 4 KiB (its room: the rest is NULs, unless a crash tore an entry with
 * NULs inside, whose bytes then end within those 4 KiB). NULL: errno. */
static char *read_tail(struct cnet_store *st, size_t size, size_t *len)
{
	size_t want = 0, got = 0;
	char *buf = NULL, *z;

	do {
		char *b;
		ssize_t n;
		want = want ? want * 8 : 8192;
		if (want > size - st->jend)
			want = size - st->jend;
		if (!(b = realloc(buf, want + 1))) {
			free(buf);
			errno = ENOMEM;
			return NULL;
		}
		buf = b;
		for (; got < want; got += (size_t)n)
			if ((n = pread(st->jfd, buf + got, want - got, (off_t)(st->jend + got))) <= 0)
				break;
		if (got < want) {
			want = got; /* shorter than it said: what there is */
			break;
		}
		z = memchr(buf, '\0', got);
	} while (got < size - st->jend && (!z || (size_t)(buf + got - z) < 4096));
	*len = want;
	return buf;
}

/* Nothing appended since we read: the journal's next bytes are still the
 * NULs of its room. (Writers append at the end of the last good entry, so
 * with no torn entry there, a NUL there means nothing new.) */
static bool room_at_end(struct cnet_store *st)
{
	char b[64];
	ssize_t n = pread(st->jfd, b, sizeof(b), (off_t)st->jend);

	if (n <= 0)
		return false;
	for (ssize_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* What other cnets appended since we read (the journal grown in place),
 * or, after a compaction (a new journal), everything again; the view
 * stays, its records known by id. */
static int refresh(struct cnet_store *st)
{
	char *jpath = NULL, *buf = NULL;
	unsigned int n_entries = st->n_entries;
	size_t jtorn = st->jtorn;
	struct stat sb;
	bool same;
	int r = 0;

	/* The journal we hold is still the store's while its name is it: a
	 * compaction renames another over it (or removes it). By the name,
	 * not by a link count: a hard link made from outside (a backup's)
	 * keeps a replaced journal's count above 0. */
	if (!(jpath = cnet_store_journal_path(st)))
		return cnet_err(st->ctx, -ENOMEM, "out of memory");
	same = stat(jpath, &sb) < 0 ? st->jino == 0 && errno == ENOENT
				    : st->jino == sb.st_ino && st->jdev == sb.st_dev;
	if (!same) {
		cJSON *doc = st->doc;
		struct cnet_view_mark *marks;
		size_t n_marks;
		if ((r = cnet_srec_view_marks(st, &marks, &n_marks)) < 0)
			goto out;
		st->rereads++;
		cnet_srec_free_all(st);
		free(st->snap);
		st->snap = NULL;
		st->snap_len = st->snap_file = st->n_snap = 0;
		if (st->jfd >= 0)
			close(st->jfd);
		st->jfd = -1;
		st->jino = st->jdev = 0;
		st->jend = st->jsize = st->jtorn = 0;
		st->doc = st->records = NULL;
		r = cnet_store_load_files(st);
		st->doc = doc;
		st->records = cJSON_GetObjectItemCaseSensitive(doc, "records");
		if (r == 0)
			cnet_srec_view_restore(st, marks, n_marks);
		free(marks);
	} else if (st->jfd >= 0 && (size_t)sb.st_size > st->jend) {
		size_t len;
		st->jsize = (size_t)sb.st_size;
		if (jtorn == 0 && room_at_end(st))
			goto out;
		buf = read_tail(st, (size_t)sb.st_size, &len);
		if (!buf)
			r = store_err(st->ctx, -errno, st->path, strerror(errno));
		else
			r = cnet_journal_read(st, buf, len, st->jend);
		if (st->n_entries != n_entries || st->jtorn != jtorn)
			st->rereads++;
	}
out:
	free(buf);
	free(jpath);
	return r;
}

/* ---- relock ---- */

static size_t journal_cap(const struct cnet_ctx *ctx)
{
	return ctx->journal_cap ? ctx->journal_cap : JOURNAL_CAP;
}

int cnet_store_relock(struct cnet_store *st)
{
	int r = cnet_store_lock(st);

	if (r == 0)
		r = st->loaded ? (st->read_only ? 0 : refresh(st)) : cnet_store_load_files(st);
	/* A migration (its backup first) is written now. A journal past the
	 * limit is folded now, or the command refused before it changes
	 * anything, with the reason folding fails. */
	if (r == 0 && !st->read_only && (st->migrated_from || st->jend > journal_cap(st->ctx)))
		r = cnet_store_compact_now(st);
	return r;
}

/* ---- open and close -------------------------------------------------------- */

int cnet_store_init(struct cnet_ctx *ctx, struct cnet_store *st, bool read_only)
{
	char lock[PATH_MAX];
	int r;

	memset(st, 0, sizeof(*st));
	st->ctx = ctx;
	st->lock_fd = st->jfd = -1;
	st->read_only = read_only;
	st->by_ino.key = "\"ino\":";
	st->by_parent.key = "\"slave_of\":\"";
	st->path = strdup(ctx->state_path);
	if (!st->path)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", st->path) >= sizeof(lock))
		return store_err(ctx, -ENAMETOOLONG, st->path, "path too long");
	if (read_only) {
		/* only to see which targets other cnets are working on */
		st->lock_fd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		return 0;
	}
	r = make_dir(ctx, st->path);
	if (r < 0)
		return r;
	st->lock_fd = open(lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_CREAT, 0600);
	if (st->lock_fd < 0)
		return store_err(ctx, -errno, lock,
				 errno == ELOOP ? "lock file is a symlink; refusing it" : strerror(errno));
	return 0;
}

int cnet_store_open(struct cnet_ctx *ctx, struct cnet_store *st, bool read_only)
{
	int r = cnet_store_init(ctx, st, read_only);

	return r < 0 ? r : cnet_store_relock(st);
}

void cnet_store_close(struct cnet_store *st)
{
	cJSON_Delete(st->doc);
	st->doc = st->records = NULL;
	cnet_srec_free_all(st);
	free(st->snap);
	st->snap = NULL;
	if (st->jfd >= 0)
		close(st->jfd);
	st->jfd = -1;
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* lets every lock go */
	st->lock_fd = -1;
	st->locked = false;
	st->tlock = 0;
	free(st->path);
	st->path = NULL;
}

/* ---- writing --------------------------------------------------------------- */

/* A new, empty journal in place of the old one (a snapshot first, if
 * there is none: the store's main file always exists once written). */
static int new_journal(struct cnet_store *st, size_t room)
{
	struct cnet_ctx *ctx = st->ctx;
	char *jpath = cnet_store_journal_path(st);
	size_t hl = strlen(JOURNAL_HEAD), zeros = JOURNAL_CHUNK;
	struct stat sb = {0};
	int r = 0;

	if (!jpath)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	while (zeros < room + hl)
		zeros += JOURNAL_CHUNK;
	if (access(st->path, F_OK) < 0)
		r = cnet_store_write_whole(ctx, st->path, SNAP_HEAD SNAP_TAIL, strlen(SNAP_HEAD SNAP_TAIL), NULL, 0, 0);
	if (r == 0)
		r = cnet_store_write_whole(ctx, jpath, JOURNAL_HEAD, hl, NULL, 0, zeros - hl);
	if (r == 0) {
		if (st->jfd >= 0)
			close(st->jfd);
		st->jfd = open(jpath, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (st->jfd < 0 || fstat(st->jfd, &sb) < 0)
			r = store_err(ctx, -errno, jpath, strerror(errno));
	}
	if (r == 0) {
		st->jdev = sb.st_dev;
		st->jino = sb.st_ino;
		st->jsize = (size_t)sb.st_size;
		st->jend = hl;
		st->jtorn = 0;
		st->n_entries = st->n_puts = st->n_dels = 0;
		st->unsynced = false;
	}
	free(jpath);
	return r;
}

/* Entries at the journal's end, one write; a torn last entry overwritten
 * with NULs; room made 256 KiB at a time. */
static int append(struct cnet_store *st, const char *buf, size_t len)
{
	struct cnet_ctx *ctx = st->ctx;
	size_t cover = len > st->jtorn ? len : st->jtorn, want = st->jend + cover;
	char *w;
	ssize_t n;
	int r;

	if (st->jfd < 0 && (r = new_journal(st, len)) < 0)
		return r;
	r = cnet_fault_point(ctx, CNET_FAULT_STORE, "append to the state journal");
	if (r < 0)
		return r;
	w = calloc(1, cover + (want > st->jsize ? JOURNAL_CHUNK : 0));
	if (!w)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	memcpy(w, buf, len);
	if (want > st->jsize)
		cover += JOURNAL_CHUNK; /* the file grows: its new room is NULs too */
	n = pwrite(st->jfd, w, cover, (off_t)st->jend);
	free(w);
	if (n != (ssize_t)cover) {
		/* what did get written is a torn entry to the next reader,
		 * and to our own next append, which must cover it */
		r = n < 0 ? -errno : -EIO;
		if (n > 0 && (size_t)n > st->jtorn)
			st->jtorn = (size_t)n < len ? (size_t)n : len;
		return store_err(ctx, r, st->path, strerror(-r));
	}
	if (st->jend + cover > st->jsize)
		st->jsize = st->jend + cover;
	st->jend += len;
	st->jtorn = 0;
	st->unsynced = true;
	return 0;
}

int cnet_store_sync(struct cnet_store *st)
{
	if (!st->unsynced || st->jfd < 0)
		return 0;
	if (fdatasync(st->jfd) < 0)
		return store_err(st->ctx, -errno, st->path, strerror(errno));
	st->unsynced = false;
	return 0;
}

/* The live records as a snapshot, and a new journal. */
int cnet_store_compact_now(struct cnet_store *st)
{
	struct cnet_ctx *ctx = st->ctx;
	size_t hl = strlen(SNAP_HEAD), len = hl + strlen(SNAP_TAIL), at;
	char *text;
	int r;

	if (st->migrated_from) {
		/* the old bytes, as read, kept first */
		r = cnet_store_backup(ctx, st, st->snap ? st->snap : "", st->snap_len, st->migrated_from);
		if (r < 0)
			return r;
	}
	/* The snapshot stays one JSON document: every record parsed first
	 * (a hand-made entry with a right CRC may hold anything). */
	for (size_t k = 0; k < st->n_recs; k++) {
		cJSON *o;
		if (st->recs[k].dead)
			continue;
		o = cJSON_ParseWithLength(st->recs[k].text, st->recs[k].len);
		if (!cJSON_IsObject(o)) {
			cJSON_Delete(o);
			return store_err(ctx, -EBADMSG, st->path,
					 "holds a record that is not a JSON object; left untouched (see cnet store check)");
		}
		cJSON_Delete(o);
		len += st->recs[k].len + 2;
	}
	text = malloc(len + 1);
	if (!text)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	at = (size_t)sprintf(text, "%s", SNAP_HEAD);
	for (size_t k = 0; k < st->n_recs; k++) {
		if (st->recs[k].dead)
			continue;
		if (at > hl) { /* the line before ends in a comma */
			text[at - 1] = ',';
			text[at++] = '\n';
		}
		memcpy(text + at, st->recs[k].text, st->recs[k].len);
		at += st->recs[k].len;
		text[at++] = '\n';
	}
	at += (size_t)sprintf(text + at, "%s", SNAP_TAIL);
	r = cnet_fault_point(ctx, CNET_FAULT_STORE, "write the state snapshot");
	if (r == 0)
		r = cnet_store_write_whole(ctx, st->path, text, at, NULL, 0, 0);
	free(text);
	if (r == 0)
		r = cnet_fault_point(ctx, CNET_FAULT_STORE, "start a new journal");
	if (r == 0)
		r = new_journal(st, 0);
	if (r == 0) {
		st->snap_file = at; /* the records' texts still point into the bytes read */
		st->migrated_from = 0;
	}
	return r;
}

int cnet_store_save(struct cnet_ctx *ctx, struct cnet_store *st)
{
	struct cnet_changes c;
	int r;

	if (st->read_only)
		return 0;
	if (!st->locked && (r = cnet_store_relock(st)) < 0)
		return r;
	r = cnet_srec_diff(st, &c);
	if (r < 0) {
		cnet_changes_free(&c);
		return cnet_err(ctx, r, "out of memory");
	}
	if (c.len && st->jend + c.len > 2 * journal_cap(ctx)) {
		/* one command's writes past the limit: one more try to fold */
		r = cnet_store_compact_now(st);
		if (r < 0) {
			cnet_changes_free(&c);
			return r;
		}
	}
	if (c.len) {
		r = append(st, c.buf, c.len);
		if (r == 0)
			r = cnet_srec_commit(st, &c);
	}
	cnet_changes_free(&c);
	if (r == 0 && !st->volatile_write)
		r = cnet_store_sync(st);
	/* Folded once the journal outgrows the snapshot: written, the change
	 * stands whatever becomes of that. */
	if (r == 0 && (ctx->compact_bytes ? st->jend > ctx->compact_bytes
					  : st->jend > COMPACT_MIN && st->jend > st->snap_file) &&
	    cnet_store_compact_now(st) < 0)
		cnet_clear_err(ctx); /* the next write tries again */
	return r;
}

