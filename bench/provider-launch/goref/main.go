// SPDX-License-Identifier: MIT
//
// goref: the Go reference for bench/provider-launch. A minimal provider process built the way Go
// providers are: HashiCorp go-plugin's plugin.Serve (Debian's golang-github-hashicorp-go-plugin-dev,
// with its AutoMTLS, controller, broker and health services) on grpc-go. It answers
// /tfplugin6.Provider/GetProviderSchema with an empty provider schema (raw bytes through an
// unknown-service handler, so no generated code) and nothing else. A real Go provider does
// strictly more work at startup (schema construction, SDK init), so this is a lower bound.
package main

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	plugin "github.com/hashicorp/go-plugin"
	"golang.org/x/net/context"
)

type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) Name() string   { return "proto" }
func (rawCodec) String() string { return "proto" }

// provider: a go-plugin GRPCPlugin with nothing to register (the handler below serves the calls).
type provider struct{ plugin.NetRPCUnsupportedPlugin }

func (provider) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }
func (provider) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (interface{}, error) {
	return nil, nil
}

// Empty provider schema: GetProviderSchema.Response{provider: Schema{block: Block{}}}.
var schemaResp = []byte{0x0a, 0x02, 0x12, 0x00}

func handler(srv interface{}, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	var req []byte
	if err := stream.RecvMsg(&req); err != nil {
		return err
	}
	if method != "/tfplugin6.Provider/GetProviderSchema" {
		return status.Error(codes.Unimplemented, method)
	}
	resp := schemaResp
	return stream.SendMsg(&resp)
}

func main() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			ProtocolVersion:  6,
			MagicCookieKey:   "TF_PLUGIN_MAGIC_COOKIE",
			MagicCookieValue: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		},
		VersionedPlugins: map[int]plugin.PluginSet{6: {"provider": provider{}}},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			opts = append(opts, grpc.UnknownServiceHandler(handler), grpc.CustomCodec(rawCodec{}))
			return grpc.NewServer(opts...)
		},
	})
}
