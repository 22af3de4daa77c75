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
PROVIDER_LDFLAGS := -Wl,-z,pack-relative-relocs

# ALL_LIBS is defined after the fragments are read: name the libraries from LAYERS instead.
PROVIDER_DEPLIBS := $(foreach l,$(LAYERS),$(BUILD)/lib$(l).a)
$(PROVIDER_BIN): $(BUILD)/obj/provider/main.o $(PROVIDER_DEPLIBS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(PROVIDER_LDFLAGS) -o $@ $< -Wl,--start-group $(PROVIDER_DEPLIBS) -Wl,--end-group $(PROVIDER_LIBS) -ldl -lm
