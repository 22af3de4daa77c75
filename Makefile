# SPDX-License-Identifier: MIT
# scw-iam: one plain GNU Makefile.
#   make            build build/scw-iamd and build/terraform-provider-scaleway
#   make check      every test (normal build + ASan/UBSan build), ends with "N passed, N failed"
#   make run        bootstrap (first time) and serve scw-iamd on 127.0.0.1:8080
#   make bench      benchmarks (bench/), ratios against references measured in the same run
# Knobs: DEVELOPER=1 (strict warnings as errors), SANITIZE=address,undefined, BUILD=dir, V=1.
#
# Sources are discovered: every src/<layer>/*.c except main.c goes into build/lib<layer>.a;
# component fragments in mk/*.mk add binaries, generated code and extra rules.

.DEFAULT_GOAL := all
SHELL := /bin/bash

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
SANITIZE ?=
ifneq ($(SANITIZE),)
BUILD ?= build-san
else
BUILD ?= build
endif

PKGS_ALL := openssl jansson sqlite3 libpq libmicrohttpd libnghttp2 libprotobuf-c libcurl yaml-0.1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS_ALL) 2>/dev/null)

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -fno-strict-aliasing -pthread -MMD -MP
CFLAGS += -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 -Wvla -Wstrict-prototypes \
          -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wwrite-strings
CFLAGS += -Isrc -I$(BUILD)/gen $(PKG_CFLAGS)
ifeq ($(DEVELOPER),1)
CFLAGS += -Werror -Wdeclaration-after-statement -Wno-error=deprecated-declarations
endif
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all -O1
LDFLAGS += -fsanitize=$(SANITIZE)
endif
LDFLAGS += -pthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Layers, lowest first (nothing depends upward).
LAYERS := common net store grpc tfplugin framework client provider server
LIB_SRCS = $(filter-out %/main.c,$(wildcard src/$(1)/*.c))
LIB = $(BUILD)/lib$(1).a
# Generated sources a fragment attaches to a layer: GEN_SRCS_<layer> (paths under $(BUILD)/gen).
define layer_rules
OBJS_$(1) := $$(patsubst src/%.c,$(BUILD)/obj/%.o,$$(call LIB_SRCS,$(1))) \
             $$(patsubst $(BUILD)/gen/%.c,$(BUILD)/obj/gen/%.o,$$(GEN_SRCS_$(1)))
$(BUILD)/lib$(1).a: $$(OBJS_$(1))
	@mkdir -p $$(@D)
	$(Q)rm -f $$@
	$(Q)$(if $$^,ar rcs $$@ $$^,ar rcs $$@)
endef

BINS :=

-include $(sort $(wildcard mk/*.mk))

$(foreach l,$(LAYERS),$(eval $(call layer_rules,$(l))))
ALL_LIBS := $(foreach l,$(LAYERS),$(call LIB,$(l)))

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -Wno-missing-prototypes -Wno-cast-qual -c -o $@ $<

# ---- unit tests: tests/unit/<layer>/test_*.c, one binary each, linked with every layer ----
UNIT_SRCS := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
EXT_LIBS_ALL := $(shell pkg-config --libs $(PKGS_ALL) 2>/dev/null) $(EXTRA_LDLIBS) -lm
$(BUILD)/tests/unit/%: tests/unit/%.c $(ALL_LIBS) tests/unit/test.h
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(LDFLAGS) -Wl,--start-group $(ALL_LIBS) -Wl,--end-group $(EXT_LIBS_ALL)

# ---- fuzz drivers: fuzz/fuzz_<name>.c; built with a corpus-replay main (gcc), or libFuzzer (make fuzz) ----
FUZZ_SRCS := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
$(BUILD)/fuzz/%: fuzz/%.c fuzz/replay_main.c $(ALL_LIBS)
	@mkdir -p $(@D)
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $< fuzz/replay_main.c $(LDFLAGS) -Wl,--start-group $(ALL_LIBS) -Wl,--end-group $(EXT_LIBS_ALL)

.PHONY: all build-all deps-check tests-build check fuzz run bench clean

# User-facing targets install/check dependencies first, then re-enter make so that pkg-config sees them.
all: deps-check
	$(Q)$(MAKE) --no-print-directory build-all

build-all: $(BINS) $(UNIT_BINS) $(FUZZ_BINS)

deps-check:
	@scripts/install-deps --check-or-install

tests-build: $(BINS) $(UNIT_BINS) $(FUZZ_BINS)

# make check: normal build, sanitizer build, then the whole suite (scripts/run-tests aggregates TAP
# output) next to a private PostgreSQL cluster (scripts/with-postgres), so that the store's contract
# suite and the server suites run on both engines.
check: deps-check
	$(Q)$(MAKE) --no-print-directory tests-build
	$(Q)$(MAKE) --no-print-directory tests-build SANITIZE=address,undefined
	$(Q)scripts/with-postgres scripts/run-tests

run: deps-check
	$(Q)$(MAKE) --no-print-directory $(BUILD)/scw-iamd
	$(Q)scripts/run-server

bench: deps-check
	$(Q)$(MAKE) --no-print-directory $(BINS)
	$(Q)scripts/run-bench

# make fuzz: real coverage-guided fuzzing with clang's libFuzzer (FUZZ_SECONDS per driver, default 30),
# seeded from fuzz/corpus/<name>/; new inputs go to build-fuzz/corpus/<name>/ (merge the useful ones into
# fuzz/corpus with -merge=1 so make check replays them). The whole tree is rebuilt with clang in build-fuzz/.
FUZZ_SECONDS ?= 30
fuzz: deps-check
	$(Q)$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz SANITIZE=fuzzer-no-link,address,undefined \
		$(foreach l,$(LAYERS),build-fuzz/lib$(l).a)
	$(Q)set -e; for src in $(FUZZ_SRCS); do \
		name=$$(basename $$src .c); \
		echo "  FUZZ    $$name ($(FUZZ_SECONDS)s)"; \
		clang $(filter-out -fsanitize=% -fno-sanitize-recover=all,$(CFLAGS)) -Ibuild-fuzz/gen \
			-fsanitize=fuzzer,address,undefined -o build-fuzz/$$name $$src \
			-Wl,--start-group $(foreach l,$(LAYERS),build-fuzz/lib$(l).a) -Wl,--end-group $(EXT_LIBS_ALL); \
		mkdir -p build-fuzz/corpus/$${name#fuzz_}; \
		build-fuzz/$$name -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus/$${name#fuzz_} fuzz/corpus/$${name#fuzz_}; \
	done

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
