# cnet: wire network interfaces into Linux containers.
# `make help` lists the targets.

VERSION := 0.1.0
SOVERSION := 0

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# The CNI plugin: where Debian's plugins are, and where runtimes look by
# default (a link; CNIBINDIR= makes none), whatever PREFIX is.
CNIDIR ?= /usr/lib/cni
CNIBINDIR ?= /opt/cni/bin
UNITS := cnet-reapply.service cnet-reapply.timer cnet-boot.service cnet-watch.service
# Podman's and CRI-O's default hooks directory is $(prefix)/share/...: the
# packages install there (/usr); /usr/local needs the engine told.
HOOKSDIR ?= $(PREFIX)/share/containers/oci/hooks.d

CC ?= cc
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
PKGS := libnl-3.0 libnl-route-3.0 libmnl libcjson

# Every Debian package the build, the tests, the demo and the bench need.
DEB_PKGS := build-essential pkg-config libnl-3-dev libnl-route-3-dev libmnl-dev \
	libcjson-dev bats bats-support bats-assert iproute2 iputils-ping jq scdoc \
	man-db groff-base containernetworking-plugins procps abigail-tools \
	podman runc containerd busybox-static dnsmasq-base isc-dhcp-client clang clang-tidy cppcheck ansible-core \
	valgrind debhelper dpkg-dev lintian rpm systemd fish zsh strace mmdebstrap time iperf3

ifeq ($(V),1)
Q :=
say := @true
else
Q := @
say := @printf '  %-6s %s\n'
endif

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	-Wno-unused-parameter -Wno-format-nonliteral
DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
DEP_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -pthread
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -DCNET_VERSION='"$(VERSION)"' $(WARN) $(CPPFLAGS) $(CFLAGS) \
	-MMD -MP $(DEP_CFLAGS)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC := $(wildcard lib/*.c)
CLI_SRC := $(wildcard cli/*.c)
CNI_SRC := $(wildcard cni/*.c)
UNIT_SRC := $(wildcard tests/unit/*.c)

B := build
LIB_OBJ := $(LIB_SRC:%.c=$(B)/pic/%.o)
CLI_OBJ := $(CLI_SRC:%.c=$(B)/%.o)
CNI_OBJ := $(CNI_SRC:%.c=$(B)/%.o)
# Test builds: fault injection compiled in (never in the release build),
# and ASan+UBSan for the unit tests.
FI_OBJ := $(LIB_SRC:%.c=$(B)/fi/%.o) $(CLI_SRC:%.c=$(B)/fi/%.o)
SAN_OBJ := $(LIB_SRC:%.c=$(B)/san/%.o) $(UNIT_SRC:%.c=$(B)/san/%.o)
UNIT_OBJ := $(LIB_SRC:%.c=$(B)/unit/%.o) $(UNIT_SRC:%.c=$(B)/unit/%.o)

SONAME := libcnet.so.$(SOVERSION)
SOLIB := $(B)/libcnet.so.$(VERSION)

.PHONY: print-deb-pkgs check-deps check-host check-fresh all install install-pipework uninstall check check-unit check-cli check-docs check-abi check-layout check-vm abi-baseline \
	check-fuzz fuzz check-cli-san check-cli-both lint deps demo bench clean help deb rpm
.DEFAULT_GOAL := all

all: $(SOLIB) $(B)/$(SONAME) $(B)/libcnet.so $(B)/libcnet.a $(B)/libcnet.pc $(B)/cnet $(B)/cnet.8 \
	$(B)/cnet-pipework.8 $(B)/libcnet.3 $(B)/cnet-cni

$(B)/pic/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib -c -o $@ $<

$(B)/fi/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC-FI $<
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib -DCNET_FAULT_INJECTION -c -o $@ $<

$(B)/san/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC-SAN $<
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib -O1 $(SAN) -c -o $@ $<

$(B)/unit/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib -c -o $@ $<

$(SOLIB): $(LIB_OBJ) lib/libcnet.sym
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script,lib/libcnet.sym -Wl,--no-undefined -o $@ $(LIB_OBJ) $(DEP_LIBS)

$(B)/$(SONAME) $(B)/libcnet.so: $(SOLIB)
	$(Q)ln -sf $(notdir $(SOLIB)) $@

$(B)/libcnet.a: $(LIB_OBJ)
	$(say) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Relative to its prefix where possible, so it can be pointed elsewhere
# with --define-variable=prefix=. install writes it again for its PREFIX.
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	-e 's|@LIBDIR@|$(patsubst $(PREFIX)%,$${prefix}%,$(LIBDIR))|' \
	-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)%,$${prefix}%,$(INCLUDEDIR))|'

$(B)/libcnet.pc: lib/libcnet.pc.in Makefile
	$(Q)$(PC_SED) $< > $@

# Like kmod's tools, the command links the library's static archive: one
# shared object fewer to load per run (about 0.1 ms here), same public API.
$(B)/cnet: $(CLI_OBJ) $(B)/libcnet.a
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(B)/libcnet.a $(DEP_LIBS)

# The CNI plugin (cni/), installed as $(CNIDIR)/cnet: the same library,
# another protocol on stdin and stdout. A runtime starts it for every
# container, where the start is a third of its ADD: libnl goes in whole
# when its archives are there (Debian's -dev packages ship them; Fedora's
# do not), which spares the loader's relocations and libnl-route's
# constructors, about 0.4 ms (bench/cni.sh). CNI_STATIC_NL= (or
# anything but yes) links it as the CLI is linked, as the Debian
# package does (libnl's security updates reach it).
NL_LIBDIR := $(shell $(PKG_CONFIG) --variable=libdir libnl-3.0 2>/dev/null)
NL_ARCHIVES := $(NL_LIBDIR)/libnl-route-3.a $(NL_LIBDIR)/libnl-3.a
CNI_STATIC_NL ?= $(if $(and $(wildcard $(word 1,$(NL_ARCHIVES))),$(wildcard $(word 2,$(NL_ARCHIVES)))),yes)
CNI_LIBS = $(if $(filter yes,$(CNI_STATIC_NL)),$(NL_ARCHIVES) \
	$(shell $(PKG_CONFIG) --libs libmnl libcjson) -pthread,$(DEP_LIBS))
$(B)/cnet-cni: $(CNI_OBJ) $(B)/libcnet.a
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CNI_OBJ) $(B)/libcnet.a $(CNI_LIBS)

$(B)/fi/cnet: $(FI_OBJ)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(FI_OBJ) $(DEP_LIBS)

FI_CNI_OBJ := $(LIB_SRC:%.c=$(B)/fi/%.o) $(CNI_SRC:%.c=$(B)/fi/%.o)
$(B)/fi/cnet-cni: $(FI_CNI_OBJ)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(FI_CNI_OBJ) $(DEP_LIBS)

# Test-only: libcnet's bond request sent to the kernel (tests/vm/suites/bond.bats).
$(B)/bond-probe: tests/bond-probe.c $(B)/libcnet.a
	$(say) CC $@
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib $(LDFLAGS) -o $@ $< $(B)/libcnet.a $(DEP_LIBS)

$(B)/fake-engine: tests/fake-engine.c
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS) $(WARN) -o $@ $<

# Bench-only: a UDP request-response ping-pong, its median round trip (bench/pair.sh).
$(B)/udp-rr: bench/udp-rr.c
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS) $(WARN) -o $@ $<

# Test-only: forged netlink replies from inside a container (hostile-netlink.bats).
$(B)/nl-forge: tests/nl-forge.c
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS) $(WARN) -o $@ $<

$(B)/unit-tests: $(UNIT_OBJ)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(UNIT_OBJ) $(DEP_LIBS)

$(B)/unit-tests-san: $(SAN_OBJ)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(SAN) -o $@ $(SAN_OBJ) $(DEP_LIBS)

# cnet itself under ASan+UBSan: the host command-line suites run on it too.
SAN_CLI_OBJ := $(LIB_SRC:%.c=$(B)/san/%.o) $(CLI_SRC:%.c=$(B)/san/%.o)
$(B)/san/cnet: $(SAN_CLI_OBJ)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(SAN) -o $@ $(SAN_CLI_OBJ) $(DEP_LIBS)

SAN_CNI_OBJ := $(LIB_SRC:%.c=$(B)/san/%.o) $(CNI_SRC:%.c=$(B)/san/%.o)
$(B)/san/cnet-cni: $(SAN_CNI_OBJ)
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(SAN) -o $@ $(SAN_CNI_OBJ) $(DEP_LIBS)

# Fuzz targets (tests/fuzz/fuzz-NAME.c): the DHCP packet parser, the state
# store loader (with every record rebuilt as reapply does), the command
# line (option parser and attach's setters). Each is replayed over its
# corpus under ASan+UBSan with a plain driver (no libFuzzer needed), or
# fuzzed with clang's libFuzzer.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_NAMES := dhcp store cli event
FUZZ_FLAGS = -std=gnu11 -D_GNU_SOURCE -DCNET_VERSION='"$(VERSION)"' -DCNET_NO_MAIN -g -O1 -Ilib \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all $(DEP_CFLAGS)
# what each links besides its harness: the parser alone, the library, or
# library and command line (its main left out)
FUZZ_DEPS_dhcp := lib/dhcp.c
FUZZ_DEPS_store := $(LIB_SRC)
FUZZ_DEPS_cli := $(LIB_SRC) $(CLI_SRC)
FUZZ_DEPS_event := lib/event.c

$(B)/fuzz/san/%.o: %.c
	@mkdir -p $(@D)
	$(say) CC-SAN $<
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib -Icli -O1 $(SAN) -DCNET_NO_MAIN -c -o $@ $<

$(B)/fuzz/lf/%.o: %.c
	@mkdir -p $(@D)
	$(say) FUZZCC $<
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -Icli -c -o $@ $<

# $(call fuzz_objs,san|lf,NAME): the objects of a target's build
fuzz_objs = $(addprefix $(B)/fuzz/$(1)/,$(patsubst %.c,%.o,$(FUZZ_DEPS_$(2)) tests/fuzz/fuzz-$(2).c))

# the fuzz builds' objects are kept (not intermediate files to delete)
.SECONDARY:
.SECONDEXPANSION:
$(B)/fuzz/replay-%: $$(call fuzz_objs,san,$$*) $(B)/fuzz/san/tests/fuzz/replay.o
	$(say) LD $@
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(SAN) -o $@ $^ $(if $(filter dhcp,$*),,$(DEP_LIBS))

$(B)/fuzz/fuzz-%: $$(call fuzz_objs,lf,$$*)
	$(say) FUZZLD $@
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(if $(filter dhcp,$*),,$(DEP_LIBS))

$(B)/cnet.8: man/cnet.8.scd
	$(say) SCDOC $@
	$(Q)mkdir -p $(B) && scdoc < $< > $@

$(B)/cnet-pipework.8: man/cnet-pipework.8.scd
	$(say) SCDOC $@
	$(Q)mkdir -p $(B) && scdoc < $< > $@

$(B)/libcnet.3: man/libcnet.3.scd
	$(say) SCDOC $@
	$(Q)mkdir -p $(B) && scdoc < $< > $@

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(CNIDIR) $(DESTDIR)$(HOOKSDIR)
	install -m 0755 $(SOLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SOLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libcnet.so
	install -m 0644 $(B)/libcnet.a $(DESTDIR)$(LIBDIR)/
	install -m 0644 lib/libcnet.h $(DESTDIR)$(INCLUDEDIR)/
	$(PC_SED) lib/libcnet.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libcnet.pc
	install -m 0755 $(B)/cnet $(DESTDIR)$(BINDIR)/
	install -m 0755 $(B)/cnet-cni $(DESTDIR)$(CNIDIR)/cnet
	$(if $(CNIBINDIR),install -d $(DESTDIR)$(CNIBINDIR) && ln -sf $(CNIDIR)/cnet $(DESTDIR)$(CNIBINDIR)/cnet)
	install -m 0644 $(B)/cnet.8 $(B)/cnet-pipework.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(B)/libcnet.3 $(DESTDIR)$(MANDIR)/man3/
	for u in $(UNITS); do sed 's|@BINDIR@|$(BINDIR)|' packaging/systemd/$$u \
		> $(DESTDIR)$(SYSTEMDUNITDIR)/$$u && chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u; done
	sed 's|@BINDIR@|$(BINDIR)|' packaging/oci/cnet.json > $(DESTDIR)$(HOOKSDIR)/cnet.json
	chmod 0644 $(DESTDIR)$(HOOKSDIR)/cnet.json
	install -m 0644 completions/cnet.bash $(DESTDIR)$(BASHCOMPDIR)/cnet
	install -m 0644 completions/_cnet $(DESTDIR)$(ZSHCOMPDIR)/_cnet
	install -m 0644 completions/cnet.fish $(DESTDIR)$(FISHCOMPDIR)/cnet.fish

# The command "pipework" (cnet pipework, cnet-pipework(8)): apart, as it
# takes the name of another program (packages: cnet-pipework).
install-pipework:
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	ln -sf cnet $(DESTDIR)$(BINDIR)/pipework
	ln -sf cnet-pipework.8 $(DESTDIR)$(MANDIR)/man8/pipework.8

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cnet $(DESTDIR)$(BINDIR)/pipework $(DESTDIR)$(MANDIR)/man8/pipework.8 \
		$(DESTDIR)$(MANDIR)/man8/cnet-pipework.8 $(DESTDIR)$(CNIDIR)/cnet $(if $(CNIBINDIR),$(DESTDIR)$(CNIBINDIR)/cnet) \
		$(DESTDIR)$(LIBDIR)/libcnet.so* \
		$(DESTDIR)$(LIBDIR)/libcnet.a $(DESTDIR)$(INCLUDEDIR)/libcnet.h \
		$(DESTDIR)$(PKGCONFIGDIR)/libcnet.pc $(DESTDIR)$(MANDIR)/man8/cnet.8 \
		$(DESTDIR)$(MANDIR)/man3/libcnet.3 \
		$(DESTDIR)$(BASHCOMPDIR)/cnet $(DESTDIR)$(ZSHCOMPDIR)/_cnet \
		$(DESTDIR)$(FISHCOMPDIR)/cnet.fish $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(UNITS)) \
		$(DESTDIR)$(HOOKSDIR)/cnet.json

print-deb-pkgs:
	@echo $(DEB_PKGS)

# Every package a test names or probes is in DEB_PKGS (tests/check-deps.sh).
check-deps:
	tests/check-deps.sh

# Installs only what is missing, so it costs nothing once done. Nothing it
# installs may start or stay enabled as a daemon on this machine (containerd
# is for the CNI suites, which run their own): service starts are denied
# during the install, and containerd's unit is disabled if it came now.
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		deny=/usr/sbin/policy-rc.d; placed=; \
		if [ ! -e $$deny ]; then printf '#!/bin/sh\nexit 101\n' >$$deny && chmod 755 $$deny && placed=1; fi; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; rc=$$?; \
		[ -z "$$placed" ] || rm -f $$deny; \
		case " $$missing " in *" containerd "*) \
			! command -v systemctl >/dev/null || systemctl disable containerd.service >/dev/null 2>&1 || true;; \
		esac; \
		exit $$rc; \
	fi

check: check-host check-vm

# All of make check but the VM: what the fresh-machine rehearsal runs.
check-host: check-deps deps
	$(MAKE) all $(B)/fi/cnet $(B)/fake-engine $(B)/nl-forge $(B)/bond-probe $(B)/unit-tests $(B)/unit-tests-san \
		$(B)/san/cnet CFLAGS='$(CFLAGS) -Werror'
	$(MAKE) check-unit check-fuzz check-abi check-docs check-layout lint check-cli-both

# check-cli and check-cli-san side by side: the suites make their own
# namespaces, names and stores, and much of their time is waiting (9 min
# here instead of 15). Each one's output is kept apart and printed when
# both are done; either failing fails this.
check-cli-both: all $(B)/san/cnet $(B)/san/cnet-cni $(B)/fi/cnet $(B)/fi/cnet-cni $(B)/fake-engine $(B)/nl-forge
	@rc=0; \
	$(MAKE) --no-print-directory check-cli >$(B)/check-cli.log 2>&1 & a=$$!; \
	$(MAKE) --no-print-directory check-cli-san >$(B)/check-cli-san.log 2>&1 & s=$$!; \
	wait $$a || rc=1; wait $$s || rc=1; \
	cat $(B)/check-cli.log $(B)/check-cli-san.log; exit $$rc

# The fresh-machine rehearsal (tests/fresh/rehearse.sh): make demo and make
# check-host in a minimal Debian root built from this machine's apt sources.
# Run it before declaring an issue resolved; it is not part of make check.
check-fresh: deps
	tests/fresh/rehearse.sh $(FRESH_TARGETS)

check-unit: $(B)/unit-tests $(B)/unit-tests-san
	$(B)/unit-tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(B)/unit-tests-san

check-fuzz: $(FUZZ_NAMES:%=$(B)/fuzz/replay-%)
	for f in $(FUZZ_NAMES); do \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
			$(B)/fuzz/replay-$$f tests/fuzz/corpus/$$f || exit 1; done

# Fuzzes a copy of each corpus (new inputs stay in $(B)) for FUZZ_SECONDS
# each; crashes go to $(B)/fuzz/.
fuzz: $(FUZZ_NAMES:%=$(B)/fuzz/fuzz-%)
	@for f in $(FUZZ_NAMES); do \
		mkdir -p $(B)/fuzz/work-$$f && cp tests/fuzz/corpus/$$f/* $(B)/fuzz/work-$$f/; \
		echo "fuzzing $$f for $(FUZZ_SECONDS)s (log: $(B)/fuzz/fuzz-$$f.log)"; \
		$(B)/fuzz/fuzz-$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -close_fd_mask=2 \
			-artifact_prefix=$(B)/fuzz/$$f- $(B)/fuzz/work-$$f > $(B)/fuzz/fuzz-$$f.log 2>&1; \
		r=$$?; if [ $$r -ne 0 ]; then tail -n 40 $(B)/fuzz/fuzz-$$f.log; exit $$r; fi; \
		grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' $(B)/fuzz/fuzz-$$f.log; \
	done

# lib/libcnet.abi is the ABI that shipped. Any change, even a compatible
# addition, fails until it is reviewed and the baseline rewritten (new
# symbols go in a new version node of lib/libcnet.sym).
check-abi: $(SOLIB)
	@abidiff --hf1 lib/libcnet.h --hf2 lib/libcnet.h lib/libcnet.abi $(SOLIB) > $(B)/abidiff.txt 2>&1; \
	r=$$?; grep -qi 'error' $(B)/abidiff.txt && r=$$((r | 1)); \
	if [ $$r -ne 0 ]; then cat $(B)/abidiff.txt; \
	if [ $$((r & 8)) -ne 0 ]; then echo "libcnet: INCOMPATIBLE ABI change"; \
	else echo "libcnet: ABI changed; if intended, 'make abi-baseline' and commit it"; fi; \
	exit 1; fi; echo "libcnet ABI: unchanged"

abi-baseline: $(SOLIB)
	abidw --header-file lib/libcnet.h --no-corpus-path --drop-undefined-syms $(SOLIB) > lib/libcnet.abi

# lib/'s structure (issue 16): kinds named only in kinds.c and kind-*.c,
# no file over 800 lines nor function over 100, no call circle between
# files, no engine call into a kind file (tests/check-layout.sh).
check-layout: $(LIB_OBJ)
	tests/check-layout.sh $(B)

check-docs: $(B)/cnet.8 $(B)/cnet-pipework.8 $(B)/libcnet.3
	@out=$$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
		$(B)/cnet.8 $(B)/cnet-pipework.8 $(B)/libcnet.3 2>&1 >/dev/null); if [ -n "$$out" ]; then echo "$$out"; exit 1; fi
	@echo "man page: no warnings"

check-cli: all $(B)/fi/cnet $(B)/fi/cnet-cni $(B)/fake-engine $(B)/nl-forge
	bats --formatter pretty --timing --print-output-on-failure $(if $(TESTS),$(TESTS),tests/cli)

# The host command-line suites again, with cnet built with ASan+UBSan (a
# leak, an overflow or undefined behaviour makes cnet exit 1, so the test
# that ran it fails). Suites that build or wrap their own cnet (packages,
# install, valgrind; the fault and crash walks run the fault-injection
# build) or test another program (Podman, Ansible) are not run twice.
SAN_SKIP := package install valgrind fault crash podman cni-podman ansible
check-cli-san: all $(B)/san/cnet $(B)/san/cnet-cni $(B)/fi/cnet $(B)/fi/cnet-cni $(B)/fake-engine $(B)/nl-forge
	CNET_BIN=$(abspath $(B)/san/cnet) CNET_CNI_BIN=$(abspath $(B)/san/cnet-cni) ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1 bats --formatter pretty --timing --print-output-on-failure \
		$(if $(TESTS),$(TESTS),$(filter-out $(SAN_SKIP:%=tests/cli/%.bats),$(wildcard tests/cli/*.bats)))

# Static analysis: cppcheck and clang-tidy (checks in .clang-tidy), both
# must find nothing. cppcheck's variableScope (declare at the top, as
# iproute2 and kmod do) is a style this code does not follow on purpose.
lint:
	$(MAKE) -s B=$(B)/clang CC=clang all CFLAGS='-O2 -g -Werror'
	cppcheck -j2 --quiet --enable=warning,performance,portability,style --suppress=variableScope \
		--suppress=missingIncludeSystem --std=c11 --inline-suppr --error-exitcode=1 \
		-Ilib -Icli -I/usr/include/cjson lib cli cni tests/fuzz
	printf '%s\n' -std=gnu11 -D_GNU_SOURCE '-DCNET_VERSION="$(VERSION)"' -Ilib -Icli \
		$(DEP_CFLAGS) > compile_flags.txt
	printf '%s\n' $(LIB_SRC) $(CLI_SRC) $(CNI_SRC) | xargs -P2 -n4 clang-tidy --quiet --warnings-as-errors='*' 

# The full-kernel VM (tests/vm/): the guest suites, then proof on the host
# that a failing or hanging guest fails the run. VM_TESTS=path runs chosen
# guest suites only.
check-vm: deps all $(B)/bond-probe
	tests/vm/run.sh $(VM_TESTS)
	$(if $(VM_TESTS),,bats --formatter pretty tests/vm/propagation.bats)

demo: deps all
	./tests/demo.sh $(B)/cnet

bench: deps all $(B)/fake-engine $(B)/udp-rr
	./bench/attach.sh
	./bench/cni.sh
	./bench/dhcp.sh
	./bench/restart.sh
	./bench/qos.sh
	./bench/pipework.sh
	./bench/pair.sh
	./bench/sriov.sh

# Packages from the working tree (packaging/README.md), into $(B)/pkg.
deb: deps
	packaging/build-deb.sh $(B)/pkg

rpm: deps
	packaging/build-rpm.sh $(B)/pkg

clean:
	rm -rf $(B)

help:
	@echo 'make            build libcnet (shared, static, .pc) and cnet'
	@echo 'make install    install under PREFIX ($(PREFIX)), honouring DESTDIR'
	@echo 'make install-pipework  also the command pipework, a link to cnet'
	@echo 'make uninstall  remove what install put there'
	@echo 'make deps       install every Debian package needed (apt-get)'
	@echo 'make demo       deps, build, attach into a throwaway namespace, clean up'
	@echo 'make check      deps, build, unit tests (also under ASan/UBSan), ABI, docs, CLI tests, VM'
	@echo 'make check-host all of make check but the VM'
	@echo 'make check-deps every package the tests name or probe is in DEB_PKGS'
	@echo 'make check-layout  lib/ keeps the layout of issue 16 (tests/check-layout.sh)'
	@echo 'make check-fresh  make demo and make check-host in a fresh minimal Debian root'
	@echo '                FRESH_TARGETS="demo check" runs the VM part there too'
	@echo '                TESTS=tests/cli/attach.bats runs chosen bats files'
	@echo 'make check-fuzz replay tests/fuzz/corpus/dhcp through the DHCP parser under ASan/UBSan'
	@echo 'make fuzz       fuzz the DHCP parser with libFuzzer (clang) for FUZZ_SECONDS (60)'
	@echo 'make check-vm   boot the full-kernel test VM and run tests/vm/suites in it'
	@echo '                VM_TESTS=tests/vm/suites/rig.bats runs chosen guest suites'
	@echo 'make bench      attach speed against the CNI macvlan plugin and iproute2,'
	@echo '                and (in the VM) an sriov attach against ip link set netns'
	@echo 'make deb        Debian packages cnet, libcnet0, libcnet-dev into build/pkg'
	@echo 'make rpm        RPM packages cnet, libcnet0, libcnet-devel into build/pkg'
	@echo 'make clean      remove build/'
	@echo 'V=1             show full commands'

-include $(shell find $(B) -name '*.d' 2>/dev/null)
