/* SPDX-License-Identifier: MIT */
/*
 * iam_permsets: the permission sets scw-iamd knows and the provider checks rules against, with their scope type. The organization-level
 * sets are Scaleway's (IAM, organization, billing, support, audit); the project-level sets are a
 * FullAccess / ReadOnly pair per product, accepted in rules and listed, but they govern nothing
 * this server serves. Sorted by name (bsearch). Ids are derived from the names, so they are the
 * same on every instance and every run.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/compat.h"
#include "common/iam_permsets.h"

const struct iam_permset iam_permsets[] = {
	{ "AbuseTicketManager", IAM_SCOPE_ORGANIZATION, "Support", "Full access to abuse tickets" },
	{ "AllProductsFullAccess", IAM_SCOPE_PROJECTS, "All products", "Full access to All products" },
	{ "AllProductsReadOnly", IAM_SCOPE_PROJECTS, "All products", "Read access to All products" },
	{ "AppleSiliconFullAccess", IAM_SCOPE_PROJECTS, "Apple silicon", "Full access to Apple silicon" },
	{ "AppleSiliconReadOnly", IAM_SCOPE_PROJECTS, "Apple silicon", "Read access to Apple silicon" },
	{ "AuditTrailExportDelete", IAM_SCOPE_ORGANIZATION, "Audit Trail", "Delete Audit Trail exports" },
	{ "AuditTrailExportRead", IAM_SCOPE_ORGANIZATION, "Audit Trail", "Read Audit Trail exports" },
	{ "AuditTrailFullAccess", IAM_SCOPE_ORGANIZATION, "Audit Trail", "Full access to Audit Trail" },
	{ "AuditTrailReadOnly", IAM_SCOPE_ORGANIZATION, "Audit Trail", "Read access to Audit Trail events" },
	{ "BillingManager", IAM_SCOPE_ORGANIZATION, "Billing", "Full access to billing" },
	{ "BillingReadOnly", IAM_SCOPE_ORGANIZATION, "Billing", "Read access to billing" },
	{ "BlockStorageFullAccess", IAM_SCOPE_PROJECTS, "Block Storage", "Full access to Block Storage" },
	{ "BlockStorageReadOnly", IAM_SCOPE_PROJECTS, "Block Storage", "Read access to Block Storage" },
	{ "CockpitFullAccess", IAM_SCOPE_PROJECTS, "Cockpit", "Full access to Cockpit" },
	{ "CockpitReadOnly", IAM_SCOPE_PROJECTS, "Cockpit", "Read access to Cockpit" },
	{ "ContainerRegistryFullAccess", IAM_SCOPE_PROJECTS, "Container Registry",
	  "Full access to Container Registry" },
	{ "ContainerRegistryReadOnly", IAM_SCOPE_PROJECTS, "Container Registry", "Read access to Container Registry" },
	{ "ContainersFullAccess", IAM_SCOPE_PROJECTS, "Serverless Containers", "Full access to Serverless Containers" },
	{ "ContainersReadOnly", IAM_SCOPE_PROJECTS, "Serverless Containers", "Read access to Serverless Containers" },
	{ "DataLabFullAccess", IAM_SCOPE_PROJECTS, "Data Lab", "Full access to Data Lab" },
	{ "DataLabReadOnly", IAM_SCOPE_PROJECTS, "Data Lab", "Read access to Data Lab" },
	{ "DedicatedServersFullAccess", IAM_SCOPE_PROJECTS, "Dedibox", "Full access to Dedibox" },
	{ "DedicatedServersReadOnly", IAM_SCOPE_PROJECTS, "Dedibox", "Read access to Dedibox" },
	{ "DomainsDNSFullAccess", IAM_SCOPE_PROJECTS, "Domains and DNS", "Full access to Domains and DNS" },
	{ "DomainsDNSReadOnly", IAM_SCOPE_PROJECTS, "Domains and DNS", "Read access to Domains and DNS" },
	{ "EdgeServicesFullAccess", IAM_SCOPE_PROJECTS, "Edge Services", "Full access to Edge Services" },
	{ "EdgeServicesReadOnly", IAM_SCOPE_PROJECTS, "Edge Services", "Read access to Edge Services" },
	{ "ElasticMetalFullAccess", IAM_SCOPE_PROJECTS, "Elastic Metal", "Full access to Elastic Metal" },
	{ "ElasticMetalReadOnly", IAM_SCOPE_PROJECTS, "Elastic Metal", "Read access to Elastic Metal" },
	{ "EnvironmentalImpactReadOnly", IAM_SCOPE_ORGANIZATION, "Environmental Footprint",
	  "Read access to the environmental footprint" },
	{ "FlexibleIPsFullAccess", IAM_SCOPE_PROJECTS, "Flexible IPs", "Full access to Flexible IPs" },
	{ "FlexibleIPsReadOnly", IAM_SCOPE_PROJECTS, "Flexible IPs", "Read access to Flexible IPs" },
	{ "FunctionsFullAccess", IAM_SCOPE_PROJECTS, "Serverless Functions", "Full access to Serverless Functions" },
	{ "FunctionsReadOnly", IAM_SCOPE_PROJECTS, "Serverless Functions", "Read access to Serverless Functions" },
	{ "IAMApplicationManager", IAM_SCOPE_ORGANIZATION, "IAM", "Full access to applications and their API keys" },
	{ "IAMApplicationReadOnly", IAM_SCOPE_ORGANIZATION, "IAM", "Read access to applications and their API keys" },
	{ "IAMGroupManager", IAM_SCOPE_ORGANIZATION, "IAM", "Full access to groups" },
	{ "IAMGroupReadOnly", IAM_SCOPE_ORGANIZATION, "IAM", "Read access to groups" },
	{ "IAMManager", IAM_SCOPE_ORGANIZATION, "IAM",
	  "Full access to users, groups, applications, policies and API keys, and to project management" },
	{ "IAMPolicyManager", IAM_SCOPE_ORGANIZATION, "IAM", "Full access to policies and their rules" },
	{ "IAMPolicyReadOnly", IAM_SCOPE_ORGANIZATION, "IAM", "Read access to policies and their rules" },
	{ "IAMReadOnly", IAM_SCOPE_ORGANIZATION, "IAM",
	  "Read access to users, groups, applications, policies and API keys" },
	{ "IAMUserManager", IAM_SCOPE_ORGANIZATION, "IAM", "Full access to users and their API keys" },
	{ "IAMUserReadOnly", IAM_SCOPE_ORGANIZATION, "IAM", "Read access to users and their API keys" },
	{ "IOTFullAccess", IAM_SCOPE_PROJECTS, "IoT Hub", "Full access to IoT Hub" },
	{ "IOTReadOnly", IAM_SCOPE_PROJECTS, "IoT Hub", "Read access to IoT Hub" },
	{ "IPAMFullAccess", IAM_SCOPE_PROJECTS, "IPAM", "Full access to IPAM" },
	{ "IPAMReadOnly", IAM_SCOPE_PROJECTS, "IPAM", "Read access to IPAM" },
	{ "InstancesAndBlockFullAccess", IAM_SCOPE_PROJECTS, "Instances", "Full access to Instances" },
	{ "InstancesAndBlockReadOnly", IAM_SCOPE_PROJECTS, "Instances", "Read access to Instances" },
	{ "InstancesFullAccess", IAM_SCOPE_PROJECTS, "Instances", "Full access to Instances" },
	{ "InstancesReadOnly", IAM_SCOPE_PROJECTS, "Instances", "Read access to Instances" },
	{ "JobsFullAccess", IAM_SCOPE_PROJECTS, "Serverless Jobs", "Full access to Serverless Jobs" },
	{ "JobsReadOnly", IAM_SCOPE_PROJECTS, "Serverless Jobs", "Read access to Serverless Jobs" },
	{ "KeyManagerFullAccess", IAM_SCOPE_PROJECTS, "Key Manager", "Full access to Key Manager" },
	{ "KeyManagerReadOnly", IAM_SCOPE_PROJECTS, "Key Manager", "Read access to Key Manager" },
	{ "KubernetesFullAccess", IAM_SCOPE_PROJECTS, "Kubernetes", "Full access to Kubernetes" },
	{ "KubernetesReadOnly", IAM_SCOPE_PROJECTS, "Kubernetes", "Read access to Kubernetes" },
	{ "LoadBalancersFullAccess", IAM_SCOPE_PROJECTS, "Load Balancer", "Full access to Load Balancer" },
	{ "LoadBalancersReadOnly", IAM_SCOPE_PROJECTS, "Load Balancer", "Read access to Load Balancer" },
	{ "ManagedDatabasesFullAccess", IAM_SCOPE_PROJECTS, "Managed Databases", "Full access to Managed Databases" },
	{ "ManagedDatabasesReadOnly", IAM_SCOPE_PROJECTS, "Managed Databases", "Read access to Managed Databases" },
	{ "ManagedInferenceFullAccess", IAM_SCOPE_PROJECTS, "Managed Inference", "Full access to Managed Inference" },
	{ "ManagedInferenceReadOnly", IAM_SCOPE_PROJECTS, "Managed Inference", "Read access to Managed Inference" },
	{ "MessagingAndQueuingFullAccess", IAM_SCOPE_PROJECTS, "Messaging and Queuing",
	  "Full access to Messaging and Queuing" },
	{ "MessagingAndQueuingReadOnly", IAM_SCOPE_PROJECTS, "Messaging and Queuing",
	  "Read access to Messaging and Queuing" },
	{ "NotificationManagerFullAccess", IAM_SCOPE_ORGANIZATION, "Notifications", "Full access to notifications" },
	{ "NotificationManagerReadOnly", IAM_SCOPE_ORGANIZATION, "Notifications", "Read access to notifications" },
	{ "ObjectStorageFullAccess", IAM_SCOPE_PROJECTS, "Object Storage", "Full access to Object Storage" },
	{ "ObjectStorageReadOnly", IAM_SCOPE_PROJECTS, "Object Storage", "Read access to Object Storage" },
	{ "OrganizationManager", IAM_SCOPE_ORGANIZATION, "Organization",
	  "Full access to the organization, IAM included" },
	{ "OrganizationReadOnly", IAM_SCOPE_ORGANIZATION, "Organization",
	  "Read access to organization information and quotas" },
	{ "PrivateNetworksFullAccess", IAM_SCOPE_PROJECTS, "Private Networks", "Full access to Private Networks" },
	{ "PrivateNetworksReadOnly", IAM_SCOPE_PROJECTS, "Private Networks", "Read access to Private Networks" },
	{ "ProjectManager", IAM_SCOPE_ORGANIZATION, "Organization", "Full access to projects" },
	{ "ProjectReadOnly", IAM_SCOPE_ORGANIZATION, "Organization", "Read access to projects" },
	{ "PublicGatewaysFullAccess", IAM_SCOPE_PROJECTS, "Public Gateways", "Full access to Public Gateways" },
	{ "PublicGatewaysReadOnly", IAM_SCOPE_PROJECTS, "Public Gateways", "Read access to Public Gateways" },
	{ "RedisClustersFullAccess", IAM_SCOPE_PROJECTS, "Redis", "Full access to Redis" },
	{ "RedisClustersReadOnly", IAM_SCOPE_PROJECTS, "Redis", "Read access to Redis" },
	{ "SSHKeysFullAccess", IAM_SCOPE_PROJECTS, "SSH keys", "Full access to SSH keys" },
	{ "SSHKeysReadOnly", IAM_SCOPE_PROJECTS, "SSH keys", "Read access to SSH keys" },
	{ "SecretManagerFullAccess", IAM_SCOPE_PROJECTS, "Secret Manager", "Full access to Secret Manager" },
	{ "SecretManagerReadOnly", IAM_SCOPE_PROJECTS, "Secret Manager", "Read access to Secret Manager" },
	{ "ServerlessSQLDatabaseFullAccess", IAM_SCOPE_PROJECTS, "Serverless SQL Database",
	  "Full access to Serverless SQL Database" },
	{ "ServerlessSQLDatabaseReadOnly", IAM_SCOPE_PROJECTS, "Serverless SQL Database",
	  "Read access to Serverless SQL Database" },
	{ "SupportTicketManager", IAM_SCOPE_ORGANIZATION, "Support", "Full access to support tickets" },
	{ "SupportTicketReadOnly", IAM_SCOPE_ORGANIZATION, "Support", "Read access to support tickets" },
	{ "TransactionalEmailFullAccess", IAM_SCOPE_PROJECTS, "Transactional Email",
	  "Full access to Transactional Email" },
	{ "TransactionalEmailReadOnly", IAM_SCOPE_PROJECTS, "Transactional Email",
	  "Read access to Transactional Email" },
	{ "VPCFullAccess", IAM_SCOPE_PROJECTS, "VPC", "Full access to VPC" },
	{ "VPCReadOnly", IAM_SCOPE_PROJECTS, "VPC", "Read access to VPC" },
	{ "WebHostingFullAccess", IAM_SCOPE_PROJECTS, "Web Hosting", "Full access to Web Hosting" },
	{ "WebHostingReadOnly", IAM_SCOPE_PROJECTS, "Web Hosting", "Read access to Web Hosting" },
};

const size_t iam_npermsets = sizeof(iam_permsets) / sizeof(iam_permsets[0]);

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct iam_permset *)elem)->name);
}

const struct iam_permset *iam_permset_find(const char *name)
{
	return bsearch(name, iam_permsets, iam_npermsets, sizeof(iam_permsets[0]), by_name);
}

void iam_permset_id(const struct iam_permset *set, char *out)
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
