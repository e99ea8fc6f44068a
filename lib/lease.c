/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The DHCPv4 client (RFC 2131): one exchange at a time, on an interface
 * inside the target's namespace, through a UDP socket made there: bound
 * to the device and port 68, asking for replies by broadcast while it
 * has no address. The states it goes through: INIT (DISCOVER, OFFER,
 * REQUEST, ACK), INIT-REBOOT (a REQUEST for the address it had),
 * RENEWING (unicast to the server), REBINDING (broadcast), and RELEASE.
 * What it learns is a struct cnet_lease; the caller installs and records it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "lease.h"

struct sock_arg {
	const char *ifname;
	int fd;
};

static int make_socket(struct cnet_ctx *ctx, void *arg)
{
	struct sock_arg *s = arg;
	struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = htons(68)};
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return cnet_err(ctx, -errno, "cannot open a DHCP socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, s->ifname, (socklen_t)strlen(s->ifname) + 1) < 0 ||
	    bind(fd, (struct sockaddr *)&any, sizeof(any)) < 0) {
		int e = errno;
		close(fd);
		return cnet_err(ctx, -e, "cannot set up the DHCP socket on %s: %s", s->ifname, strerror(e));
	}
	s->fd = fd;
	return 0;
}

static int open_socket(const struct cnet_dhcp_client *c, int *fd)
{
	struct sock_arg s = {.ifname = c->ifname, .fd = -1};
	int r = c->ns_fd >= 0 ? cnet_in_netns(c->ctx, c->ns_fd, make_socket, &s) : make_socket(c->ctx, &s);

	if (r < 0) {
		if (s.fd >= 0)
			close(s.fd);
		return r;
	}
	*fd = s.fd;
	return 0;
}

static void base_req(const struct cnet_dhcp_client *c, struct cnet_dhcp_req *req, uint8_t type,
		     uint32_t xid)
{
	memset(req, 0, sizeof(*req));
	req->type = type;
	req->xid = xid;
	memcpy(req->chaddr, c->mac, 6);
	req->client_id = c->client_id;
	req->client_id_len = c->client_id_len;
	req->hostname = c->hostname && *c->hostname ? c->hostname : NULL;
}

static int send_req(const struct cnet_dhcp_client *c, int fd, const struct cnet_dhcp_req *req,
		    struct in_addr to)
{
	uint8_t buf[576];
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(67), .sin_addr = to};
	int n = cnet_dhcp_build(req, buf, sizeof(buf));

	if (n < 0)
		return cnet_err(c->ctx, n, "cannot build a DHCP message");
	if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return cnet_err(c->ctx, -errno, "cannot send a DHCP message on %s: %s", c->ifname,
				strerror(errno));
	return 0;
}

/* Send req, and again with doubling waits (1, 2, 4... s, RFC 2131 4.1
 * asks 4 s at first: a container's attach cannot wait that long for a
 * lost first packet) until a reply of type want (or a NAK) for this
 * transaction comes, or the deadline. 0: reply in *msg; 1: NAK;
 * -ETIMEDOUT. */
static int exchange(const struct cnet_dhcp_client *c, int fd, struct cnet_dhcp_req *req,
		    struct in_addr to, uint8_t want, struct in_addr from_server, uint64_t start,
		    uint64_t deadline, struct cnet_dhcp_msg *msg)
{
	unsigned int wait = 1000;
	int r;

	for (;;) {
		uint64_t t = cnet_now_ms(), next;
		if (t >= deadline)
			return -ETIMEDOUT;
		req->secs = (uint16_t)((t - start) / 1000);
		r = send_req(c, fd, req, to);
		if (r < 0)
			return r;
		next = t + wait;
		if (next > deadline)
			next = deadline;
		wait = wait < 32000 ? wait * 2 : 64000;
		while ((t = cnet_now_ms()) < next) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			uint8_t buf[1500];
			ssize_t n;

			r = poll(&p, 1, (int)(next - t));
			if (r < 0 && errno != EINTR)
				return cnet_err(c->ctx, -errno, "poll: %s", strerror(errno));
			if (r <= 0)
				continue;
			n = recv(fd, buf, sizeof(buf), 0);
			if (n < 0)
				continue;
			/* Anything that is not a well-formed reply to this
			 * transaction, for this client, is ignored. */
			if (cnet_dhcp_parse(buf, (size_t)n, msg) < 0 || msg->xid != req->xid ||
			    memcmp(msg->chaddr, c->mac, 6))
				continue;
			if (from_server.s_addr && msg->server_id.s_addr != from_server.s_addr)
				continue;
			if (msg->type == CNET_DHCPNAK && want == CNET_DHCPACK)
				return 1;
			if (msg->type == want)
				return 0;
		}
	}
}

static uint8_t classful_plen(struct in_addr a)
{
	uint8_t top = (uint8_t)(ntohl(a.s_addr) >> 24);

	return top < 128 ? 8 : top < 192 ? 16 : 24;
}

static int from_ack(const struct cnet_dhcp_client *c, const struct cnet_dhcp_msg *m,
		    struct cnet_lease *l)
{
	memset(l, 0, sizeof(*l));
	if (!m->yiaddr.s_addr || !m->has_lease || !m->server_id.s_addr)
		return cnet_err(c->ctx, -EBADMSG,
				"the DHCP server's ACK lacks an address, a lease time or its identifier");
	l->addr = m->yiaddr;
	l->server = m->server_id;
	l->plen = m->has_mask ? m->plen : classful_plen(m->yiaddr);
	if (m->n_routers) {
		l->router = m->routers[0];
		l->has_router = true;
	}
	l->n_dns = m->n_dns;
	memcpy(l->dns, m->dns, sizeof(l->dns));
	snprintf(l->domain, sizeof(l->domain), "%s", m->domain);
	l->lease = m->lease;
	/* RFC 2131 4.4.5: T1 0.5, T2 0.875 of the lease unless told */
	l->t1 = m->has_t1 ? m->t1 : m->lease / 2;
	l->t2 = m->has_t2 ? m->t2 : (uint32_t)((uint64_t)m->lease * 7 / 8);
	if (l->lease != CNET_LEASE_INFINITE && (l->t2 > l->lease || l->t1 > l->t2)) {
		l->t1 = l->lease / 2;
		l->t2 = (uint32_t)((uint64_t)l->lease * 7 / 8);
	}
	l->obtained = (int64_t)time(NULL);
	return 0;
}

static uint32_t new_xid(void)
{
	uint32_t x;

	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
		x = (uint32_t)cnet_now_ms() ^ (uint32_t)getpid();
	return x;
}

static int timed_out(const struct cnet_dhcp_client *c, const char *what)
{
	return cnet_err(c->ctx, -ETIMEDOUT, "no DHCP %s on %s within %.1f s", what, c->ifname,
			c->timeout_ms / 1000.0);
}

int cnet_dhcp_acquire(const struct cnet_dhcp_client *c, struct in_addr prev, struct cnet_lease *out)
{
	uint64_t start = cnet_now_ms(), deadline = start + c->timeout_ms;
	struct in_addr bcast = {.s_addr = INADDR_BROADCAST}, none = {0};
	struct cnet_dhcp_req req;
	struct cnet_dhcp_msg msg = {0};
	int fd, r, naks = 0;

	r = open_socket(c, &fd);
	if (r < 0)
		return r;
	if (prev.s_addr) {
		/* INIT-REBOOT: ask for the address it had. No answer in a
		 * third of the time (at least 2 s), or a NAK: start over. */
		uint64_t until = start + (c->timeout_ms / 3 > 2000 ? c->timeout_ms / 3 : 2000);
		base_req(c, &req, CNET_DHCPREQUEST, new_xid());
		req.broadcast = true;
		req.requested = prev;
		r = exchange(c, fd, &req, bcast, CNET_DHCPACK, none, start,
			     until < deadline ? until : deadline, &msg);
		if (r == 0) {
			r = from_ack(c, &msg, out);
			goto done;
		}
		if (r < 0 && r != -ETIMEDOUT)
			goto done;
	}
	for (;;) {
		struct in_addr server;
		base_req(c, &req, CNET_DHCPDISCOVER, new_xid());
		req.broadcast = true;
		r = exchange(c, fd, &req, bcast, CNET_DHCPOFFER, none, start, deadline, &msg);
		if (r == -ETIMEDOUT) {
			r = timed_out(c, naks ? "ACK (the server said NAK)" : "server answered");
			goto done;
		}
		if (r < 0)
			goto done;
		if (!msg.yiaddr.s_addr || !msg.server_id.s_addr)
			continue;
		server = msg.server_id;
		req.type = CNET_DHCPREQUEST; /* the same xid: RFC 2131 4.4.1 */
		req.requested = msg.yiaddr;
		req.server_id = server;
		r = exchange(c, fd, &req, bcast, CNET_DHCPACK, server, start, deadline, &msg);
		if (r == 0) {
			r = from_ack(c, &msg, out);
			goto done;
		}
		if (r == -ETIMEDOUT) {
			r = timed_out(c, "ACK");
			goto done;
		}
		if (r < 0)
			goto done;
		naks++; /* NAK: back to INIT */
	}
done:
	close(fd);
	return r;
}

int cnet_dhcp_renew(const struct cnet_dhcp_client *c, const struct cnet_lease *cur, bool rebind,
		    struct cnet_lease *out)
{
	uint64_t start = cnet_now_ms(), deadline = start + c->timeout_ms;
	struct in_addr bcast = {.s_addr = INADDR_BROADCAST}, none = {0};
	struct cnet_dhcp_req req;
	struct cnet_dhcp_msg msg = {0};
	int fd, r;

	r = open_socket(c, &fd);
	if (r < 0)
		return r;
	base_req(c, &req, CNET_DHCPREQUEST, new_xid());
	req.ciaddr = cur->addr;
	r = exchange(c, fd, &req, rebind ? bcast : cur->server, CNET_DHCPACK, rebind ? none : cur->server,
		     start, deadline, &msg);
	close(fd);
	if (r == 1)
		return cnet_err(c->ctx, -ECONNREFUSED, "the DHCP server refused to %s the lease (NAK%s%s)",
				rebind ? "rebind" : "renew", *msg.message ? ": " : "", msg.message);
	if (r == -ETIMEDOUT)
		return timed_out(c, rebind ? "server answered the rebind" : "server answered the renewal");
	if (r < 0)
		return r;
	r = from_ack(c, &msg, out);
	if (r == 0 && out->addr.s_addr != cur->addr.s_addr)
		return cnet_err(c->ctx, -EBADMSG, "the DHCP server renewed with another address");
	return r;
}

int cnet_dhcp_release(const struct cnet_dhcp_client *c, const struct cnet_lease *cur)
{
	struct cnet_dhcp_req req;
	int fd, r;

	r = open_socket(c, &fd);
	if (r < 0)
		return r;
	base_req(c, &req, CNET_DHCPRELEASE, new_xid());
	req.hostname = NULL;
	req.ciaddr = cur->addr;
	req.server_id = cur->server;
	/* Unicast to the server (RFC 2131 4.4.6: it may be behind a relay),
	 * and broadcast too: the unicast one may still wait for the server's
	 * MAC (ARP) when the interface is removed right after, and without
	 * an address on the interface it cannot leave at all. A second
	 * RELEASE finds no lease and is ignored. */
	{
		struct in_addr bcast = {.s_addr = INADDR_BROADCAST};
		bool clean = c->ctx->errclass == CNET_ERR_NONE;
		int u = send_req(c, fd, &req, cur->server);
		if (u < 0 && clean)
			cnet_clear_err(c->ctx);
		r = send_req(c, fd, &req, bcast);
		if (r < 0 && u == 0)
			r = 0;
	}
	close(fd);
	return r;
}

void cnet_dhcp_client_id(uint8_t out[CNET_DHCP_MAX_CLIENT_ID], size_t *len)
{
	uint8_t r[20];

	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (uint8_t)(new_xid() >> 8);
	out[0] = 0xff;		/* RFC 4361 */
	memcpy(out + 1, r, 4);	/* IAID */
	out[5] = 0;
	out[6] = 4;		/* DUID-UUID (RFC 6355) */
	memcpy(out + 7, r + 4, 16);
	*len = 23;
}

int cnet_lease_install(struct cnet_nl *nl, int ifindex, const struct cnet_lease *l)
{
	struct cnet_ip ip = {.family = AF_INET, .plen = l->plen};
	int64_t left = cnet_lease_left(l, l->lease, (int64_t)time(NULL));
	uint32_t lft = l->lease == CNET_LEASE_INFINITE ? CNET_LEASE_INFINITE
		       : left <= 0			 ? 1
							 : (uint32_t)left;

	memcpy(ip.a, &l->addr, 4);
	return cnet_addr_add_lft(nl, ifindex, &ip, lft, lft);
}

/* ---- the lease in a record ----------------------------------------------- */

static void add_addr(cJSON *o, const char *key, struct in_addr a)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	cJSON_AddStringToObject(o, key, buf);
}

cJSON *cnet_lease_to_json(const struct cnet_lease *l)
{
	cJSON *o = cJSON_CreateObject(), *a;
	char buf[INET_ADDRSTRLEN], cidr[INET_ADDRSTRLEN + 8];

	if (!o)
		return NULL;
	inet_ntop(AF_INET, &l->addr, buf, sizeof(buf));
	snprintf(cidr, sizeof(cidr), "%s/%u", buf, l->plen);
	cJSON_AddStringToObject(o, "address", cidr);
	add_addr(o, "server", l->server);
	if (l->has_router)
		add_addr(o, "router", l->router);
	a = cJSON_AddArrayToObject(o, "dns");
	for (unsigned int i = 0; a && i < l->n_dns; i++) {
		inet_ntop(AF_INET, &l->dns[i], buf, INET_ADDRSTRLEN);
		cJSON_AddItemToArray(a, cJSON_CreateString(buf));
	}
	if (*l->domain)
		cJSON_AddStringToObject(o, "domain", l->domain);
	cJSON_AddNumberToObject(o, "lease", l->lease);
	cJSON_AddNumberToObject(o, "t1", l->t1);
	cJSON_AddNumberToObject(o, "t2", l->t2);
	cJSON_AddNumberToObject(o, "obtained", (double)l->obtained);
	return o;
}

static bool get_addr(const cJSON *o, const char *key, struct in_addr *a)
{
	return inet_pton(AF_INET, cnet_json_str(o, key), a) == 1;
}

int cnet_lease_from_json(const cJSON *o, struct cnet_lease *l)
{
	struct cnet_ip ip;
	const cJSON *v;

	memset(l, 0, sizeof(*l));
	if (!cJSON_IsObject(o) || cnet_parse_ip(cnet_json_str(o, "address"), true, &ip) < 0 ||
	    ip.family != AF_INET || !get_addr(o, "server", &l->server))
		return -EINVAL;
	memcpy(&l->addr, ip.a, 4);
	l->plen = (uint8_t)ip.plen;
	l->has_router = get_addr(o, "router", &l->router);
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "dns"))
	{
		if (l->n_dns < CNET_DHCP_MAX_DNS && cJSON_IsString(v) &&
		    inet_pton(AF_INET, v->valuestring, &l->dns[l->n_dns]) == 1)
			l->n_dns++;
	}
	snprintf(l->domain, sizeof(l->domain), "%s", cnet_json_str(o, "domain"));
	l->lease = (uint32_t)cnet_json_int(o, "lease", 0, UINT32_MAX, 0);
	l->t1 = (uint32_t)cnet_json_int(o, "t1", 0, UINT32_MAX, 0);
	l->t2 = (uint32_t)cnet_json_int(o, "t2", 0, UINT32_MAX, 0);
	l->obtained = cnet_json_int(o, "obtained", 0, 1LL << 53, 0);
	return 0;
}

void cnet_dhcp_record(struct cnet_dhcp_ident *att, cJSON *rec, const struct cnet_lease *l)
{
	cJSON *o = cJSON_AddObjectToObject(rec, "dhcp");
	char hex[2 * CNET_DHCP_MAX_CLIENT_ID + 1];

	if (!o)
		return;
	if (!att->client_id_len)
		cnet_dhcp_client_id(att->client_id, &att->client_id_len);
	for (size_t i = 0; i < att->client_id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", att->client_id[i]);
	hex[2 * att->client_id_len] = '\0';
	cJSON_AddStringToObject(o, "client_id", hex);
	if (l)
		cJSON_AddItemToObject(o, "lease", cnet_lease_to_json(l));
}

void cnet_dhcp_from_record(struct cnet_dhcp_ident *att, const cJSON *rec)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(rec, "dhcp");
	const char *hex = cnet_json_str(d, "client_id");
	size_t n = strlen(hex) / 2;
	struct cnet_lease l;

	att->client_id_len = 0;
	if (strlen(hex) % 2 == 0 && n >= 2 && n <= CNET_DHCP_MAX_CLIENT_ID) {
		for (size_t i = 0; i < n; i++) {
			char two[3] = {hex[2 * i], hex[2 * i + 1], '\0'}, *end;
			unsigned long b = strtoul(two, &end, 16);
			if (*end || !isxdigit((unsigned char)two[0]))
				return;
			att->client_id[i] = (uint8_t)b;
		}
		att->client_id_len = n;
	}
	if (cnet_lease_from_json(cJSON_GetObjectItemCaseSensitive(d, "lease"), &l) == 0)
		att->prev = l.addr;
}

int cnet_record_l3(struct cnet_nl *tnl, const cJSON *rec, struct cnet_linkinfo *li)
{
	const cJSON *vl = cJSON_GetObjectItemCaseSensitive(rec, "vlan_link");
	const cJSON *link = vl ? vl : cJSON_GetObjectItemCaseSensitive(rec, "link");
	int r = cnet_link_get(tnl, (int)cnet_json_int(link, "ifindex", 1, INT32_MAX, 0), NULL, li);

	if (r == 0 && strcmp(li->name, vl ? cnet_json_str(vl, "ifname") : cnet_json_str(rec, "ifname")))
		r = -ENODEV;
	return r;
}

/* A client for the record's interface, as it is now. */
static int record_client(struct cnet_ctx *ctx, int ns_fd, struct cnet_nl *tnl, const cJSON *rec,
			 struct cnet_dhcp_ident *att, struct cnet_dhcp_client *c)
{
	struct cnet_linkinfo li;
	int r = cnet_record_l3(tnl, rec, &li);

	if (r < 0)
		return r;
	memset(c, 0, sizeof(*c));
	c->ctx = ctx;
	c->ns_fd = ns_fd;
	snprintf(c->ifname, sizeof(c->ifname), "%s", li.name);
	memcpy(c->mac, li.mac, 6);
	cnet_dhcp_from_record(att, rec);
	c->client_id = att->client_id;
	c->client_id_len = att->client_id_len;
	c->timeout_ms = (unsigned int)cnet_json_int(cJSON_GetObjectItemCaseSensitive(rec, "options"),
						    "dhcp_timeout_ms", 100, 3600000, 10000);
	return 0;
}

void cnet_lease_release_record(struct cnet_ctx *ctx, int ns_fd, struct cnet_nl *tnl, const cJSON *rec,
			       struct cnet_result *res)
{
	struct cnet_dhcp_ident att = {0};
	struct cnet_dhcp_client c;
	struct cnet_lease l;
	bool clean = ctx->errclass == CNET_ERR_NONE;

	if (cnet_lease_from_json(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "dhcp"),
								  "lease"),
				 &l) < 0 ||
	    cnet_lease_left(&l, l.lease, (int64_t)time(NULL)) <= 0)
		return;
	if (record_client(ctx, ns_fd, tnl, rec, &att, &c) < 0 || cnet_dhcp_release(&c, &l) < 0) {
		if (res)
			cnet_result_add_warning(res, "the DHCP lease of %s could not be released: %s",
						cnet_json_str(rec, "ifname"), clean ? ctx->errmsg : "");
		if (clean)
			cnet_clear_err(ctx);
		return;
	}
	if (res)
		cnet_result_add_action(res, "release the DHCP lease of %s", cnet_json_str(rec, "ifname"));
}

static bool unicast(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h && (h >> 24) != 127 && (h >> 28) < 14 && h != INADDR_BROADCAST;
}

/* RFC 1071, over an IPv4 header. */
static uint16_t ip_sum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The client's RELEASE in an Ethernet frame to everyone on the link, from
 * its MAC and address to the server's address, or to all. */
static int send_frame(int fd, int ifindex, const struct cnet_dhcp_client *c,
		      const struct cnet_dhcp_req *req, struct in_addr to)
{
	uint8_t f[14 + 20 + 8 + 576], *ip = f + 14, *udp = f + 34;
	struct sockaddr_ll sa = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				 .sll_ifindex = ifindex, .sll_halen = 6};
	int n = cnet_dhcp_build(req, f + 42, sizeof(f) - 42);
	uint16_t v;

	if (n < 0)
		return cnet_err(c->ctx, n, "cannot build a DHCP message");
	memset(f, 0xff, 6);
	memcpy(f + 6, c->mac, 6);
	f[12] = 0x08, f[13] = 0x00;
	memset(ip, 0, 28);
	ip[0] = 0x45, ip[8] = 64, ip[9] = IPPROTO_UDP;
	v = htons((uint16_t)(28 + n));
	memcpy(ip + 2, &v, 2);
	memcpy(ip + 12, &req->ciaddr, 4);
	memcpy(ip + 16, &to, 4);
	v = htons(ip_sum(ip, 20));
	memcpy(ip + 10, &v, 2);
	udp[1] = 68, udp[3] = 67; /* no UDP checksum: 0 (RFC 768) */
	v = htons((uint16_t)(8 + n));
	memcpy(udp + 4, &v, 2);
	memset(sa.sll_addr, 0xff, 6);
	if (sendto(fd, f, 42 + (size_t)n, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return cnet_err(c->ctx, -errno, "cannot send a DHCP message on %s: %s", c->ifname,
				strerror(errno));
	return 0;
}

int cnet_lease_release_from_host(struct cnet_ctx *ctx, const char *link, const cJSON *rec)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(rec, "dhcp");
	struct cnet_dhcp_client c = {.ctx = ctx, .ns_fd = -1};
	struct cnet_dhcp_ident id = {0};
	struct in_addr all = {.s_addr = INADDR_BROADCAST};
	struct cnet_dhcp_req req;
	struct cnet_lease l;
	int fd, ifindex, r;

	if (cnet_lease_from_json(cJSON_GetObjectItemCaseSensitive(d, "lease"), &l) < 0 ||
	    cnet_lease_left(&l, l.lease, (int64_t)time(NULL)) <= 0)
		return 0;
	/* A lease's addresses came from the wire (or a container that
	 * answered its own client): only a unicast pair is let go. */
	if (!unicast(l.addr) || !unicast(l.server))
		return cnet_err(ctx, -EINVAL, "the recorded lease has no unicast address and server");
	if (cnet_parse_mac(cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "link"), "mac"), c.mac) < 0)
		return cnet_err(ctx, -EINVAL, "no MAC recorded");
	snprintf(c.ifname, sizeof(c.ifname), "%s", link);
	ifindex = (int)if_nametoindex(link);
	if (!ifindex)
		return cnet_err(ctx, -ENODEV, "host link '%s' is gone", link);
	cnet_dhcp_from_record(&id, rec);
	c.client_id = id.client_id;
	c.client_id_len = id.client_id_len;
	base_req(&c, &req, CNET_DHCPRELEASE, new_xid());
	req.ciaddr = l.addr;
	req.server_id = l.server;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: sends only */
	if (fd < 0)
		return cnet_err(ctx, -errno, "cannot open a packet socket: %s", strerror(errno));
	/* to the server, and to all (as from the interface: a second RELEASE
	 * finds no lease) */
	r = send_frame(fd, ifindex, &c, &req, l.server);
	if (r == 0)
		r = send_frame(fd, ifindex, &c, &req, all);
	close(fd);
	return r < 0 ? r : 1;
}

int cnet_lease_maintain(struct cnet_ctx *ctx, int ns_fd, struct cnet_nl *tnl, cJSON *rec, bool force,
			char *reason, size_t len)
{
	cJSON *d = cJSON_GetObjectItemCaseSensitive(rec, "dhcp"), *j;
	struct cnet_dhcp_ident att = {0};
	struct cnet_dhcp_client c;
	struct cnet_lease l, nl;
	struct cnet_linkinfo li;
	int64_t now = (int64_t)time(NULL);
	bool rebind;
	int r;

	if (cnet_lease_from_json(cJSON_GetObjectItemCaseSensitive(d, "lease"), &l) < 0) {
		/* none: released by hand, and only asked for by hand */
		snprintf(reason, len, "no lease");
		return force ? 2 : 0;
	}
	if (cnet_lease_left(&l, l.lease, now) <= 0) {
		/* The kernel has dropped the address, and with the last one
		 * every route through the interface: attach again, asking for
		 * the same address first (INIT-REBOOT). */
		snprintf(reason, len, "lease expired");
		return 2;
	}
	rebind = cnet_lease_left(&l, l.t2, now) <= 0;
	if (!force && cnet_lease_left(&l, l.t1, now) > 0)
		return 0;
	r = record_client(ctx, ns_fd, tnl, rec, &att, &c);
	if (r < 0)
		return r;
	c.hostname = cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"), "hostname");
	r = cnet_dhcp_renew(&c, &l, rebind, &nl);
	snprintf(reason, len, "lease %s", rebind ? "rebound" : "renewed");
	if (r < 0)
		return r;
	r = cnet_record_l3(tnl, rec, &li);
	if (r == 0)
		r = cnet_lease_install(tnl, li.ifindex, &nl);
	if (r < 0)
		return r;
	j = cnet_lease_to_json(&nl);
	if (!j)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	cJSON_ReplaceItemInObjectCaseSensitive(d, "lease", j);
	snprintf(reason + strlen(reason), len - strlen(reason), " for %u s", nl.lease);
	return 1;
}

/* Seconds left before an instant of the lease (at = t1, t2 or lease);
 * negative once past. An infinite lease never gets there. */
int64_t cnet_lease_left(const struct cnet_lease *l, uint32_t at, int64_t now)
{
	if (l->lease == CNET_LEASE_INFINITE)
		return INT64_MAX;
	return l->obtained + (int64_t)at - now;
}
