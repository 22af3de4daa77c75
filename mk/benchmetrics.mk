# bench/server-metrics: the cost of counting a request (ops_observe) next to a bare atomic add.
BINS += $(BUILD)/bench/metrics-observe

$(BUILD)/bench/metrics-observe: bench/server-metrics/observe.c src/server/ops.c $(call LIB,server) $(call LIB,store) $(call LIB,common)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(call LIB,server) $(call LIB,store) $(call LIB,common) $(SERVER_LDLIBS)
