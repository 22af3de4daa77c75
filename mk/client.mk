# Client layer (src/client): Scaleway configuration + API client (net/httpc, libyaml, jansson: all
# already in PKGS_ALL). The layer library itself is discovered by the Makefile; this fragment adds
# the C driver of the fault-injection suite (tests/suites/45-client-faults) and of the end-to-end
# suite against scw-iamd (tests/suites/46-client-iamd).
CLIENT_LIBS := $(foreach l,$(LAYERS),$(call LIB,$(l)))
CLIENT_TEST_BINS := $(BUILD)/tests/client/fault_driver $(BUILD)/tests/client/iamd_driver
$(BUILD)/tests/client/%: tests/client/%.c $(CLIENT_LIBS)
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) -Wl,--start-group $(CLIENT_LIBS) -Wl,--end-group $(EXT_LIBS_ALL)
BINS += $(CLIENT_TEST_BINS)
