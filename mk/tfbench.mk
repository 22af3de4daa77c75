# bench/terraform-100-keys: the rusage runner and dev_overrides wrapper (bench/terraform-100-keys/rusage.c),
# a standalone tool (libc only) built with the project's flags.
BINS += $(BUILD)/bench/tfbench-rusage

$(BUILD)/bench/tfbench-rusage: bench/terraform-100-keys/rusage.c src/common/compat.h
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)
