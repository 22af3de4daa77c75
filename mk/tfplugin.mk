# tfplugin/cty + framework: the cty codecs parse JSON with jansson. This fragment sorts after
# provider.mk, so it can add jansson to the provider binary's libraries (static like the other
# protocol libraries; dynamic in the sanitizer build).
ifeq ($(SANITIZE),)
PROVIDER_LIBS += -Wl,-Bstatic -ljansson -Wl,-Bdynamic
else
PROVIDER_LIBS += -ljansson
endif
