/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal's entries read: each line "CRC32C JSON", a put of a record
 * or a del of one, applied over the records read so far; where the
 * entries end, and whether what follows is a torn write or damage. The
 * journal's writing is store.c's. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cnet-internal.h"

static bool hex8(const char *s, uint32_t *v)
{
	char buf[9], *end;

	memcpy(buf, s, 8);
	buf[8] = '\0';
	if (strspn(buf, "0123456789abcdef") != 8)
		return false;
	*v = (uint32_t)strtoul(buf, &end, 16);
	return true;
}

/* One entry (without its newline): applied; -EBADMSG if it is not one. */
static int apply_entry(struct cnet_store *st, const char *e, size_t n)
{
	const char *json;
	size_t jl;
	uint32_t crc;
	char *text;

	if (n < 20)
		return -EBADMSG;
	json = e + 9;
	jl = n - 9;
	/* e holds n >= 20 bytes: the analyzer cannot tell */
	if (memcmp(e + 8, " ", 1) || !hex8(e, &crc) || crc != cnet_crc32c(json, jl)) /* NOLINT */
		return -EBADMSG;
	if (!memcmp(json, "{\"put\":{", 8) && json[jl - 1] == '}') {
		text = strndup(json + 7, jl - 8);
		if (!text)
			return cnet_err(st->ctx, -ENOMEM, "out of memory");
		st->n_puts++;
		return cnet_srec_put(st, text, jl - 8, text); /* NOLINT(clang-analyzer-unix.Malloc): owned */
	}
	if (jl == 18 && !memcmp(json, "{\"del\":\"", 8) && !memcmp(json + 16, "\"}", 2)) {
		char id[9];
		memcpy(id, json + 8, 8);
		id[8] = '\0';
		st->n_dels++;
		cnet_srec_del(st, id);
		return 0;
	}
	return -EBADMSG;
}

/* Some line in [p, end) is a whole, good entry. */
static bool good_entry_in(const char *p, const char *end)
{
	const char *nl;
	uint32_t crc;

	for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1) {
		size_t n = (size_t)(nl - p);
		if (n >= 20 && p[8] == ' ' && hex8(p, &crc) && crc == cnet_crc32c(p + 9, n - 9))
			return true;
	}
	return false;
}

/* The journal's bytes from file offset from (buf[0] is at from) to the
 * file's end: its entries applied, up to the first NUL or bad entry.
 * What follows is torn (jtorn: its bytes up to the last non-NUL one,
 * which the next append covers) unless the entries stopped at a complete
 * line that is not a good entry and a good entry follows: that is damage,
 * a store error. A NUL where an entry should go, or inside one, is where
 * a write ended: a killed cnet's (nothing follows), or a power cut's that
 * lost a page of appends not yet synced while a later page reached the
 * disk (entries follow, as unsynced as the lost ones: dropped with it). */
int cnet_journal_read(struct cnet_store *st, const char *buf, size_t len, size_t from)
{
	const char *p = buf, *fend = buf + len, *end = memchr(buf, '\0', len), *nl, *last;
	bool garbled = false;
	uint64_t w;
	int r;

	if (!end)
		end = fend;
	st->jtorn = 0;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break; /* cut short */
		r = apply_entry(st, p, (size_t)(nl - p));
		garbled = (r == -EBADMSG);
		if (garbled)
			break;
		if (r < 0)
			return r;
		st->n_entries++;
	}
	st->jend = from + (size_t)(p - buf);
	/* the last byte that is not NUL: a word at a time over the room */
	for (last = fend; last - p >= 8 && (memcpy(&w, last - 8, 8), !w); last -= 8)
		;
	for (; last > p && !last[-1]; last--)
		;
	if (garbled && last > p && good_entry_in(p + 1, last))
		return cnet_errc(st->ctx, CNET_ERR_STORE, -EBADMSG,
				 "state store %s: its journal has a bad entry before good ones; left untouched (see cnet store check)",
				 st->path);
	st->jtorn = (size_t)(last - p);
	return 0;
}
