# proto: protoc-c generation of tfplugin6 (Terraform's provider protocol), go-plugin's services
# (controller, broker, stdio), grpc.health.v1, and the two well-known types they import.
# Output: $(BUILD)/gen/<path>.pb-c.{c,h}; the .c files join the tfplugin layer (libtfplugin.a).
# Every project object is ordered after the generated headers, so a clean parallel build works.

PROTO_DIR := proto
PROTO_SYS_INC := /usr/include
PROTO_OWN := tfplugin6.proto plugin/grpc_controller.proto plugin/grpc_broker.proto \
             plugin/grpc_stdio.proto grpc/health/v1/health.proto
PROTO_WKT := google/protobuf/timestamp.proto google/protobuf/empty.proto
PROTO_ALL := $(PROTO_OWN) $(PROTO_WKT)
PROTO_GEN_C := $(patsubst %.proto,$(BUILD)/gen/%.pb-c.c,$(PROTO_ALL))
PROTO_GEN_H := $(patsubst %.proto,$(BUILD)/gen/%.pb-c.h,$(PROTO_ALL))
PROTO_STAMP := $(BUILD)/gen/.proto-stamp

GEN_SRCS_tfplugin += $(PROTO_GEN_C)
# protoc-c's *__INIT macros for messages with a oneof (every proto3 `optional`) trip gcc's
# -Wmissing-braces; they are used from generated code and from the framework's handlers alike.
CFLAGS += -Wno-missing-braces

$(PROTO_STAMP): $(addprefix $(PROTO_DIR)/,$(PROTO_OWN)) mk/proto.mk
	@mkdir -p $(@D)
	@echo "  PROTOC  $(PROTO_OWN)"
	$(Q)protoc-c -I$(PROTO_DIR) -I$(PROTO_SYS_INC) --c_out=$(BUILD)/gen $(PROTO_ALL)
	$(Q)touch $@

$(PROTO_GEN_C) $(PROTO_GEN_H): $(PROTO_STAMP) ;

# Order every compilation after generation: objects of every layer, generated objects, unit
# tests and fuzz drivers (explicit targets without a recipe only add prerequisites).
PROTO_USERS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(wildcard src/*/*.c)) \
               $(patsubst $(BUILD)/gen/%.c,$(BUILD)/obj/gen/%.o,$(PROTO_GEN_C)) \
               $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/*/test_*.c)) \
               $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard fuzz/fuzz_*.c))
$(PROTO_USERS): | $(PROTO_GEN_H)
