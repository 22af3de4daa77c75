# Client layer libraries for the provider binaries (the provider layer calls src/client). This
# fragment sorts after provider.mk and tfplugin.mk, which set PROVIDER_LIBS; libcurl and libyaml
# stay dynamic (static libcurl would drag in its whole TLS/IDN/HTTP2 dependency tree).
PROVIDER_LIBS += -lcurl -lyaml
