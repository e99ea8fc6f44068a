/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure parsing and formatting of what users type; no I/O, unit-tested. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cnet-internal.h"

bool cnet_ifname_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p == ':' || isspace(*p) || *p < 0x20 || *p >= 0x7f)
			return false;
	return true;
}

CNET_EXPORT int cnet_check_ifname(struct cnet_ctx *ctx, const char *name)
{
	cnet_clear_err(ctx);
	if (!name || !cnet_ifname_ok(name))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "invalid interface name '%s' (1-15 bytes, no '/', ':' or spaces)",
				 name ? name : "");
	return 0;
}

int cnet_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int cnet_parse_ip(const char *s, bool with_plen, struct cnet_ip *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	unsigned long plen;
	size_t n;

	memset(out, 0, sizeof(*out));
	slash = strchr(s, '/');
	if (with_plen != !!slash)
		return -EINVAL;
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, out->a) == 1) {
		out->family = AF_INET;
		out->plen = 32;
	} else if (inet_pton(AF_INET6, buf, out->a) == 1) {
		out->family = AF_INET6;
		out->plen = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		if (cnet_parse_uint(slash + 1, out->plen, &plen) < 0)
			return -EINVAL;
		out->plen = plen;
	}
	return 0;
}

/* DEST/PLEN[@VIA]; "default@VIA" stands for 0.0.0.0/0 or ::/0 by VIA's family. */
/* ",metric=N" and ",table=N" (or "table=main") after a route */
static int route_extras(char *p, struct cnet_route *out)
{
	char *end;
	unsigned long v;

	while (p && *p) {
		char *next = strchr(p, ',');
		unsigned int *field = !strncmp(p, "metric=", 7) ? &out->metric
				      : !strncmp(p, "table=", 6) ? &out->table : NULL;
		if (next)
			*next++ = '\0';
		if (!field || *field)
			return -EINVAL; /* unknown, or given twice */
		p = strchr(p, '=') + 1;
		if (field == &out->table && !strcmp(p, "main")) {
			*field = 254; /* RT_TABLE_MAIN */
		} else {
			errno = 0;
			v = strtoul(p, &end, 10);
			if (!isdigit((unsigned char)*p) || *end || errno || v == 0 || v > UINT32_MAX)
				return -EINVAL;
			*field = (unsigned int)v;
		}
		p = next;
	}
	return 0;
}

int cnet_parse_route(const char *s, struct cnet_route *out)
{
	char buf[2 * INET6_ADDRSTRLEN + 64];
	char *at, *comma;

	memset(out, 0, sizeof(*out));
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	comma = strchr(buf, ',');
	if (comma) {
		*comma = '\0';
		if (route_extras(comma + 1, out) < 0)
			return -EINVAL;
	}
	if (out->table == 254)
		out->table = 0; /* main is the default */
	at = strchr(buf, '@');
	if (at) {
		*at = '\0';
		if (cnet_parse_ip(at + 1, false, &out->via) < 0)
			return -EINVAL;
		out->has_via = true;
	}
	if (!strcmp(buf, "default")) {
		if (!out->has_via)
			return -EINVAL;
		out->dst.family = out->via.family;
		out->dst.plen = 0;
	} else if (cnet_parse_ip(buf, true, &out->dst) < 0) {
		return -EINVAL;
	}
	if (out->has_via && out->via.family != out->dst.family)
		return -EINVAL;
	return 0;
}

char *cnet_route_str(const struct cnet_route *rt, char buf[CNET_ROUTESTRLEN])
{
	size_t n;

	cnet_ip_str(&rt->dst, true, buf);
	n = strlen(buf);
	if (rt->has_via) {
		buf[n++] = '@';
		cnet_ip_str(&rt->via, false, buf + n);
		n = strlen(buf);
	}
	if (rt->metric)
		n += (size_t)snprintf(buf + n, CNET_ROUTESTRLEN - n, ",metric=%u", rt->metric);
	if (rt->table)
		snprintf(buf + n, CNET_ROUTESTRLEN - n, ",table=%u", rt->table);
	return buf;
}

int cnet_parse_mac(const char *s, unsigned char mac[6])
{
	unsigned int b[6];
	char tail;

	/* sscanf's %x cannot fail unseen here: length, separators and
	 * digits are all checked. */
	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], /* NOLINT(cert-err34-c) */
		   &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[(size_t)3 * i]) || !isxdigit((unsigned char)s[(size_t)3 * i + 1]))
			return -EINVAL;
		mac[i] = (unsigned char)b[i];
	}
	return 0;
}

const char *cnet_ip_str(const struct cnet_ip *ip, bool with_plen, char *buf)
{
	inet_ntop(ip->family, ip->a, buf, CNET_IPSTRLEN);
	if (with_plen)
		snprintf(buf + strlen(buf), 8, "/%u", ip->plen);
	return buf;
}

void cnet_mac_str(const unsigned char mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

bool cnet_ip_in_prefix(const struct cnet_ip *addr, const struct cnet_ip *prefix)
{
	unsigned int full = prefix->plen / 8, rest = prefix->plen % 8;

	if (addr->family != prefix->family)
		return false;
	if (memcmp(addr->a, prefix->a, full))
		return false;
	if (rest) {
		unsigned char m = (unsigned char)(0xff << (8 - rest));
		if ((addr->a[full] & m) != (prefix->a[full] & m))
			return false;
	}
	return true;
}

void cnet_ip_mask(struct cnet_ip *ip)
{
	for (unsigned int bit = ip->plen; bit < 128; bit++)
		ip->a[bit / 8] &= (unsigned char)~(0x80 >> (bit % 8));
}

bool cnet_ip_is_v6_linklocal(const struct cnet_ip *ip)
{
	return ip->family == AF_INET6 && ip->a[0] == 0xfe && (ip->a[1] & 0xc0) == 0x80;
}

int cnet_named_value(const struct cnet_named *t, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, t[i].name))
			return t[i].value;
	return -EINVAL;
}

const char *cnet_named_name(const struct cnet_named *t, size_t n, int value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return "unknown";
}
