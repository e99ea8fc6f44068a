/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cnet as a CNI plugin (/usr/lib/cni/cnet): the protocol over libcnet. */
#ifndef CNET_CNI_H
#define CNET_CNI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "libcnet.h"

/* The specification's error codes (and cnet's own, 100 and up). */
enum {
	CNI_ERR_VERSION = 1,
	CNI_ERR_FIELD = 2,	 /* a key cnet knows but cannot honour */
	CNI_ERR_CONTAINER = 3,	 /* unknown container */
	CNI_ERR_ENV = 4,	 /* missing or bad CNI_* variable */
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6,
	CNI_ERR_CONFIG = 7,
	CNI_ERR_AGAIN = 11,
	CNI_ERR_UNAVAILABLE = 50, /* STATUS: cannot add now */
	CNI_ERR_FAILED = 100,	 /* the kernel refused, or the store failed */
	CNI_ERR_CHECK = 101,	 /* CHECK: the interface is not as ADD made it */
};

/* One invocation: its environment and configuration. */
struct cni {
	const char *command, *container, *netns, *ifname, *path;
	const char *version;	/* the configuration's cniVersion */
	cJSON *conf;		/* stdin, parsed */
	char *raw;		/* stdin as it came (for an IPAM plugin) */
	size_t raw_len;
	cJSON *ipam_result;	/* a delegated IPAM plugin's ADD result */
	const char *name;	/* conf "name" */
	/* CNI_ARGS, the ones cnet reads */
	const char *arg_ip, *arg_mac;
	char *args_buf;
	/* the error, when there is one */
	int code;
	char msg[512], details[1100];
};

/* The error to answer with (message: printf's arguments); returns -1. */
#define cni_fail(c, code, details, ...) \
	(snprintf((c)->msg, sizeof((c)->msg), __VA_ARGS__), cni_set_error((c), (code), (details)))
int cni_set_error(struct cni *c, int code, const char *details);
/* An error of libcnet's as a CNI error (its class picks the code). */
int cni_fail_lib(struct cni *c, struct cnet_ctx *ctx, const char *what);

/* conf.c: the attachment the configuration, capabilities and arguments ask for. */
int cni_attach_from_conf(struct cni *c, struct cnet_ctx *ctx, struct cnet_attach **out);
/* Whatever the configuration needs on the host (parent, PF, bridge) is
 * there and up: 0, else the error (STATUS: 50). */
int cni_status(struct cni *c);
/* A string or number key as text (miimon "100" or 100); NULL if absent. */
const char *cni_str(const cJSON *o, const char *key, char *buf, size_t len);

/* result.c: the ADD result from cnet's record, in the version asked. */
cJSON *cni_result(struct cni *c, const char *records_json);
bool cni_version_ok(const char *v);
/* The gateway of family (AF_INET, AF_INET6) the delegated IPAM's result
 * or the ipam "addresses" give; NULL if none. */
const char *cni_gateway(const struct cni *c, int family);

/* ipam.c: the IPAM plugin to delegate to (ipam.type), NULL for static,
 * dhcp or none; run it for command, its result parsed into *result. */
const char *cni_ipam_delegate(const struct cni *c);
int cni_ipam_exec(struct cni *c, const char *command, cJSON **result);
/* The IPAM plugin lists 1.1.0 (GC and STATUS are passed on): 1, 0, or -1. */
int cni_ipam_speaks_1_1(struct cni *c);
/* 1.1.0 and later have interfaces' mtu and pciID, STATUS and GC. */
bool cni_version_ge(const char *v, const char *than);

#endif
