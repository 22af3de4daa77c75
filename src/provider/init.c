/* SPDX-License-Identifier: MIT */
/*
 * init: tf6_init() for terraform-provider-scaleway, in its own object file so that a test
 * binary can link the rest of the provider layer with another provider definition
 * (tests/framework/fwtest.c).
 */
#include "framework/tf6.h"
#include "provider/provider.h"

int tf6_init(void)
{
	return fw_init(&provider_scaleway);
}
