/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: the state store's bytes (a snapshot, and a journal
 * from "cnet-journal 1" on), as load() checks, migrates and replays them,
 * then every record as reapply, detach and gc read it (the attach it
 * describes, rebuilt through every setter; its lease; whether it is a
 * composite's child; the snapshot of ids walks take, and each found again). A store is written by cnet, but it is a file on disk an
 * admin may edit, and reapply runs as root from cron: it must refuse what
 * it cannot use, never crash on it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cnet_ctx *ctx;
	struct cnet_store st;
	const char *jr;
	char *buf;
	cJSON *rec;

	if (!ctx && (cnet_ctx_new(&ctx) < 0 || cnet_ctx_set_state_path(ctx, "fuzz.json") < 0))
		abort();
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	cnet_clear_err(ctx);
	if (cnet_store_init(ctx, &st, true) < 0)
		abort();
	jr = memmem(buf, size, "cnet-journal 1\n", 15);
	if (cnet_store_read_bytes(&st, buf, jr ? (size_t)(jr - buf) : size, jr,
				  jr ? size - (size_t)(jr - buf) : 0) >= 0 &&
	    cnet_store_load_all(&st) >= 0) {
		cJSON_ArrayForEach(rec, st.records)
		{
			struct cnet_attach *att = cnet_attach_from_record(ctx, rec);
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(rec, "dhcp");
			struct cnet_lease l;
			if (att)
				cnet_attach_free(att);
			(void)cnet_record_is_child(&st, rec);
			if (cnet_lease_from_json(cJSON_GetObjectItemCaseSensitive(d, "lease"), &l) == 0 &&
			    l.plen > 32)
				abort(); /* a lease with an impossible prefix must be refused */
			cnet_clear_err(ctx);
		}
		char (*ids)[9] = NULL;
		int n = 0;
		if (cnet_record_ids(ctx, &st, NULL, NULL, NULL, &ids, &n) == 0)
			for (int i = 0; i < n; i++)
				if (!cnet_record_by_id(&st, ids[i]))
					abort(); /* every id walked is found again */
		free(ids);
	}
	cnet_store_close(&st);
	free(buf);
	return 0;
}
