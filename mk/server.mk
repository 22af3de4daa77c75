# scw-iamd: the IAM API server (src/server, src/store).
SERVER_LDLIBS := -lmicrohttpd -lsqlite3 -lpq -ljansson -lssl -lcrypto -lm
BINS += $(BUILD)/scw-iamd

$(BUILD)/scw-iamd: $(BUILD)/obj/server/main.o $(call LIB,server) $(call LIB,store) $(call LIB,common)
	@mkdir -p $(@D)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(call LIB,server) $(call LIB,store) $(call LIB,common) $(SERVER_LDLIBS)
