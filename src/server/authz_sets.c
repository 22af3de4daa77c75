/* SPDX-License-Identifier: MIT */
/*
 * authz_sets: the permission sets scw-iamd knows, with their scope type. The organization-level
 * sets are Scaleway's (IAM, organization, billing, support, audit); the project-level sets are a
 * FullAccess / ReadOnly pair per product, accepted in rules and listed, but they govern nothing
 * this server serves. Sorted by name (bsearch). Ids are derived from the names, so they are the
 * same on every instance and every run.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "server/authz.h"

const struct authz_set authz_sets[] = {
	{ "AbuseTicketManager", STORE_SCOPE_ORGANIZATION, "Support", "Full access to abuse tickets" },
	{ "AllProductsFullAccess", STORE_SCOPE_PROJECTS, "All products", "Full access to All products" },
	{ "AllProductsReadOnly", STORE_SCOPE_PROJECTS, "All products", "Read access to All products" },
	{ "AppleSiliconFullAccess", STORE_SCOPE_PROJECTS, "Apple silicon", "Full access to Apple silicon" },
	{ "AppleSiliconReadOnly", STORE_SCOPE_PROJECTS, "Apple silicon", "Read access to Apple silicon" },
	{ "AuditTrailExportDelete", STORE_SCOPE_ORGANIZATION, "Audit Trail", "Delete Audit Trail exports" },
	{ "AuditTrailExportRead", STORE_SCOPE_ORGANIZATION, "Audit Trail", "Read Audit Trail exports" },
	{ "AuditTrailFullAccess", STORE_SCOPE_ORGANIZATION, "Audit Trail", "Full access to Audit Trail" },
	{ "AuditTrailReadOnly", STORE_SCOPE_ORGANIZATION, "Audit Trail", "Read access to Audit Trail events" },
	{ "BillingManager", STORE_SCOPE_ORGANIZATION, "Billing", "Full access to billing" },
	{ "BillingReadOnly", STORE_SCOPE_ORGANIZATION, "Billing", "Read access to billing" },
	{ "BlockStorageFullAccess", STORE_SCOPE_PROJECTS, "Block Storage", "Full access to Block Storage" },
	{ "BlockStorageReadOnly", STORE_SCOPE_PROJECTS, "Block Storage", "Read access to Block Storage" },
	{ "CockpitFullAccess", STORE_SCOPE_PROJECTS, "Cockpit", "Full access to Cockpit" },
	{ "CockpitReadOnly", STORE_SCOPE_PROJECTS, "Cockpit", "Read access to Cockpit" },
	{ "ContainerRegistryFullAccess", STORE_SCOPE_PROJECTS, "Container Registry", "Full access to Container Registry" },
	{ "ContainerRegistryReadOnly", STORE_SCOPE_PROJECTS, "Container Registry", "Read access to Container Registry" },
	{ "ContainersFullAccess", STORE_SCOPE_PROJECTS, "Serverless Containers", "Full access to Serverless Containers" },
	{ "ContainersReadOnly", STORE_SCOPE_PROJECTS, "Serverless Containers", "Read access to Serverless Containers" },
	{ "DataLabFullAccess", STORE_SCOPE_PROJECTS, "Data Lab", "Full access to Data Lab" },
	{ "DataLabReadOnly", STORE_SCOPE_PROJECTS, "Data Lab", "Read access to Data Lab" },
	{ "DedicatedServersFullAccess", STORE_SCOPE_PROJECTS, "Dedibox", "Full access to Dedibox" },
	{ "DedicatedServersReadOnly", STORE_SCOPE_PROJECTS, "Dedibox", "Read access to Dedibox" },
	{ "DomainsDNSFullAccess", STORE_SCOPE_PROJECTS, "Domains and DNS", "Full access to Domains and DNS" },
	{ "DomainsDNSReadOnly", STORE_SCOPE_PROJECTS, "Domains and DNS", "Read access to Domains and DNS" },
	{ "EdgeServicesFullAccess", STORE_SCOPE_PROJECTS, "Edge Services", "Full access to Edge Services" },
	{ "EdgeServicesReadOnly", STORE_SCOPE_PROJECTS, "Edge Services", "Read access to Edge Services" },
	{ "ElasticMetalFullAccess", STORE_SCOPE_PROJECTS, "Elastic Metal", "Full access to Elastic Metal" },
	{ "ElasticMetalReadOnly", STORE_SCOPE_PROJECTS, "Elastic Metal", "Read access to Elastic Metal" },
	{ "EnvironmentalImpactReadOnly", STORE_SCOPE_ORGANIZATION, "Environmental Footprint", "Read access to the environmental footprint" },
	{ "FlexibleIPsFullAccess", STORE_SCOPE_PROJECTS, "Flexible IPs", "Full access to Flexible IPs" },
	{ "FlexibleIPsReadOnly", STORE_SCOPE_PROJECTS, "Flexible IPs", "Read access to Flexible IPs" },
	{ "FunctionsFullAccess", STORE_SCOPE_PROJECTS, "Serverless Functions", "Full access to Serverless Functions" },
	{ "FunctionsReadOnly", STORE_SCOPE_PROJECTS, "Serverless Functions", "Read access to Serverless Functions" },
	{ "IAMApplicationManager", STORE_SCOPE_ORGANIZATION, "IAM", "Full access to applications and their API keys" },
	{ "IAMApplicationReadOnly", STORE_SCOPE_ORGANIZATION, "IAM", "Read access to applications and their API keys" },
	{ "IAMGroupManager", STORE_SCOPE_ORGANIZATION, "IAM", "Full access to groups" },
	{ "IAMGroupReadOnly", STORE_SCOPE_ORGANIZATION, "IAM", "Read access to groups" },
	{ "IAMManager", STORE_SCOPE_ORGANIZATION, "IAM", "Full access to users, groups, applications, policies and API keys, and to project management" },
	{ "IAMPolicyManager", STORE_SCOPE_ORGANIZATION, "IAM", "Full access to policies and their rules" },
	{ "IAMPolicyReadOnly", STORE_SCOPE_ORGANIZATION, "IAM", "Read access to policies and their rules" },
	{ "IAMReadOnly", STORE_SCOPE_ORGANIZATION, "IAM", "Read access to users, groups, applications, policies and API keys" },
	{ "IAMUserManager", STORE_SCOPE_ORGANIZATION, "IAM", "Full access to users and their API keys" },
	{ "IAMUserReadOnly", STORE_SCOPE_ORGANIZATION, "IAM", "Read access to users and their API keys" },
	{ "IOTFullAccess", STORE_SCOPE_PROJECTS, "IoT Hub", "Full access to IoT Hub" },
	{ "IOTReadOnly", STORE_SCOPE_PROJECTS, "IoT Hub", "Read access to IoT Hub" },
	{ "IPAMFullAccess", STORE_SCOPE_PROJECTS, "IPAM", "Full access to IPAM" },
	{ "IPAMReadOnly", STORE_SCOPE_PROJECTS, "IPAM", "Read access to IPAM" },
	{ "InstancesAndBlockFullAccess", STORE_SCOPE_PROJECTS, "Instances", "Full access to Instances" },
	{ "InstancesAndBlockReadOnly", STORE_SCOPE_PROJECTS, "Instances", "Read access to Instances" },
	{ "InstancesFullAccess", STORE_SCOPE_PROJECTS, "Instances", "Full access to Instances" },
	{ "InstancesReadOnly", STORE_SCOPE_PROJECTS, "Instances", "Read access to Instances" },
	{ "JobsFullAccess", STORE_SCOPE_PROJECTS, "Serverless Jobs", "Full access to Serverless Jobs" },
	{ "JobsReadOnly", STORE_SCOPE_PROJECTS, "Serverless Jobs", "Read access to Serverless Jobs" },
	{ "KeyManagerFullAccess", STORE_SCOPE_PROJECTS, "Key Manager", "Full access to Key Manager" },
	{ "KeyManagerReadOnly", STORE_SCOPE_PROJECTS, "Key Manager", "Read access to Key Manager" },
	{ "KubernetesFullAccess", STORE_SCOPE_PROJECTS, "Kubernetes", "Full access to Kubernetes" },
	{ "KubernetesReadOnly", STORE_SCOPE_PROJECTS, "Kubernetes", "Read access to Kubernetes" },
	{ "LoadBalancersFullAccess", STORE_SCOPE_PROJECTS, "Load Balancer", "Full access to Load Balancer" },
	{ "LoadBalancersReadOnly", STORE_SCOPE_PROJECTS, "Load Balancer", "Read access to Load Balancer" },
	{ "ManagedDatabasesFullAccess", STORE_SCOPE_PROJECTS, "Managed Databases", "Full access to Managed Databases" },
	{ "ManagedDatabasesReadOnly", STORE_SCOPE_PROJECTS, "Managed Databases", "Read access to Managed Databases" },
	{ "ManagedInferenceFullAccess", STORE_SCOPE_PROJECTS, "Managed Inference", "Full access to Managed Inference" },
	{ "ManagedInferenceReadOnly", STORE_SCOPE_PROJECTS, "Managed Inference", "Read access to Managed Inference" },
	{ "MessagingAndQueuingFullAccess", STORE_SCOPE_PROJECTS, "Messaging and Queuing", "Full access to Messaging and Queuing" },
	{ "MessagingAndQueuingReadOnly", STORE_SCOPE_PROJECTS, "Messaging and Queuing", "Read access to Messaging and Queuing" },
	{ "NotificationManagerFullAccess", STORE_SCOPE_ORGANIZATION, "Notifications", "Full access to notifications" },
	{ "NotificationManagerReadOnly", STORE_SCOPE_ORGANIZATION, "Notifications", "Read access to notifications" },
	{ "ObjectStorageFullAccess", STORE_SCOPE_PROJECTS, "Object Storage", "Full access to Object Storage" },
	{ "ObjectStorageReadOnly", STORE_SCOPE_PROJECTS, "Object Storage", "Read access to Object Storage" },
	{ "OrganizationManager", STORE_SCOPE_ORGANIZATION, "Organization", "Full access to the organization, IAM included" },
	{ "OrganizationReadOnly", STORE_SCOPE_ORGANIZATION, "Organization", "Read access to organization information and quotas" },
	{ "PrivateNetworksFullAccess", STORE_SCOPE_PROJECTS, "Private Networks", "Full access to Private Networks" },
	{ "PrivateNetworksReadOnly", STORE_SCOPE_PROJECTS, "Private Networks", "Read access to Private Networks" },
	{ "ProjectManager", STORE_SCOPE_ORGANIZATION, "Organization", "Full access to projects" },
	{ "ProjectReadOnly", STORE_SCOPE_ORGANIZATION, "Organization", "Read access to projects" },
	{ "PublicGatewaysFullAccess", STORE_SCOPE_PROJECTS, "Public Gateways", "Full access to Public Gateways" },
	{ "PublicGatewaysReadOnly", STORE_SCOPE_PROJECTS, "Public Gateways", "Read access to Public Gateways" },
	{ "RedisClustersFullAccess", STORE_SCOPE_PROJECTS, "Redis", "Full access to Redis" },
	{ "RedisClustersReadOnly", STORE_SCOPE_PROJECTS, "Redis", "Read access to Redis" },
	{ "SSHKeysFullAccess", STORE_SCOPE_PROJECTS, "SSH keys", "Full access to SSH keys" },
	{ "SSHKeysReadOnly", STORE_SCOPE_PROJECTS, "SSH keys", "Read access to SSH keys" },
	{ "SecretManagerFullAccess", STORE_SCOPE_PROJECTS, "Secret Manager", "Full access to Secret Manager" },
	{ "SecretManagerReadOnly", STORE_SCOPE_PROJECTS, "Secret Manager", "Read access to Secret Manager" },
	{ "ServerlessSQLDatabaseFullAccess", STORE_SCOPE_PROJECTS, "Serverless SQL Database", "Full access to Serverless SQL Database" },
	{ "ServerlessSQLDatabaseReadOnly", STORE_SCOPE_PROJECTS, "Serverless SQL Database", "Read access to Serverless SQL Database" },
	{ "SupportTicketManager", STORE_SCOPE_ORGANIZATION, "Support", "Full access to support tickets" },
	{ "SupportTicketReadOnly", STORE_SCOPE_ORGANIZATION, "Support", "Read access to support tickets" },
	{ "TransactionalEmailFullAccess", STORE_SCOPE_PROJECTS, "Transactional Email", "Full access to Transactional Email" },
	{ "TransactionalEmailReadOnly", STORE_SCOPE_PROJECTS, "Transactional Email", "Read access to Transactional Email" },
	{ "VPCFullAccess", STORE_SCOPE_PROJECTS, "VPC", "Full access to VPC" },
	{ "VPCReadOnly", STORE_SCOPE_PROJECTS, "VPC", "Read access to VPC" },
	{ "WebHostingFullAccess", STORE_SCOPE_PROJECTS, "Web Hosting", "Full access to Web Hosting" },
	{ "WebHostingReadOnly", STORE_SCOPE_PROJECTS, "Web Hosting", "Read access to Web Hosting" },
};

const size_t authz_nsets = sizeof(authz_sets) / sizeof(authz_sets[0]);

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct authz_set *)elem)->name);
}

const struct authz_set *authz_set_find(const char *name)
{
	return bsearch(name, authz_sets, authz_nsets, sizeof(authz_sets[0]), by_name);
}

void authz_set_id(const struct authz_set *set, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;
	size_t i, o = 0;

	memset(md, 0, sizeof(md));
	EVP_Digest(set->name, strlen(set->name), md, &mdlen, EVP_sha256(), NULL);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x40); /* shaped like a version 4 UUID */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[md[i] >> 4];
		out[o++] = hex[md[i] & 15];
	}
	out[o] = '\0';
}
