# grpc: the conformance test server (the gRPC layer alone, with test methods), driven by
# tests/conformance/goplugin; and the Go conformance client itself, built offline from Debian's
# Go packages (go-plugin, grpc-go) in GOPATH mode.

GRPC_TEST_SERVER := $(BUILD)/tests/grpc-test-server
GOPLUGIN_CONFORMANCE := $(BUILD)/tests/goplugin-conformance
BINS += $(GRPC_TEST_SERVER)
GRPC_DEPLIBS := $(foreach l,$(LAYERS),$(BUILD)/lib$(l).a)

$(GRPC_TEST_SERVER): tests/conformance/grpcsrv/grpc_test_server.c $(GRPC_DEPLIBS)
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) -Wl,--start-group $(GRPC_DEPLIBS) -Wl,--end-group \
		-lnghttp2 -lprotobuf-c -lssl -lcrypto -lm

# Not in BINS: tests/suites/40-provider-transport builds it on demand (it needs golang-go).
$(GOPLUGIN_CONFORMANCE): $(wildcard tests/conformance/goplugin/*.go)
	@mkdir -p $(@D) $(BUILD)/gocache
	@echo "  GO      $@"
	$(Q)cd tests/conformance/goplugin && GO111MODULE=off GOPATH=/usr/share/gocode \
		GOCACHE=$(abspath $(BUILD))/gocache GOFLAGS= go build -o $(abspath $@) .
