# tfplugin/cty + framework: the cty codecs parse JSON with jansson. This fragment sorts after
# provider.mk, so it can add jansson to the provider binary's libraries (static like the other
# protocol libraries; dynamic in the sanitizer build).
ifeq ($(SANITIZE),)
PROVIDER_LIBS += -Wl,-Bstatic -ljansson -Wl,-Bdynamic
else
PROVIDER_LIBS += -ljansson
endif

# A test-only provider binary (never installed): the real provider block and transport, plus the
# framework's example resource fwtest_thing (tests/framework/fwtest.c). Its own provider_served()
# replaces the provider layer's, so libprovider.a's init.o is not linked in.
FWTEST_BIN := $(BUILD)/tests/terraform-provider-fwtest
BINS += $(FWTEST_BIN)
$(FWTEST_BIN): tests/framework/fwtest.c $(BUILD)/obj/provider/main.o $(PROVIDER_DEPLIBS) | $(PROTO_GEN_H)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -DFWTEST_MAIN -o $@ $< $(BUILD)/obj/provider/main.o $(LDFLAGS) \
		-Wl,--start-group $(PROVIDER_DEPLIBS) -Wl,--end-group $(PROVIDER_LIBS) -ldl -lm
