/* SPDX-License-Identifier: MIT */
/*
 * init: the provider definition this binary serves, in its own object file so that a test binary
 * can link main.c and the rest of the provider layer with another definition
 * (tests/framework/fwtest.c defines its own provider_served()).
 */
#include "provider/provider.h"

const struct fw_provider *provider_served(void)
{
	return &provider_scaleway;
}
