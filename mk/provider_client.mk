# Client layer libraries for the provider binaries (the provider layer calls src/client). This
# fragment sorts after provider.mk and tfplugin.mk, which set PROVIDER_LIBS. libyaml is linked
# statically (Debian ships libyaml.a) except in sanitizer builds.
# libcurl is not linked: src/client/curl_lazy.c dlopen()s it on the first API call, so launches
# that never call the API (schema, validate) do not load its ~30 shared libraries; static libcurl
# would drag in its whole TLS/IDN/HTTP2 dependency tree. At run time the provider needs libcurl4.
ifeq ($(SANITIZE),)
PROVIDER_LIBS += -Wl,-Bstatic -lyaml -Wl,-Bdynamic -ldl
else
PROVIDER_LIBS += -lyaml -ldl
endif
