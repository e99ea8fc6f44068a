/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DHCPv4: requests checked byte by byte, and replies parsed, realistic
 * ones and hostile ones alike. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dhcp.h"
#include "unit.h"

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t cookie[4] = {99, 130, 83, 99};
static const uint8_t prl[] = {55, 8, 1, 3, 6, 15, 51, 54, 58, 59};

/* A reply under construction: the header, then options appended. */
struct reply {
	uint8_t b[576];
	size_t len;
};

static void reply_init(struct reply *r, uint8_t op)
{
	memset(r, 0, sizeof(*r));
	r->b[0] = op;
	r->b[1] = 1;
	r->b[2] = 6;
	memcpy(r->b + 4, (const uint8_t[]){0xde, 0xad, 0xbe, 0xef}, 4);
	memcpy(r->b + 16, (const uint8_t[]){192, 168, 1, 50}, 4); /* yiaddr */
	memcpy(r->b + 20, (const uint8_t[]){192, 168, 1, 1}, 4);  /* siaddr */
	memcpy(r->b + 28, mac, 6);
	memcpy(r->b + 236, cookie, 4);
	r->len = 240;
}

static void raw(struct reply *r, const uint8_t *d, size_t n)
{
	memcpy(r->b + r->len, d, n);
	r->len += n;
}

#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define RAW(r, ...) raw(r, BYTES(__VA_ARGS__))
#define OPT(r, code, ...)                                                                \
	do {                                                                             \
		RAW(r, code, sizeof((const uint8_t[]){__VA_ARGS__}));                    \
		RAW(r, __VA_ARGS__);                                                     \
	} while (0)

/* Pad to the BOOTP minimum, as servers do. */
static void reply_end(struct reply *r)
{
	RAW(r, 255);
	if (r->len < 300)
		r->len = 300;
}

static int parse(const struct reply *r, struct cnet_dhcp_msg *m)
{
	return cnet_dhcp_parse(r->b, r->len, m);
}

static bool is_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static bool addr_is(struct in_addr a, const char *s)
{
	return a.s_addr == inet_addr(s);
}

static struct cnet_dhcp_req base_req(uint8_t type)
{
	struct cnet_dhcp_req req = {.type = type, .xid = 0x01020304, .secs = 3};

	memcpy(req.chaddr, mac, 6);
	return req;
}

TEST(test_dhcp_build_discover, "a DISCOVER: BOOTP header, cookie, options in order, padded to 300")
{
	static const uint8_t cid[7] = {1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	struct cnet_dhcp_req req = base_req(CNET_DHCPDISCOVER);
	uint8_t b[576], *o = b + 240;

	req.broadcast = true;
	req.client_id = cid;
	req.client_id_len = sizeof(cid);
	req.hostname = "web1";
	memset(b, 0xaa, sizeof(b));
	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == 300);
	CHECK(b[0] == 1 && b[1] == 1 && b[2] == 6 && b[3] == 0);
	CHECK(!memcmp(b + 4, BYTES(1, 2, 3, 4)));
	CHECK(b[8] == 0 && b[9] == 3);
	CHECK(b[10] == 0x80 && b[11] == 0);
	CHECK(is_zero(b + 12, 16)); /* ciaddr, yiaddr, siaddr, giaddr */
	CHECK(!memcmp(b + 28, mac, 6) && is_zero(b + 34, 10));
	CHECK(is_zero(b + 44, 64 + 128)); /* sname, file */
	CHECK(!memcmp(b + 236, cookie, 4));
	CHECK(!memcmp(o, BYTES(53, 1, 1)));
	o += 3;
	CHECK(o[0] == 61 && o[1] == 7 && !memcmp(o + 2, cid, 7));
	o += 9;
	CHECK(!memcmp(o, BYTES(12, 4, 'w', 'e', 'b', '1')));
	o += 6;
	CHECK(!memcmp(o, prl, sizeof(prl)));
	o += sizeof(prl);
	CHECK(!memcmp(o, BYTES(57, 2, 0x05, 0xdc)));
	o += 4;
	CHECK(o[0] == 255);
	CHECK(is_zero(o + 1, (size_t)(b + 300 - o - 1)));
	CHECK(b[300] == 0xaa); /* nothing written past the length */
}

TEST(test_dhcp_build_request, "a REQUEST (SELECTING): requested address, server id, no broadcast")
{
	struct cnet_dhcp_req req = base_req(CNET_DHCPREQUEST);
	uint8_t b[576], *o = b + 240;

	req.requested.s_addr = inet_addr("192.168.1.50");
	req.server_id.s_addr = inet_addr("192.168.1.1");
	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == 300);
	CHECK(b[0] == 1 && b[10] == 0 && b[11] == 0);
	CHECK(is_zero(b + 12, 4));
	CHECK(!memcmp(o, BYTES(53, 1, 3, 50, 4, 192, 168, 1, 50, 54, 4, 192, 168, 1, 1)));
	o += 15;
	CHECK(!memcmp(o, prl, sizeof(prl)));
	o += sizeof(prl);
	CHECK(!memcmp(o, BYTES(57, 2, 0x05, 0xdc, 255)));
	CHECK(is_zero(o + 5, (size_t)(b + 300 - o - 5)));
}

TEST(test_dhcp_build_release, "a RELEASE: ciaddr set, server id, no parameter list or size")
{
	struct cnet_dhcp_req req = base_req(CNET_DHCPRELEASE);
	uint8_t b[300];

	req.ciaddr.s_addr = inet_addr("192.168.1.50");
	req.server_id.s_addr = inet_addr("192.168.1.1");
	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == 300);
	CHECK(!memcmp(b + 12, BYTES(192, 168, 1, 50)));
	CHECK(!memcmp(b + 240, BYTES(53, 1, 7, 54, 4, 192, 168, 1, 1, 255)));
	CHECK(is_zero(b + 250, 50));
}

TEST(test_dhcp_build_limits, "build: -ENOSPC for a short buffer, -EINVAL for bad input")
{
	static const uint8_t cid[CNET_DHCP_MAX_CLIENT_ID + 1] = {1};
	static const char h63[] = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk";
	struct cnet_dhcp_req req = base_req(CNET_DHCPDISCOVER);
	uint8_t b[576];

	CHECK(sizeof(h63) == 64);
	CHECK(cnet_dhcp_build(&req, b, 299) == -ENOSPC);
	CHECK(cnet_dhcp_build(&req, b, 0) == -ENOSPC);
	/* The longest request: 240 + 3 + 66 + 6 + 6 + 65 + 10 + 4 + 1. */
	req.type = CNET_DHCPREQUEST;
	req.client_id = cid;
	req.client_id_len = CNET_DHCP_MAX_CLIENT_ID;
	req.requested.s_addr = inet_addr("10.0.0.2");
	req.server_id.s_addr = inet_addr("10.0.0.1");
	req.hostname = h63;
	CHECK(cnet_dhcp_build(&req, b, 400) == -ENOSPC);
	CHECK(cnet_dhcp_build(&req, b, 401) == 401);
	CHECK(b[400] == 255 && b[399] == 0xdc);
	req.client_id_len = CNET_DHCP_MAX_CLIENT_ID + 1;
	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == -EINVAL);
	req.client_id_len = 1;
	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == -EINVAL);
	req.client_id = NULL;
	req.client_id_len = 7;
	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == -EINVAL);
	req.client_id_len = 0;
	req.hostname = "";
	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == -EINVAL);
	req.hostname = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl";
	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == -EINVAL);
	req.hostname = NULL;
	req.type = CNET_DHCPOFFER;
	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == -EINVAL);
	req.type = 0;
	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == -EINVAL);
	CHECK(cnet_dhcp_build(NULL, b, sizeof(b)) == -EINVAL);
}

TEST(test_dhcp_parse_refuses_request, "what build makes is a BOOTREQUEST, which parse refuses")
{
	struct cnet_dhcp_req req = base_req(CNET_DHCPDISCOVER);
	struct cnet_dhcp_msg m;
	uint8_t b[300];

	CHECK(cnet_dhcp_build(&req, b, sizeof(b)) == 300);
	CHECK(cnet_dhcp_parse(b, sizeof(b), &m) == -EBADMSG);
	b[0] = 2; /* the same bytes as a reply parse */
	CHECK(cnet_dhcp_parse(b, sizeof(b), &m) == 0 && m.type == CNET_DHCPDISCOVER);
	CHECK(m.xid == 0x01020304);
}

/* An OFFER the way dnsmasq sends it. */
static void dnsmasq_reply(struct reply *r, uint8_t type)
{
	reply_init(r, 2);
	OPT(r, 53, type);
	OPT(r, 54, 192, 168, 1, 1);
	OPT(r, 51, 0x00, 0x01, 0x51, 0x80); /* 86400 */
	OPT(r, 58, 0x00, 0x00, 0xa8, 0xc0); /* 43200 */
	OPT(r, 59, 0x00, 0x01, 0x27, 0x50); /* 75600 */
	OPT(r, 1, 255, 255, 255, 0);
	OPT(r, 28, 192, 168, 1, 255);
	OPT(r, 3, 192, 168, 1, 1);
	OPT(r, 6, 192, 168, 1, 1, 9, 9, 9, 9);
	OPT(r, 15, 'l', 'a', 'n');
	reply_end(r);
}

TEST(test_dhcp_parse_offer, "a dnsmasq OFFER: every field, times in host order")
{
	struct cnet_dhcp_msg m;
	struct reply r;

	dnsmasq_reply(&r, CNET_DHCPOFFER);
	CHECK(parse(&r, &m) == 0);
	CHECK(m.type == CNET_DHCPOFFER && m.xid == 0xdeadbeef && !memcmp(m.chaddr, mac, 6));
	CHECK(addr_is(m.yiaddr, "192.168.1.50") && addr_is(m.siaddr, "192.168.1.1"));
	CHECK(addr_is(m.server_id, "192.168.1.1"));
	CHECK(m.has_lease && m.lease == 86400 && m.has_t1 && m.t1 == 43200);
	CHECK(m.has_t2 && m.t2 == 75600);
	CHECK(m.has_mask && m.plen == 24);
	CHECK(m.n_routers == 1 && addr_is(m.routers[0], "192.168.1.1"));
	CHECK(m.n_dns == 2 && addr_is(m.dns[0], "192.168.1.1") && addr_is(m.dns[1], "9.9.9.9"));
	CHECK(!strcmp(m.domain, "lan") && m.message[0] == '\0');
}

TEST(test_dhcp_parse_ack, "an ACK: trailing NUL dropped, absent options left zero")
{
	struct cnet_dhcp_msg m;
	struct reply r;

	reply_init(&r, 2);
	OPT(&r, 53, 5);
	OPT(&r, 54, 10, 0, 0, 1);
	OPT(&r, 51, 0xff, 0xff, 0xff, 0xff);
	OPT(&r, 1, 255, 255, 255, 252);
	OPT(&r, 3, 10, 0, 0, 1, 10, 0, 0, 2);
	OPT(&r, 15, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g', 0);
	reply_end(&r);
	CHECK(parse(&r, &m) == 0);
	CHECK(m.type == CNET_DHCPACK && addr_is(m.server_id, "10.0.0.1"));
	CHECK(m.has_lease && m.lease == 0xffffffff && !m.has_t1 && !m.has_t2);
	CHECK(m.has_mask && m.plen == 30);
	CHECK(m.n_routers == 2 && addr_is(m.routers[1], "10.0.0.2") && m.n_dns == 0);
	CHECK(!strcmp(m.domain, "example.org"));

	/* No end option, no padding: the packet's end ends the options. */
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	OPT(&r, 1, 255, 255, 255, 255);
	CHECK(parse(&r, &m) == 0 && m.type == CNET_DHCPACK && m.plen == 32);
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	OPT(&r, 1, 0, 0, 0, 0);
	CHECK(parse(&r, &m) == 0 && m.has_mask && m.plen == 0);
}

TEST(test_dhcp_parse_nak, "a NAK: its message kept, non-printable bytes turned into '?'")
{
	struct cnet_dhcp_msg m;
	struct reply r;

	reply_init(&r, 2);
	memset(r.b + 16, 0, 8); /* no yiaddr, siaddr */
	OPT(&r, 53, 6);
	OPT(&r, 54, 192, 168, 1, 1);
	OPT(&r, 56, 'w', 'r', 'o', 'n', 'g', '\n', 'n', 'e', 't', 0xff, 0);
	reply_end(&r);
	CHECK(parse(&r, &m) == 0);
	CHECK(m.type == CNET_DHCPNAK && m.yiaddr.s_addr == 0 && !m.has_lease);
	CHECK(!strcmp(m.message, "wrong?net?"));

	reply_init(&r, 2);
	OPT(&r, 53, 6);
	OPT(&r, 56, 0);
	CHECK(parse(&r, &m) == 0 && m.message[0] == '\0');
}

/* The parse fails, and leaves nothing behind. */
static bool refused(const struct reply *r)
{
	struct cnet_dhcp_msg m;

	memset(&m, 0x5a, sizeof(m));
	return parse(r, &m) == -EBADMSG && is_zero(&m, sizeof(m));
}

/* A reply with a type, then the given option, then the end. */
#define BAD_OPT(...)                                                                     \
	do {                                                                             \
		reply_init(&r, 2);                                                       \
		OPT(&r, 53, 5);                                                          \
		OPT(&r, __VA_ARGS__);                                                    \
		reply_end(&r);                                                           \
		CHECK(refused(&r));                                                      \
	} while (0)

TEST(test_dhcp_parse_bad_header, "refused: short, not a reply, not Ethernet, no magic cookie")
{
	struct reply r;

	dnsmasq_reply(&r, CNET_DHCPOFFER);
	CHECK(cnet_dhcp_parse(r.b, 239, &(struct cnet_dhcp_msg){0}) == -EBADMSG);
	CHECK(cnet_dhcp_parse(r.b, 0, &(struct cnet_dhcp_msg){0}) == -EBADMSG);
	CHECK(cnet_dhcp_parse(NULL, 0, &(struct cnet_dhcp_msg){0}) == -EBADMSG);
	r.b[236] = 98;
	CHECK(refused(&r));
	r.b[236] = 99;
	r.b[0] = 1;
	CHECK(refused(&r));
	r.b[0] = 2;
	r.b[1] = 6;
	CHECK(refused(&r));
	r.b[1] = 1;
	r.b[2] = 16;
	CHECK(refused(&r));
	r.b[2] = 6;
	CHECK(parse(&r, &(struct cnet_dhcp_msg){0}) == 0);
}

TEST(test_dhcp_parse_bad_options, "refused: options past the end, bad or missing type, bad values")
{
	struct reply r;

	/* An option's length running past the end of the packet. */
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	RAW(&r, 6, 8, 1, 1, 1, 1);
	CHECK(refused(&r));
	/* Short by one byte, in the options field and in an overloaded one. */
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	RAW(&r, 6, 4, 1, 1, 1);
	CHECK(refused(&r));
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	OPT(&r, 52, 2);
	reply_end(&r);
	memcpy(r.b + 44 + 59, BYTES(6, 4, 1, 1, 1));
	memcpy(r.b + 108, BYTES(1, 255));
	CHECK(refused(&r));
	/* A code with no room for its length byte. */
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	RAW(&r, 6);
	CHECK(refused(&r));
	/* An unknown option runs past the end just as badly. */
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	RAW(&r, 200, 255);
	CHECK(refused(&r));

	/* Option 53: missing, wrong length, out of range, twice. */
	reply_init(&r, 2);
	OPT(&r, 54, 10, 0, 0, 1);
	reply_end(&r);
	CHECK(refused(&r));
	reply_init(&r, 2);
	OPT(&r, 53, 5, 0);
	reply_end(&r);
	CHECK(refused(&r));
	reply_init(&r, 2);
	RAW(&r, 53, 0, 255);
	CHECK(refused(&r));
	reply_init(&r, 2);
	OPT(&r, 53, 0);
	CHECK(refused(&r));
	reply_init(&r, 2);
	OPT(&r, 53, 9);
	CHECK(refused(&r));
	BAD_OPT(53, 5);

	BAD_OPT(1, 255, 0, 255, 0);	/* mask not contiguous */
	BAD_OPT(1, 0, 255, 255, 255);
	BAD_OPT(1, 255, 255, 255, 254, 0);
	BAD_OPT(1, 255, 255, 255);
	BAD_OPT(3, 10, 0, 0, 1, 10);	/* 5 bytes of routers */
	BAD_OPT(6, 10, 0, 0, 1, 10, 0); /* 6 bytes of servers */
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	RAW(&r, 3, 0, 255);
	CHECK(refused(&r));
	BAD_OPT(51, 0, 1);
	BAD_OPT(58, 0, 0, 0, 1, 0);
	BAD_OPT(59, 1);
	BAD_OPT(54, 10, 0, 0);
	BAD_OPT(15, 'l', 'a', 'n', '\n', 'n', 'a', 'm', 'e', 's', 'e', 'r', 'v', 'e', 'r');
	BAD_OPT(15, 'l', 'a', 'n', 0, 'x');
	BAD_OPT(15, 'l', 0xc3, 0xa4, 'n');
	BAD_OPT(15, '\t');
	BAD_OPT(15, 0); /* empty, once its NUL is gone */
	BAD_OPT(15, 'a', 0, 0);
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	RAW(&r, 15, 0, 255);
	CHECK(refused(&r));
	reply_init(&r, 2);
	OPT(&r, 53, 6);
	RAW(&r, 56, 0, 255);
	CHECK(refused(&r));
}

TEST(test_dhcp_parse_overload, "option 52: file, then sname, each walked once, never again")
{
	struct cnet_dhcp_msg m;
	struct reply r;

	/* file (1): the type and a DNS server live there. */
	reply_init(&r, 2);
	OPT(&r, 52, 1);
	OPT(&r, 6, 1, 1, 1, 1);
	reply_end(&r);
	memcpy(r.b + 108, BYTES(53, 1, 2, 6, 4, 2, 2, 2, 2, 255));
	memcpy(r.b + 44, BYTES(53, 1, 5, 255)); /* sname is not overloaded: not read */
	CHECK(parse(&r, &m) == 0 && m.type == CNET_DHCPOFFER);
	CHECK(m.n_dns == 2 && addr_is(m.dns[0], "1.1.1.1") && addr_is(m.dns[1], "2.2.2.2"));

	/* sname (2). */
	reply_init(&r, 2);
	OPT(&r, 52, 2);
	reply_end(&r);
	memcpy(r.b + 108, BYTES(53, 1, 2, 255)); /* file is not overloaded */
	memcpy(r.b + 44, BYTES(53, 1, 5, 15, 3, 'l', 'a', 'n', 255));
	CHECK(parse(&r, &m) == 0 && m.type == CNET_DHCPACK && !strcmp(m.domain, "lan"));

	/* Both (3): file before sname, whatever their order in the packet. */
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	OPT(&r, 52, 3);
	reply_end(&r);
	memcpy(r.b + 44, BYTES(3, 4, 10, 0, 0, 2));
	memcpy(r.b + 108, BYTES(3, 4, 10, 0, 0, 1));
	CHECK(parse(&r, &m) == 0 && m.n_routers == 2);
	CHECK(addr_is(m.routers[0], "10.0.0.1") && addr_is(m.routers[1], "10.0.0.2"));

	/* An overload inside an overloaded field is ignored: file says 3,
	 * sname says 1 again; each field is walked once and it ends. */
	reply_init(&r, 2);
	OPT(&r, 52, 1);
	reply_end(&r);
	memcpy(r.b + 108, BYTES(52, 1, 3, 53, 1, 5, 255));
	memcpy(r.b + 44, BYTES(6, 4, 8, 8, 8, 8, 52, 1, 1, 255));
	CHECK(parse(&r, &m) == 0 && m.type == CNET_DHCPACK && m.n_dns == 0);
	reply_init(&r, 2);
	OPT(&r, 52, 3);
	reply_end(&r);
	memcpy(r.b + 108, BYTES(52, 1, 3, 53, 1, 5, 52, 1, 7, 255));
	memcpy(r.b + 44, BYTES(52, 1, 1, 6, 4, 8, 8, 8, 8, 52, 1, 2, 255));
	CHECK(parse(&r, &m) == 0 && m.type == CNET_DHCPACK && m.n_dns == 1);

	/* A field with no end option ends at the field's end... */
	reply_init(&r, 2);
	OPT(&r, 52, 2);
	OPT(&r, 53, 5);
	reply_end(&r);
	memset(r.b + 44, 0, 64);
	CHECK(parse(&r, &m) == 0);
	/* ...and an option may not run out of it into the next one. */
	memcpy(r.b + 44 + 58, BYTES(6, 8, 1, 1, 1, 1));
	memcpy(r.b + 108, BYTES(2, 2, 2, 2));
	CHECK(refused(&r));
	reply_init(&r, 2);
	OPT(&r, 52, 1);
	OPT(&r, 53, 5);
	reply_end(&r);
	memcpy(r.b + 108 + 126, BYTES(12, 10));
	CHECK(refused(&r));

	/* Bad overload values. */
	BAD_OPT(52, 0);
	BAD_OPT(52, 4);
	BAD_OPT(52, 1, 1);
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	RAW(&r, 52, 0, 255);
	CHECK(refused(&r));
}

TEST(test_dhcp_parse_lenient, "unknown options ignored, first of fixed options used, lists capped")
{
	struct cnet_dhcp_msg m;
	struct reply r;

	reply_init(&r, 2);
	RAW(&r, 0, 0, 0);			/* pads */
	OPT(&r, 43, 1, 2, 3);			/* vendor-specific */
	OPT(&r, 53, 2);
	OPT(&r, 121, 24, 10, 1, 2, 10, 0, 0, 1); /* classless routes: not ours */
	OPT(&r, 224, 'x');
	RAW(&r, 250, 0);
	OPT(&r, 51, 0, 0, 0x0e, 0x10);
	OPT(&r, 51, 0, 0, 0, 1);
	OPT(&r, 54, 10, 0, 0, 1);
	OPT(&r, 54, 10, 0, 0, 9);
	OPT(&r, 1, 255, 255, 0, 0);
	OPT(&r, 1, 255, 0, 0, 0);
	OPT(&r, 15, 'a');
	OPT(&r, 15, 'b');
	RAW(&r, 255, 53, 7, 0xff); /* after the end: not read */
	CHECK(parse(&r, &m) == 0);
	CHECK(m.type == CNET_DHCPOFFER && m.lease == 3600 && addr_is(m.server_id, "10.0.0.1"));
	CHECK(m.plen == 16 && !strcmp(m.domain, "a"));

	/* Six DNS servers and five routers: the first four of each kept;
	 * a repeated list option adds to the first. */
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	OPT(&r, 6, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6);
	OPT(&r, 3, 10, 0, 0, 1, 10, 0, 0, 2);
	OPT(&r, 3, 10, 0, 0, 3, 10, 0, 0, 4, 10, 0, 0, 5);
	reply_end(&r);
	CHECK(parse(&r, &m) == 0);
	CHECK(m.n_dns == CNET_DHCP_MAX_DNS && addr_is(m.dns[0], "1.1.1.1"));
	CHECK(addr_is(m.dns[3], "4.4.4.4"));
	CHECK(m.n_routers == CNET_DHCP_MAX_ROUTERS && addr_is(m.routers[2], "10.0.0.3"));
	CHECK(addr_is(m.routers[3], "10.0.0.4"));

	/* A 255-byte domain fills the field exactly. */
	reply_init(&r, 2);
	OPT(&r, 53, 5);
	RAW(&r, 15, 255);
	memset(r.b + r.len, 'd', 255);
	r.len += 255;
	CHECK(parse(&r, &m) == 0 && strlen(m.domain) == 255);
}
