/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"
#include "rule.h"
#include "unit.h"

TEST(test_parse_ip_v4_with_prefix, "an IPv4 CIDR parses to family, bytes and prefix length")
{
	struct cnet_ip ip;

	CHECK(cnet_parse_ip("10.1.2.3/16", true, &ip) == 0);
	CHECK(ip.family == AF_INET && ip.plen == 16);
	CHECK(ip.a[0] == 10 && ip.a[1] == 1 && ip.a[2] == 2 && ip.a[3] == 3);
}

TEST(test_parse_ip_v6_with_prefix, "an IPv6 CIDR parses and prints back canonically")
{
	char buf[CNET_IPSTRLEN];
	struct cnet_ip ip;

	CHECK(cnet_parse_ip("FD00:0::0002/64", true, &ip) == 0);
	CHECK(ip.family == AF_INET6 && ip.plen == 64);
	CHECK(!strcmp(cnet_ip_str(&ip, true, buf), "fd00::2/64"));
}

TEST(test_parse_ip_rejects_bad_input, "bad addresses and prefix lengths are refused")
{
	static const char *bad[] = {"", "/24", "10.0.0.1", "10.0.0.1/", "10.0.0.1/33", "10.0.0.1/-1",
				    "10.0.0.1/2x", "10.0.0.256/24", "fd00::1/129", "hello/8",
				    "10.0.0.1/24/1", "10.0.0.1 /24", "1.2.3/8", "10.0.0.1/+8"};
	struct cnet_ip ip;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(cnet_parse_ip(bad[i], true, &ip) == -EINVAL);
	CHECK(cnet_parse_ip("10.0.0.1/24", false, &ip) == -EINVAL);
}

TEST(test_parse_route_with_via, "DEST/PLEN@VIA parses both parts; families must agree")
{
	struct cnet_route rt;

	CHECK(cnet_parse_route("192.168.5.0/24@10.0.0.1", &rt) == 0);
	CHECK(rt.dst.plen == 24 && rt.has_via && rt.via.a[3] == 1);
	CHECK(cnet_parse_route("0.0.0.0/0", &rt) == 0 && !rt.has_via);
	CHECK(cnet_parse_route("192.168.5.0/24@fd00::1", &rt) == -EINVAL);
	CHECK(cnet_parse_route("192.168.5.0/24@", &rt) == -EINVAL);
	CHECK(cnet_parse_route("192.168.5.0@10.0.0.1", &rt) == -EINVAL);
	CHECK(cnet_parse_route("default@fd00::1", &rt) == 0);
	CHECK(rt.dst.family == AF_INET6 && rt.dst.plen == 0 && rt.has_via);
	CHECK(cnet_parse_route("default", &rt) == -EINVAL);
}

TEST(test_parse_mac, "MACs need six colon-separated hex pairs, nothing more")
{
	unsigned char m[6];

	CHECK(cnet_parse_mac("02:aB:00:11:22:ff", m) == 0 && m[1] == 0xab && m[5] == 0xff);
	CHECK(cnet_parse_mac("02:ab:00:11:22", m) == -EINVAL);
	CHECK(cnet_parse_mac("02:ab:00:11:22:ff:00", m) == -EINVAL);
	CHECK(cnet_parse_mac("02-ab-00-11-22-ff", m) == -EINVAL);
	CHECK(cnet_parse_mac("2:ab:00:11:22:fff", m) == -EINVAL);
	CHECK(cnet_parse_mac("0x:ab:00:11:22:ff", m) == -EINVAL);
}

TEST(test_ifname_rules, "interface names: 1-15 bytes, no '/', ':' or spaces, not . or ..")
{
	CHECK(cnet_ifname_ok("eth1"));
	CHECK(cnet_ifname_ok("a23456789012345"));
	CHECK(!cnet_ifname_ok("a234567890123456"));
	CHECK(!cnet_ifname_ok(""));
	CHECK(!cnet_ifname_ok("a/b"));
	CHECK(!cnet_ifname_ok("a:b"));
	CHECK(!cnet_ifname_ok("a b"));
	CHECK(!cnet_ifname_ok("."));
	CHECK(!cnet_ifname_ok(".."));
	CHECK(!cnet_ifname_ok("\xc3\xa9th"));
}

TEST(test_prefix_membership, "an address is inside a prefix only when the masked bits match")
{
	struct cnet_ip p, a;

	cnet_parse_ip("10.1.0.0/16", true, &p);
	cnet_parse_ip("10.1.255.1", false, &a);
	CHECK(cnet_ip_in_prefix(&a, &p));
	cnet_parse_ip("10.2.0.1", false, &a);
	CHECK(!cnet_ip_in_prefix(&a, &p));
	cnet_parse_ip("10.1.2.3/23", true, &p);
	cnet_parse_ip("10.1.3.200", false, &a);
	CHECK(cnet_ip_in_prefix(&a, &p));
	cnet_parse_ip("10.1.4.1", false, &a);
	CHECK(!cnet_ip_in_prefix(&a, &p));
	cnet_parse_ip("fd00::1", false, &a);
	CHECK(!cnet_ip_in_prefix(&a, &p));
	cnet_parse_ip("fe80::1", false, &a);
	CHECK(cnet_ip_is_v6_linklocal(&a));
}

TEST(test_parse_uint_bounds, "numbers: digits only, within the bound")
{
	unsigned long v;

	CHECK(cnet_parse_uint("1500", 65535, &v) == 0 && v == 1500);
	CHECK(cnet_parse_uint("65536", 65535, &v) == -EINVAL);
	CHECK(cnet_parse_uint("-1", 65535, &v) == -EINVAL);
	CHECK(cnet_parse_uint("", 65535, &v) == -EINVAL);
	CHECK(cnet_parse_uint("99999999999999999999999", 65535, &v) == -EINVAL);
}

TEST(test_utc_stamp, "a record's time stamp is gmtime's, across leap days, centuries and before 1970")
{
	static const long long at[] = {0, -1, 951782400, 951868799, 4107542400LL, -2208988800LL,
				       253402300799LL, 1796067815};
	char want[48], got[48];
	struct tm tm;

	if (sizeof(time_t) < 8)
		return; /* the years beyond 2038 are not gmtime's to compare */
	for (long long t = -86400LL * 800; t < 86400LL * 366 * 500; t += 86400LL * 13 + 3607) {
		time_t tt = (time_t)t;
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		cnet_utc_stamp(t, got);
		CHECK(!strcmp(got, want));
	}
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		time_t tt = (time_t)at[i];
		gmtime_r(&tt, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		cnet_utc_stamp(at[i], got);
		CHECK(!strcmp(got, want));
	}
}

TEST(test_rule_found_notes, "a record's rules_found: noted once in canonical form, told apart, removed to nothing")
{
	cJSON *rec = cJSON_CreateObject();
	struct cnet_rule a, a2, b;

	CHECK(rec);
	CHECK(cnet_parse_rule("from=10.61.0.0/24,table=100,priority=1000", &a) == 0);
	CHECK(cnet_parse_rule("from=10.61.0.0/24,table=100,priority=1000", &a2) == 0);
	CHECK(cnet_parse_rule("from=10.61.0.0/24,table=100", &b) == 0); /* any priority: another rule */
	CHECK(!cnet_rule_found(rec, &a));
	cnet_rule_note_found(rec, &a, true);
	cnet_rule_note_found(rec, &a2, true);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rec, "rules_found")) == 1);
	CHECK(cnet_rule_found(rec, &a2));
	CHECK(!cnet_rule_found(rec, &b));
	cnet_rule_note_found(rec, &b, false); /* not there: nothing changes */
	CHECK(cnet_rule_found(rec, &a));
	cnet_rule_note_found(rec, &a2, false);
	CHECK(!cJSON_GetObjectItemCaseSensitive(rec, "rules_found"));
	cJSON_Delete(rec);
}
