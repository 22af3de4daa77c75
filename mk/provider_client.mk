# Client layer libraries for the provider binaries (the provider layer calls src/client). This
# fragment sorts after provider.mk and tfplugin.mk, which set PROVIDER_LIBS. libyaml is linked
# statically (Debian ships libyaml.a) except in sanitizer builds.
# No libcurl: the client speaks HTTP/1.1 through src/net/httpc on the OpenSSL linked already
# (libcurl and its ~30 shared libraries cost each API launch 17 M instructions and 8 MiB; the test
# drivers still use libcurl as an independent client of the fault double).
ifeq ($(SANITIZE),)
PROVIDER_LIBS += -Wl,-Bstatic -lyaml -Wl,-Bdynamic
else
PROVIDER_LIBS += -lyaml
endif
