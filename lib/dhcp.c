/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DHCPv4 messages (RFC 2131, options RFC 2132): a BOOTREQUEST built into a
 * caller's buffer and a BOOTREPLY parsed out of one. No I/O, no allocation.
 *
 * Parsing assumes the worst of every byte: each option's length is checked
 * against the area it sits in before a byte of it is read, the option
 * overload (52) is honoured only in the options field so it cannot point
 * at itself, and strings are refused (or, for the server's message,
 * sanitised) unless they are printable ASCII.
 */
#include <errno.h>
#include <string.h>

#include "dhcp.h"

/* The fixed BOOTP header (RFC 2131 §2, figure 1): byte offsets. */
enum {
	OFF_OP = 0,
	OFF_HTYPE = 1,
	OFF_HLEN = 2,
	OFF_XID = 4,
	OFF_SECS = 8,
	OFF_FLAGS = 10,
	OFF_CIADDR = 12,
	OFF_YIADDR = 16,
	OFF_SIADDR = 20,
	OFF_CHADDR = 28,
	OFF_SNAME = 44,
	OFF_FILE = 108,
	OFF_COOKIE = 236,
	OFF_OPTIONS = 240,
	SNAME_LEN = 64,
	FILE_LEN = 128,
};

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define HTYPE_ETHER 1
#define BOOTP_MIN_LEN 300 /* RFC 951's 64-byte vendor area; some relays drop less */
#define BROADCAST_FLAG 0x8000
#define MAX_MSG_SIZE 1500
#define MAX_HOSTNAME 63

enum {
	OPT_PAD = 0,
	OPT_MASK = 1,
	OPT_ROUTER = 3,
	OPT_DNS = 6,
	OPT_HOSTNAME = 12,
	OPT_DOMAIN = 15,
	OPT_REQUESTED = 50,
	OPT_LEASE = 51,
	OPT_OVERLOAD = 52,
	OPT_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_PRL = 55,
	OPT_MESSAGE = 56,
	OPT_MAX_SIZE = 57,
	OPT_T1 = 58,
	OPT_T2 = 59,
	OPT_CLIENT_ID = 61,
	OPT_END = 255,
};

/* Option 52's bits: which fields hold options besides the options field. */
#define OVERLOAD_FILE 1
#define OVERLOAD_SNAME 2

static const uint8_t cookie[4] = {99, 130, 83, 99};
static const uint8_t prl[] = {OPT_MASK,	 OPT_ROUTER, OPT_DNS, OPT_DOMAIN,
			      OPT_LEASE, OPT_SERVER_ID, OPT_T1, OPT_T2};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *put_opt(uint8_t *p, uint8_t code, const void *data, size_t n)
{
	*p++ = code;
	*p++ = (uint8_t)n;
	memcpy(p, data, n);
	return p + n;
}

static bool sends_prl(uint8_t type)
{
	return type == CNET_DHCPDISCOVER || type == CNET_DHCPREQUEST;
}

/* The length of req's message before padding, or -EINVAL. */
static int request_len(const struct cnet_dhcp_req *req)
{
	size_t n = OFF_OPTIONS + 3 + 1; /* type, end */

	if (req->type != CNET_DHCPDISCOVER && req->type != CNET_DHCPREQUEST &&
	    req->type != CNET_DHCPRELEASE && req->type != CNET_DHCPDECLINE)
		return -EINVAL;
	if (req->client_id_len) {
		/* RFC 2132 §9.14: a type byte and at least one more. */
		if (!req->client_id || req->client_id_len < 2 ||
		    req->client_id_len > CNET_DHCP_MAX_CLIENT_ID)
			return -EINVAL;
		n += 2 + req->client_id_len;
	}
	if (req->requested.s_addr != INADDR_ANY)
		n += 6;
	if (req->server_id.s_addr != INADDR_ANY)
		n += 6;
	if (req->hostname) {
		size_t h = strlen(req->hostname);

		if (h == 0 || h > MAX_HOSTNAME)
			return -EINVAL;
		n += 2 + h;
	}
	if (sends_prl(req->type))
		n += 2 + sizeof(prl) + 4;
	return (int)n;
}

int cnet_dhcp_build(const struct cnet_dhcp_req *req, uint8_t *buf, size_t len)
{
	uint8_t *p;
	int n;

	if (!req || !buf)
		return -EINVAL;
	n = request_len(req);
	if (n < 0)
		return n;
	if (n < BOOTP_MIN_LEN)
		n = BOOTP_MIN_LEN;
	if (len < (size_t)n)
		return -ENOSPC;

	memset(buf, 0, (size_t)n);
	buf[OFF_OP] = BOOTREQUEST;
	buf[OFF_HTYPE] = HTYPE_ETHER;
	buf[OFF_HLEN] = sizeof(req->chaddr);
	put32(buf + OFF_XID, req->xid);
	put16(buf + OFF_SECS, req->secs);
	if (req->broadcast)
		put16(buf + OFF_FLAGS, BROADCAST_FLAG);
	memcpy(buf + OFF_CIADDR, &req->ciaddr.s_addr, 4);
	memcpy(buf + OFF_CHADDR, req->chaddr, sizeof(req->chaddr));
	memcpy(buf + OFF_COOKIE, cookie, sizeof(cookie));

	p = put_opt(buf + OFF_OPTIONS, OPT_TYPE, &req->type, 1);
	if (req->client_id_len)
		p = put_opt(p, OPT_CLIENT_ID, req->client_id, req->client_id_len);
	if (req->requested.s_addr != INADDR_ANY)
		p = put_opt(p, OPT_REQUESTED, &req->requested.s_addr, 4);
	if (req->server_id.s_addr != INADDR_ANY)
		p = put_opt(p, OPT_SERVER_ID, &req->server_id.s_addr, 4);
	if (req->hostname)
		p = put_opt(p, OPT_HOSTNAME, req->hostname, strlen(req->hostname));
	if (sends_prl(req->type)) {
		uint8_t mms[2];

		p = put_opt(p, OPT_PRL, prl, sizeof(prl));
		put16(mms, MAX_MSG_SIZE);
		p = put_opt(p, OPT_MAX_SIZE, mms, sizeof(mms));
	}
	*p = OPT_END;
	return n;
}

/* What the walk over the option areas has seen so far. */
struct parse_state {
	struct cnet_dhcp_msg *msg;
	uint8_t overload;
	bool seen_overload, seen_server_id, seen_domain, seen_message;
};

/* A netmask's prefix length, or -1 if its ones are not contiguous. */
static int mask_plen(uint32_t mask)
{
	uint32_t host = ~mask; /* must be 0...01...1 */
	int plen = 0;

	if (host & (host + 1))
		return -1;
	for (; mask; mask <<= 1)
		plen++;
	return plen;
}

/* Append an option's addresses to a list, keeping the first max of them. */
static int parse_addrs(const uint8_t *v, uint8_t n, struct in_addr *list, unsigned int *count,
		       unsigned int max)
{
	if (n == 0 || n % 4)
		return -EBADMSG;
	for (unsigned int i = 0; i < n / 4u && *count < max; i++)
		memcpy(&list[(*count)++].s_addr, v + (size_t)4 * i, 4);
	return 0;
}

/* A 4-byte number (a time), the first of its option only. */
static int parse_u32(const uint8_t *v, uint8_t n, bool *has, uint32_t *val)
{
	if (*has)
		return 0;
	if (n != 4)
		return -EBADMSG;
	*has = true;
	*val = get32(v);
	return 0;
}

/* Copy a string option: a single trailing NUL (some servers send one) is
 * dropped; anything else outside 0x20..0x7e refuses the message if strict,
 * else becomes '?'. out holds 256 bytes and n is at most 255. */
static int parse_string(const uint8_t *v, uint8_t n, char *out, bool strict)
{
	if (n == 0)
		return -EBADMSG;
	if (v[n - 1] == '\0')
		n--;
	if (strict && n == 0)
		return -EBADMSG;
	for (uint8_t i = 0; i < n; i++) {
		if (v[i] >= 0x20 && v[i] <= 0x7e)
			out[i] = (char)v[i];
		else if (strict)
			return -EBADMSG;
		else
			out[i] = '?';
	}
	out[n] = '\0';
	return 0;
}

static int parse_option(struct parse_state *st, uint8_t code, const uint8_t *v, uint8_t n,
			bool main_area)
{
	struct cnet_dhcp_msg *msg = st->msg;
	int plen;

	switch (code) {
	case OPT_TYPE:
		/* Concatenated (RFC 3396) it could only be longer than 1. */
		if (msg->type || n != 1 || v[0] < CNET_DHCPDISCOVER || v[0] > CNET_DHCPINFORM)
			return -EBADMSG;
		msg->type = v[0];
		return 0;
	case OPT_MASK:
		if (msg->has_mask)
			return 0;
		plen = n == 4 ? mask_plen(get32(v)) : -1;
		if (plen < 0)
			return -EBADMSG;
		msg->has_mask = true;
		msg->plen = (uint8_t)plen;
		return 0;
	case OPT_ROUTER:
		return parse_addrs(v, n, msg->routers, &msg->n_routers, CNET_DHCP_MAX_ROUTERS);
	case OPT_DNS:
		return parse_addrs(v, n, msg->dns, &msg->n_dns, CNET_DHCP_MAX_DNS);
	case OPT_SERVER_ID:
		if (st->seen_server_id)
			return 0;
		if (n != 4)
			return -EBADMSG;
		st->seen_server_id = true;
		memcpy(&msg->server_id.s_addr, v, 4);
		return 0;
	case OPT_LEASE:
		return parse_u32(v, n, &msg->has_lease, &msg->lease);
	case OPT_T1:
		return parse_u32(v, n, &msg->has_t1, &msg->t1);
	case OPT_T2:
		return parse_u32(v, n, &msg->has_t2, &msg->t2);
	case OPT_DOMAIN:
		/* It ends up in resolv.conf: no newline may get through. */
		if (st->seen_domain)
			return 0;
		st->seen_domain = true;
		return parse_string(v, n, msg->domain, true);
	case OPT_MESSAGE:
		if (st->seen_message)
			return 0;
		st->seen_message = true;
		return parse_string(v, n, msg->message, false);
	case OPT_OVERLOAD:
		/* Only the options field may say where more options are; one
		 * in sname or file is ignored, so no field is walked twice. */
		if (!main_area || st->seen_overload)
			return 0;
		if (n != 1 || v[0] < OVERLOAD_FILE || v[0] > (OVERLOAD_FILE | OVERLOAD_SNAME))
			return -EBADMSG;
		st->seen_overload = true;
		st->overload = v[0];
		return 0;
	default:
		return 0; /* unknown or unwanted: ignored */
	}
}

/* Walk one area of options, [p, p + len). Reaching its end without an
 * end option is accepted; an option running past it is not. */
static int parse_area(struct parse_state *st, const uint8_t *p, size_t len, bool main_area)
{
	size_t i = 0;
	int r;

	while (i < len) {
		uint8_t code = p[i], n;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return 0;
		if (len - i < 2)
			return -EBADMSG;
		n = p[i + 1];
		if (len - i - 2 < n)
			return -EBADMSG;
		r = parse_option(st, code, p + i + 2, n, main_area);
		if (r < 0)
			return r;
		i += 2 + (size_t)n;
	}
	return 0;
}

static int parse_reply(const uint8_t *buf, size_t len, struct cnet_dhcp_msg *msg)
{
	struct parse_state st = {.msg = msg};
	int r;

	if (len < OFF_OPTIONS || buf[OFF_OP] != BOOTREPLY || buf[OFF_HTYPE] != HTYPE_ETHER ||
	    buf[OFF_HLEN] != sizeof(msg->chaddr) ||
	    memcmp(buf + OFF_COOKIE, cookie, sizeof(cookie)) != 0)
		return -EBADMSG;
	msg->xid = get32(buf + OFF_XID);
	memcpy(msg->chaddr, buf + OFF_CHADDR, sizeof(msg->chaddr));
	memcpy(&msg->yiaddr.s_addr, buf + OFF_YIADDR, 4);
	memcpy(&msg->siaddr.s_addr, buf + OFF_SIADDR, 4);

	/* RFC 2131 §4.1: the options field, then file, then sname. */
	r = parse_area(&st, buf + OFF_OPTIONS, len - OFF_OPTIONS, true);
	if (r == 0 && (st.overload & OVERLOAD_FILE))
		r = parse_area(&st, buf + OFF_FILE, FILE_LEN, false);
	if (r == 0 && (st.overload & OVERLOAD_SNAME))
		r = parse_area(&st, buf + OFF_SNAME, SNAME_LEN, false);
	if (r < 0)
		return r;
	if (!msg->type)
		return -EBADMSG;
	return 0;
}

int cnet_dhcp_parse(const uint8_t *buf, size_t len, struct cnet_dhcp_msg *msg)
{
	int r;

	if (!msg)
		return -EINVAL;
	memset(msg, 0, sizeof(*msg));
	if (!buf)
		return -EBADMSG;
	r = parse_reply(buf, len, msg);
	if (r < 0)
		memset(msg, 0, sizeof(*msg)); /* nothing half-parsed is left behind */
	return r;
}
