# install: put terraform-provider-scaleway into a Terraform filesystem mirror of our own.
#   make install                  -> $(HOME)/.local/share/scw-iam/terraform-mirror (NOT an implied
#                                    mirror: other configurations requiring scaleway/scaleway keep
#                                    getting the official provider from the registry)
#   make install MIRROR=/some/dir -> any directory used as a filesystem_mirror
#   make uninstall [MIRROR=...]   -> removes exactly the file install added, and the directories
#                                    it leaves empty
# Layout (Terraform's "unpacked" mirror layout):
#   $(MIRROR)/registry.terraform.io/scaleway/scaleway/<version>/<os>_<arch>/terraform-provider-scaleway_v<version>
# install prints the CLI configuration (provider_installation) that uses the mirror for
# scaleway/scaleway only. The version comes from PROVIDER_VERSION in src/provider/config.h.
PROVIDER_VERSION_STR := $(shell sed -n 's/^\#define PROVIDER_VERSION "\(.*\)"/\1/p' src/provider/config.h 2>/dev/null)
MIRROR ?= $(HOME)/.local/share/scw-iam/terraform-mirror
TF_PLATFORM := linux_$(shell uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')
INSTALL_REL := registry.terraform.io/scaleway/scaleway/$(PROVIDER_VERSION_STR)/$(TF_PLATFORM)
INSTALL_DIR := $(abspath $(MIRROR))/$(INSTALL_REL)
INSTALL_BIN := $(INSTALL_DIR)/terraform-provider-scaleway_v$(PROVIDER_VERSION_STR)
# The directories install had to create (so that uninstall removes those and no others).
INSTALL_MANIFEST := $(abspath $(MIRROR))/.scw-iam-created-dirs

.PHONY: install install-bin uninstall
install: deps-check
	$(Q)$(MAKE) --no-print-directory install-bin

install-bin: $(BUILD)/terraform-provider-scaleway
	@test -n "$(PROVIDER_VERSION_STR)" || { echo "PROVIDER_VERSION not found in src/provider/config.h" >&2; exit 1; }
	@case "$(abspath $(MIRROR))/" in \
	  "$(HOME)/.terraform.d/plugins/"*|"$(HOME)/.local/share/terraform/plugins/"*|/usr/share/terraform/plugins/*|/usr/local/share/terraform/plugins/*) \
	    echo "warning: $(MIRROR) is one of Terraform's implied mirrors: every configuration on this machine" >&2; \
	    echo "         that requires scaleway/scaleway will now only find version $(PROVIDER_VERSION_STR) there" >&2;; \
	esac
	$(Q)created=$$(LC_ALL=C mkdir -pv "$(INSTALL_DIR)" | sed -n "s/^mkdir: created directory '\(.*\)'$$/\1/p"); \
	  if [ -n "$$created" ]; then printf '%s\n' "$$created" >> "$(INSTALL_MANIFEST)"; fi
	$(Q)install -m 0755 $(BUILD)/terraform-provider-scaleway "$(INSTALL_BIN)"
	@echo "installed $(INSTALL_BIN)"
	@echo
	@echo "To use it, put this in a Terraform CLI configuration file (~/.terraformrc, or the file named"
	@echo "by TF_CLI_CONFIG_FILE): scaleway/scaleway comes from this mirror, every other provider from"
	@echo "the registry as before."
	@echo
	@echo 'provider_installation {'
	@echo '  filesystem_mirror {'
	@echo '    path    = "$(abspath $(MIRROR))"'
	@echo '    include = ["registry.terraform.io/scaleway/scaleway"]'
	@echo '  }'
	@echo '  direct {'
	@echo '    exclude = ["registry.terraform.io/scaleway/scaleway"]'
	@echo '  }'
	@echo '}'
	@echo
	@echo 'and require it with: scaleway = { source = "scaleway/scaleway", version = "$(PROVIDER_VERSION_STR)" }'
	@echo "After re-installing a rebuilt $(PROVIDER_VERSION_STR), run once in each configuration initialised before"
	@echo "(its .terraform.lock.hcl holds the old build's checksum, and init, even -upgrade, refuses the new one):"
	@echo "  terraform providers lock -fs-mirror=$(abspath $(MIRROR)) -platform=$(TF_PLATFORM) registry.terraform.io/scaleway/scaleway"

uninstall:
	$(Q)rm -f "$(INSTALL_BIN)"
	$(Q)d="$(INSTALL_DIR)"; while [ "$$d" != "$(abspath $(MIRROR))" ] && rmdir "$$d" 2>/dev/null; do d=$$(dirname "$$d"); done
	$(Q)if [ -f "$(INSTALL_MANIFEST)" ]; then \
	  dirs=$$(sort -r "$(INSTALL_MANIFEST)"); rm -f "$(INSTALL_MANIFEST)"; \
	  printf '%s\n' "$$dirs" | while IFS= read -r d; do rmdir "$$d" 2>/dev/null || true; done; fi
	@echo "removed $(INSTALL_BIN)"
