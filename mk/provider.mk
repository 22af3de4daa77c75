# provider: build/terraform-provider-scaleway, one binary Terraform can launch.
# The protocol libraries are linked statically (Debian ships their .a files): nghttp2 and
# protobuf-c always, OpenSSL unless PROVIDER_STATIC_SSL=0. Static libcrypto also removes the
# dynamic loader's relocation work from every launch (Terraform launches a provider 2-7 times
# per command). Only glibc stays dynamic. The sanitizer build links dynamically (ASan wants it).

PROVIDER_BIN := $(BUILD)/terraform-provider-scaleway
PROVIDER_STATIC_SSL ?= 1
BINS += $(PROVIDER_BIN)

ifeq ($(SANITIZE),)
PROVIDER_LIBS := -Wl,-Bstatic -lnghttp2 -lprotobuf-c
ifeq ($(PROVIDER_STATIC_SSL),1)
PROVIDER_LIBS += -lssl -lcrypto
PROVIDER_LIBS += -Wl,-Bdynamic
else
PROVIDER_LIBS += -Wl,-Bdynamic -lssl -lcrypto
endif
else
PROVIDER_LIBS := -lnghttp2 -lprotobuf-c -lssl -lcrypto
endif

# DT_RELR (binutils 2.38+, glibc 2.36+): the PIE's 0.5 MB of R_X86_64_RELATIVE entries, which
# the dynamic loader read (500 KiB of RSS at every launch), packed into a 20 KB bitmap. The
# binary stays position-independent (ASLR unchanged).
PROVIDER_LDFLAGS := -Wl,-z,pack-relative-relocs -Wl,-Map=$(PROVIDER_BIN).map
# Hot/cold layout: mk/provider-hot.list (written by bench/provider-launch/hotlist.py) names the
# objects a launch executes; they are placed first in .text, and their read-only data in a
# .rodata.hot section ahead of .rodata (its own output section, so that their strings are merged
# apart from the cold ones). The kernel maps the whole 64 KiB window around each page fault, so
# with the touched code spread over the binary all 2.9 MiB of text was resident; gathered, about
# 1.7 MiB is (docs/provider-transport.md, "RSS"). $(BUILD)/provider.ld is GNU ld's own default
# script for this link with the list's patterns added (one .text section still: valgrind, perf
# and gdb see the usual layout). A stale list costs RSS, never a link error. Not in the
# sanitizer build.
PROVIDER_HOT_LIST := mk/provider-hot.list
PROVIDER_LD := $(BUILD)/provider.ld
ifeq ($(SANITIZE),)
ifneq ($(findstring GNU ld,$(shell $(CC) -Wl,--version 2>/dev/null | head -n 1)),)
PROVIDER_LDFLAGS += -Wl,-T,$(PROVIDER_LD)
PROVIDER_HOT_DEP := $(PROVIDER_LD)
endif
endif
$(PROVIDER_LD): $(PROVIDER_HOT_LIST) mk/provider.mk
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)$(CC) $(LDFLAGS) -pie -Wl,-z,pack-relative-relocs -Wl,--verbose -o /dev/null -x c /dev/null 2>/dev/null | \
		sed -n '/^=====/,/^=====/p' | sed '1d;$$d' | \
		awk -v list=$(PROVIDER_HOT_LIST) 'BEGIN { while ((getline l < list) > 0) if (l !~ /^#/ && l != "") p[n++] = l } \
			function put(kinds,  i) { for (i = 0; i < n; i++) printf "    %s(%s)\n", p[i], kinds } \
			/^  \.text  *:$$/ { print; getline; print; put(".text .text.*"); t = 1; next } \
			/^  \.rodata  *: / { print "  .rodata.hot     :"; print "  {"; put(".rodata .rodata.*"); print "  }"; \
				print; r = 1; next } \
			{ print } END { if (!t || !r) exit 1 }' >$@.tmp
	$(Q)mv $@.tmp $@

# ALL_LIBS is defined after the fragments are read: name the libraries from LAYERS instead.
PROVIDER_DEPLIBS := $(foreach l,$(LAYERS),$(BUILD)/lib$(l).a)
$(PROVIDER_BIN): $(BUILD)/obj/provider/main.o $(PROVIDER_DEPLIBS) $(PROVIDER_HOT_DEP)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(PROVIDER_LDFLAGS) -o $@ $< -Wl,--start-group $(PROVIDER_DEPLIBS) -Wl,--end-group $(PROVIDER_LIBS) -ldl -lm

# The https tests of net/httpc link OpenSSL statically like the provider, so that they run on the
# reduced provider of net/osslmini (which needs a static libcrypto); the sanitizer build runs them
# on OpenSSL's default provider.
ifeq ($(SANITIZE),)
$(BUILD)/tests/unit/net/test_httpc: EXT_LIBS_ALL := -Wl,-Bstatic -lssl -lcrypto -Wl,-Bdynamic $(EXT_LIBS_ALL) -ldl
$(BUILD)/tests/unit/net/test_httpc: CFLAGS += -DTEST_STATIC_OPENSSL=1
endif
