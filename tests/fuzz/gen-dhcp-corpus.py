#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Writes the seed corpus for tests/fuzz/fuzz-dhcp.c into
# tests/fuzz/corpus/dhcp/: BOOTREPLYs valid and not. Run once; the seeds
# are kept in the tree.
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "dhcp")
COOKIE = bytes([99, 130, 83, 99])
MAC = bytes([0x52, 0x54, 0x00, 0x12, 0x34, 0x56])


def ip(s):
    return bytes(int(x) for x in s.split("."))


def opt(code, data):
    return bytes([code, len(data)]) + data


def u32(v):
    return struct.pack(">I", v)


def header(op=2, yiaddr="192.168.1.50", siaddr="192.168.1.1", sname=b"", file=b"",
           htype=1, hlen=6, cookie=COOKIE):
    h = struct.pack(">BBBBIHH", op, htype, hlen, 0, 0xDEADBEEF, 0, 0)
    h += bytes(4) + ip(yiaddr) + ip(siaddr) + bytes(4)
    h += MAC.ljust(16, b"\0") + sname.ljust(64, b"\0") + file.ljust(128, b"\0")
    assert len(h) == 236
    return h + cookie


def pad(p, n=300):
    return p.ljust(n, b"\0")


def dnsmasq(kind):
    return (opt(53, bytes([kind])) + opt(54, ip("192.168.1.1")) + opt(51, u32(86400)) +
            opt(58, u32(43200)) + opt(59, u32(75600)) + opt(1, ip("255.255.255.0")) +
            opt(28, ip("192.168.1.255")) + opt(3, ip("192.168.1.1")) +
            opt(6, ip("192.168.1.1") + ip("9.9.9.9")) + opt(15, b"lan") + b"\xff")


SEEDS = {
    "offer": pad(header() + dnsmasq(2)),
    "ack": pad(header() + dnsmasq(5)),
    "ack-nul-domain": pad(header() + opt(53, b"\x05") + opt(54, ip("10.0.0.1")) +
                          opt(51, u32(0xFFFFFFFF)) + opt(1, ip("255.255.255.252")) +
                          opt(3, ip("10.0.0.1") + ip("10.0.0.2")) +
                          opt(15, b"example.org\0") + b"\xff"),
    "nak": pad(header(yiaddr="0.0.0.0", siaddr="0.0.0.0") + opt(53, b"\x06") +
               opt(54, ip("192.168.1.1")) + opt(56, b"wrong network\0") + b"\xff"),
    "many-dns": pad(header() + opt(53, b"\x05") +
                    opt(6, b"".join(ip("%d.%d.%d.%d" % (i, i, i, i)) for i in range(1, 7))) +
                    opt(3, ip("10.0.0.1")) + opt(3, ip("10.0.0.2")) + b"\xff"),
    "unknown-options": pad(header() + b"\0\0" + opt(43, b"\x01\x02\x03") + opt(53, b"\x02") +
                           opt(121, bytes([24, 10, 1, 2, 10, 0, 0, 1])) + opt(224, b"x") +
                           b"\xfa\x00" + b"\xff" + opt(53, b"\x07")),
    "no-end": header() + opt(53, b"\x05") + opt(1, ip("255.255.0.0")),
    "overload-file": pad(header(file=opt(53, b"\x02") + opt(6, ip("2.2.2.2")) + b"\xff") +
                         opt(52, b"\x01") + opt(6, ip("1.1.1.1")) + b"\xff"),
    "overload-sname": pad(header(sname=opt(53, b"\x05") + opt(15, b"lan") + b"\xff") +
                          opt(52, b"\x02") + b"\xff"),
    "overload-both": pad(header(sname=opt(3, ip("10.0.0.2")) + b"\xff",
                                file=opt(3, ip("10.0.0.1")) + opt(53, b"\x05") + b"\xff") +
                         opt(52, b"\x03") + b"\xff"),
    "overload-nested": pad(header(sname=opt(52, b"\x01") + opt(6, ip("8.8.8.8")) + b"\xff",
                                  file=opt(52, b"\x03") + opt(53, b"\x05") + b"\xff") +
                           opt(52, b"\x03") + b"\xff"),
    "overload-runs-out": pad(header(file=bytes(126) + b"\x0c\x0a") + opt(52, b"\x01") +
                             opt(53, b"\x05") + b"\xff"),
    "bad-overload": pad(header() + opt(53, b"\x05") + opt(52, b"\x04") + b"\xff"),
    "bad-truncated": (header() + dnsmasq(2))[:239],
    "bad-cookie": pad(header(cookie=bytes([99, 130, 83, 98])) + dnsmasq(2)),
    "bad-request": pad(header(op=1) + dnsmasq(1)),
    "bad-option-overrun": header() + opt(53, b"\x05") + b"\x06\x08\x01\x01\x01\x01",
    "bad-mask": pad(header() + opt(53, b"\x05") + opt(1, ip("255.0.255.0")) + b"\xff"),
    "bad-domain-newline": pad(header() + opt(53, b"\x05") +
                              opt(15, b"lan\nnameserver 6.6.6.6") + b"\xff"),
    "bad-type-twice": pad(header() + opt(53, b"\x05") + opt(53, b"\x05") + b"\xff"),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in sorted(SEEDS.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(SEEDS), OUT))


if __name__ == "__main__":
    main()
