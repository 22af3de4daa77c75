/* SPDX-License-Identifier: MIT */
/*
 * The AutoMTLS server's ephemeral private key is cleared by OpenSSL when the context is freed,
 * and the context asks OpenSSL to cleanse decrypted plaintext. OpenSSL's allocator is routed
 * (CRYPTO_set_mem_functions, before any OpenSSL allocation) through a free() that scans every
 * block it releases for the key's private scalar, in the little-endian word layout of a
 * BIGNUM: after tls_server_free() no released block may still hold it. A control block freed
 * without clearing proves the scan sees the scalar when it is there; that the key is freed at
 * all is LeakSanitizer's part in the sanitizer build.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "common/mem.h"
#include "net/tls.h"
#include "test.h"

static unsigned char priv_le[32]; /* the scalar being looked for */
static int hunting;               /* scan frees only while set */
static int found;                 /* freed blocks that still held it */

static void *h_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return malloc(n);
}

static void *h_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	return realloc(p, n);
}

static void h_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	if (p && hunting) {
		size_t n = malloc_usable_size(p);

		if (n >= sizeof(priv_le) && memmem(p, n, priv_le, sizeof(priv_le)))
			found++;
	}
	free(p);
}

/* A client certificate for tls_server_new() (any valid one: no handshake happens here). */
static char *client_pem(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *m = NULL;
	char *pem = NULL;

	if (k && x && b) {
		X509_set_version(x, 2);
		ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
		X509_gmtime_adj(X509_getm_notBefore(x), 0);
		X509_gmtime_adj(X509_getm_notAfter(x), 3600);
		X509_set_pubkey(x, k);
		X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)"c", -1,
					   -1, 0);
		X509_set_issuer_name(x, X509_get_subject_name(x));
		if (X509_sign(x, k, EVP_sha256()) > 0 && PEM_write_bio_X509(b, x) == 1) {
			BIO_get_mem_ptr(b, &m);
			pem = mem_strndup(m->data, m->length);
		}
	}
	BIO_free(b);
	X509_free(x);
	EVP_PKEY_free(k);
	return pem;
}

TEST(ephemeral_key_is_cleared_when_the_context_is_freed)
{
	struct tls_server *t = NULL;
	char *pem = client_pem();
	EVP_PKEY *key;
	BIGNUM *d = NULL;
	BIGNUM *ctl;

	ASSERT(pem != NULL);
	ASSERT_EQ_INT(tls_server_new(pem, &t), 0);
	free(pem);
	key = SSL_CTX_get0_privatekey(tls_server_ctx(t));
	ASSERT(key != NULL);
	ASSERT_EQ_INT(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
	ASSERT_EQ_INT(BN_bn2lebinpad(d, priv_le, sizeof(priv_le)), (int)sizeof(priv_le));
	BN_clear_free(d);
	/* Control: a BIGNUM holding the scalar, freed without clearing (BN_free), is seen: the
	 * scan and the assumed memory layout are right. */
	ctl = BN_lebin2bn(priv_le, sizeof(priv_le), NULL);
	ASSERT(ctl != NULL);
	hunting = 1;
	found = 0;
	BN_free(ctl);
	ASSERT_EQ_INT(found, 1);
	found = 0;
	tls_server_free(t);
	hunting = 0;
	ASSERT_EQ_INT(found, 0);
}

TEST(context_cleanses_decrypted_plaintext)
{
	struct tls_server *t = NULL;
	char *pem = client_pem();

	ASSERT(pem != NULL);
	ASSERT_EQ_INT(tls_server_new(pem, &t), 0);
	free(pem);
	ASSERT(SSL_CTX_get_options(tls_server_ctx(t)) & SSL_OP_CLEANSE_PLAINTEXT);
	tls_server_free(t);
}

int main(void)
{
	if (!CRYPTO_set_mem_functions(h_malloc, h_realloc, h_free)) {
		printf("not ok 1 - OpenSSL allocator hooked before any allocation\n1..1\n");
		return 1;
	}
	RUN(ephemeral_key_is_cleared_when_the_context_is_freed);
	RUN(context_cleanses_decrypted_plaintext);
	return test_done();
}
