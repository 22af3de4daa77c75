# install: put terraform-provider-scaleway into a Terraform filesystem mirror.
#   make install                      -> ~/.terraform.d/plugins (Terraform's implied local mirror)
#   make install MIRROR=/some/dir     -> any directory used as a filesystem_mirror
# Layout (Terraform's "unpacked" mirror layout):
#   $(MIRROR)/registry.terraform.io/scaleway/scaleway/<version>/<os>_<arch>/terraform-provider-scaleway_v<version>
# Then `terraform init` in a configuration requiring source "scaleway/scaleway" (version = "<version>")
# installs it from the mirror. The version comes from PROVIDER_VERSION in src/provider/config.h.
PROVIDER_VERSION_STR := $(shell sed -n 's/^\#define PROVIDER_VERSION "\(.*\)"/\1/p' src/provider/config.h 2>/dev/null)
MIRROR ?= $(HOME)/.terraform.d/plugins
TF_PLATFORM := linux_$(shell uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')
INSTALL_DIR := $(MIRROR)/registry.terraform.io/scaleway/scaleway/$(PROVIDER_VERSION_STR)/$(TF_PLATFORM)

.PHONY: install install-bin
install: deps-check
	$(Q)$(MAKE) --no-print-directory install-bin

install-bin: $(BUILD)/terraform-provider-scaleway
	@test -n "$(PROVIDER_VERSION_STR)" || { echo "PROVIDER_VERSION not found in src/provider/config.h" >&2; exit 1; }
	$(Q)mkdir -p "$(INSTALL_DIR)"
	$(Q)install -m 0755 $(BUILD)/terraform-provider-scaleway "$(INSTALL_DIR)/terraform-provider-scaleway_v$(PROVIDER_VERSION_STR)"
	@echo "installed $(INSTALL_DIR)/terraform-provider-scaleway_v$(PROVIDER_VERSION_STR)"
	@echo "use it with: required_providers { scaleway = { source = \"scaleway/scaleway\", version = \"$(PROVIDER_VERSION_STR)\" } }"
