/* SPDX-License-Identifier: MIT */
/*
 * osslmini: a built-in OpenSSL provider offering only the algorithms the provider's TLS needs, taken
 * from OpenSSL's own default provider (see osslmini.h for why).
 */
#include <pthread.h>
#include <stddef.h>

#include <openssl/bio.h>
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>

#include "common/log.h"
#include "net/osslmini.h"

/* The default provider's implementations and the helpers its init uses (libcrypto.a symbols,
 * not part of OpenSSL's API). Weak: against a shared libcrypto they are not exported, stay NULL,
 * and the default provider is used as usual. */
#define WEAK __attribute__((weak))
extern const OSSL_DISPATCH ossl_sha1_functions[] WEAK;
extern const OSSL_DISPATCH ossl_sha224_functions[] WEAK;
extern const OSSL_DISPATCH ossl_sha256_functions[] WEAK;
extern const OSSL_DISPATCH ossl_sha384_functions[] WEAK;
extern const OSSL_DISPATCH ossl_sha512_functions[] WEAK;
extern const OSSL_DISPATCH ossl_md5_functions[] WEAK;
extern const OSSL_DISPATCH ossl_md5_sha1_functions[] WEAK;
extern const OSSL_DISPATCH ossl_aes128gcm_functions[] WEAK;
extern const OSSL_DISPATCH ossl_aes256gcm_functions[] WEAK;
extern const OSSL_DISPATCH ossl_chacha20_ossl_poly1305_functions[] WEAK;
extern const OSSL_DISPATCH ossl_aes128ctr_functions[] WEAK;
extern const OSSL_DISPATCH ossl_aes256ctr_functions[] WEAK;
extern const OSSL_DISPATCH ossl_aes128ecb_functions[] WEAK;
extern const OSSL_DISPATCH ossl_aes256ecb_functions[] WEAK;
extern const OSSL_DISPATCH ossl_aes128cbc_functions[] WEAK;
extern const OSSL_DISPATCH ossl_aes256cbc_functions[] WEAK;
extern const OSSL_DISPATCH ossl_hmac_functions[] WEAK;
extern const OSSL_DISPATCH ossl_kdf_hkdf_functions[] WEAK;
extern const OSSL_DISPATCH ossl_kdf_tls1_3_kdf_functions[] WEAK;
extern const OSSL_DISPATCH ossl_kdf_tls1_prf_functions[] WEAK;
extern const OSSL_DISPATCH ossl_drbg_ctr_functions[] WEAK;
extern const OSSL_DISPATCH ossl_seed_src_functions[] WEAK;
extern const OSSL_DISPATCH ossl_ec_keymgmt_functions[] WEAK;
extern const OSSL_DISPATCH ossl_x25519_keymgmt_functions[] WEAK;
extern const OSSL_DISPATCH ossl_rsa_keymgmt_functions[] WEAK;
extern const OSSL_DISPATCH ossl_rsapss_keymgmt_functions[] WEAK;
extern const OSSL_DISPATCH ossl_ed25519_keymgmt_functions[] WEAK;
extern const OSSL_DISPATCH ossl_ecdh_keyexch_functions[] WEAK;
extern const OSSL_DISPATCH ossl_x25519_keyexch_functions[] WEAK;
extern const OSSL_DISPATCH ossl_ecdsa_signature_functions[] WEAK;
extern const OSSL_DISPATCH ossl_rsa_signature_functions[] WEAK;
extern const OSSL_DISPATCH ossl_ed25519_signature_functions[] WEAK;
extern const OSSL_DISPATCH ossl_SubjectPublicKeyInfo_der_to_ec_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_SubjectPublicKeyInfo_der_to_rsa_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_SubjectPublicKeyInfo_der_to_rsapss_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_SubjectPublicKeyInfo_der_to_x25519_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_SubjectPublicKeyInfo_der_to_ed25519_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_PrivateKeyInfo_der_to_ec_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_EC_der_to_ec_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_type_specific_no_pub_der_to_ec_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_RSA_der_to_rsa_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_type_specific_keypair_der_to_rsa_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_SubjectPublicKeyInfo_der_to_der_decoder_functions[] WEAK;
extern const OSSL_DISPATCH ossl_pem_to_der_decoder_functions[] WEAK;

struct prov_ctx;
struct prov_ctx *ossl_prov_ctx_new(void) WEAK;
void ossl_prov_ctx_free(struct prov_ctx *ctx) WEAK;
void ossl_prov_ctx_set0_libctx(struct prov_ctx *ctx, OSSL_LIB_CTX *libctx) WEAK;
void ossl_prov_ctx_set0_handle(struct prov_ctx *ctx, const OSSL_CORE_HANDLE *handle) WEAK;
void ossl_prov_ctx_set0_core_bio_method(struct prov_ctx *ctx, BIO_METHOD *corebiometh) WEAK;
BIO_METHOD *ossl_bio_prov_init_bio_method(void) WEAK;
int ossl_prov_bio_from_dispatch(const OSSL_DISPATCH *fns) WEAK;
/* The TLS groups (key shares) and their parameters, as the default provider reports them; TLS
 * keeps those whose key management this provider offers (EC, X25519). */
int ossl_prov_get_capabilities(void *provctx, const char *capability, OSSL_CALLBACK *cb, void *arg) WEAK;

#define DEF "provider=default,fips=yes"
#define DEF_NOFIPS "provider=default,fips=no"
#define SPKI DEF ",input=der,structure=SubjectPublicKeyInfo"

/* The names are the default provider's (OpenSSL 3.0 providers/implementations/include/prov/names.h). */
static const OSSL_ALGORITHM digests[] = {
	{ "SHA1:SHA-1:SSL3-SHA1:1.3.14.3.2.26", DEF, ossl_sha1_functions, NULL },
	{ "SHA2-224:SHA-224:SHA224:2.16.840.1.101.3.4.2.4", DEF, ossl_sha224_functions, NULL },
	{ "SHA2-256:SHA-256:SHA256:2.16.840.1.101.3.4.2.1", DEF, ossl_sha256_functions, NULL },
	{ "SHA2-384:SHA-384:SHA384:2.16.840.1.101.3.4.2.2", DEF, ossl_sha384_functions, NULL },
	{ "SHA2-512:SHA-512:SHA512:2.16.840.1.101.3.4.2.3", DEF, ossl_sha512_functions, NULL },
	{ "MD5:SSL3-MD5:1.2.840.113549.2.5", DEF_NOFIPS, ossl_md5_functions, NULL },
	{ "MD5-SHA1", DEF_NOFIPS, ossl_md5_sha1_functions, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const OSSL_ALGORITHM ciphers[] = {
	{ "AES-128-GCM:id-aes128-GCM:2.16.840.1.101.3.4.1.6", DEF, ossl_aes128gcm_functions, NULL },
	{ "AES-256-GCM:id-aes256-GCM:2.16.840.1.101.3.4.1.46", DEF, ossl_aes256gcm_functions, NULL },
	{ "ChaCha20-Poly1305", DEF_NOFIPS, ossl_chacha20_ossl_poly1305_functions, NULL },
	{ "AES-128-CBC:AES128:2.16.840.1.101.3.4.1.2", DEF, ossl_aes128cbc_functions, NULL },
	{ "AES-256-CBC:AES256:2.16.840.1.101.3.4.1.42", DEF, ossl_aes256cbc_functions, NULL },
	{ "AES-128-ECB:2.16.840.1.101.3.4.1.1", DEF, ossl_aes128ecb_functions, NULL }, /* CTR-DRBG */
	{ "AES-256-ECB:2.16.840.1.101.3.4.1.41", DEF, ossl_aes256ecb_functions, NULL },
	{ "AES-128-CTR", DEF, ossl_aes128ctr_functions, NULL },
	{ "AES-256-CTR", DEF, ossl_aes256ctr_functions, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const OSSL_ALGORITHM macs[] = {
	{ "HMAC", DEF, ossl_hmac_functions, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const OSSL_ALGORITHM kdfs[] = {
	{ "HKDF", DEF, ossl_kdf_hkdf_functions, NULL },
	{ "TLS13-KDF", DEF, ossl_kdf_tls1_3_kdf_functions, NULL },
	{ "TLS1-PRF", DEF, ossl_kdf_tls1_prf_functions, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const OSSL_ALGORITHM rands[] = {
	{ "CTR-DRBG", DEF, ossl_drbg_ctr_functions, NULL },
	{ "SEED-SRC", DEF, ossl_seed_src_functions, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const OSSL_ALGORITHM keymgmt[] = {
	{ "EC:id-ecPublicKey:1.2.840.10045.2.1", DEF, ossl_ec_keymgmt_functions, NULL },
	{ "X25519:1.3.101.110", DEF, ossl_x25519_keymgmt_functions, NULL },
	{ "ED25519:1.3.101.112", DEF, ossl_ed25519_keymgmt_functions, NULL },
	{ "RSA:rsaEncryption:1.2.840.113549.1.1.1", DEF, ossl_rsa_keymgmt_functions, NULL },
	{ "RSA-PSS:RSASSA-PSS:1.2.840.113549.1.1.10", DEF, ossl_rsapss_keymgmt_functions, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const OSSL_ALGORITHM keyexch[] = {
	{ "ECDH", DEF, ossl_ecdh_keyexch_functions, NULL },
	{ "X25519:1.3.101.110", DEF, ossl_x25519_keyexch_functions, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const OSSL_ALGORITHM signature[] = {
	{ "ECDSA", DEF, ossl_ecdsa_signature_functions, NULL },
	{ "RSA:rsaEncryption:1.2.840.113549.1.1.1", DEF, ossl_rsa_signature_functions, NULL },
	{ "ED25519:1.3.101.112", DEF, ossl_ed25519_signature_functions, NULL },
	{ NULL, NULL, NULL, NULL },
};
static const OSSL_ALGORITHM decoders[] = {
	{ "EC:id-ecPublicKey:1.2.840.10045.2.1", SPKI, ossl_SubjectPublicKeyInfo_der_to_ec_decoder_functions, NULL },
	{ "RSA:rsaEncryption:1.2.840.113549.1.1.1", SPKI, ossl_SubjectPublicKeyInfo_der_to_rsa_decoder_functions,
	  NULL },
	{ "RSA-PSS:RSASSA-PSS:1.2.840.113549.1.1.10", SPKI, ossl_SubjectPublicKeyInfo_der_to_rsapss_decoder_functions,
	  NULL },
	{ "X25519:1.3.101.110", SPKI, ossl_SubjectPublicKeyInfo_der_to_x25519_decoder_functions, NULL },
	{ "ED25519:1.3.101.112", SPKI, ossl_SubjectPublicKeyInfo_der_to_ed25519_decoder_functions, NULL },
	{ "EC:id-ecPublicKey:1.2.840.10045.2.1", DEF ",input=der,structure=PrivateKeyInfo",
	  ossl_PrivateKeyInfo_der_to_ec_decoder_functions, NULL },
	{ "EC:id-ecPublicKey:1.2.840.10045.2.1", DEF ",input=der,structure=ec", ossl_EC_der_to_ec_decoder_functions,
	  NULL },
	{ "EC:id-ecPublicKey:1.2.840.10045.2.1", DEF ",input=der,structure=type-specific",
	  ossl_type_specific_no_pub_der_to_ec_decoder_functions, NULL },
	{ "RSA:rsaEncryption:1.2.840.113549.1.1.1", DEF ",input=der,structure=rsa",
	  ossl_RSA_der_to_rsa_decoder_functions, NULL },
	{ "RSA:rsaEncryption:1.2.840.113549.1.1.1", DEF ",input=der,structure=type-specific",
	  ossl_type_specific_keypair_der_to_rsa_decoder_functions, NULL },
	{ "DER", DEF ",input=der,structure=SubjectPublicKeyInfo",
	  ossl_SubjectPublicKeyInfo_der_to_der_decoder_functions, NULL },
	{ "DER", DEF ",input=pem", ossl_pem_to_der_decoder_functions, NULL },
	{ NULL, NULL, NULL, NULL },
};

static const OSSL_ALGORITHM *query(void *provctx, int operation_id, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	switch (operation_id) {
	case OSSL_OP_DIGEST: return digests;
	case OSSL_OP_CIPHER: return ciphers;
	case OSSL_OP_MAC: return macs;
	case OSSL_OP_KDF: return kdfs;
	case OSSL_OP_RAND: return rands;
	case OSSL_OP_KEYMGMT: return keymgmt;
	case OSSL_OP_KEYEXCH: return keyexch;
	case OSSL_OP_SIGNATURE: return signature;
	case OSSL_OP_DECODER: return decoders;
	default: return NULL;
	}
}

static void teardown(void *provctx)
{
	ossl_prov_ctx_free(provctx); /* the process is exiting: the BIO method is left to the exit */
}

static int caps(void *provctx, const char *capability, OSSL_CALLBACK *cb, void *arg)
{
	return ossl_prov_get_capabilities(provctx, capability, cb, arg);
}

static const OSSL_DISPATCH dispatch[] = {
	{ OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))teardown },
	{ OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))query },
	{ OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))caps },
	{ 0, NULL },
};

/* What the default provider's init does, with our dispatch table. */
static int init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in, const OSSL_DISPATCH **out, void **provctx)
{
	OSSL_FUNC_core_get_libctx_fn *get_libctx = NULL;
	const OSSL_DISPATCH *f;
	struct prov_ctx *ctx;
	BIO_METHOD *bm;

	for (f = in; f->function_id != 0; f++)
		if (f->function_id == OSSL_FUNC_CORE_GET_LIBCTX)
			get_libctx = OSSL_FUNC_core_get_libctx(f);
	if (!get_libctx || !ossl_prov_bio_from_dispatch(in) || !(ctx = ossl_prov_ctx_new()))
		return 0;
	bm = ossl_bio_prov_init_bio_method();
	if (!bm) {
		ossl_prov_ctx_free(ctx);
		return 0;
	}
	ossl_prov_ctx_set0_libctx(ctx, (OSSL_LIB_CTX *)get_libctx(handle));
	ossl_prov_ctx_set0_handle(ctx, handle);
	ossl_prov_ctx_set0_core_bio_method(ctx, bm);
	*provctx = ctx;
	*out = dispatch;
	return 1;
}

static int active;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const OSSL_ALGORITHM *const tables[] = { digests, ciphers, macs,      kdfs,    rands,
						keymgmt, keyexch, signature, decoders };

static void load(void)
{
	const OSSL_ALGORITHM *a;
	size_t i;

	if (!(ossl_prov_ctx_new && ossl_prov_ctx_free && ossl_prov_ctx_set0_libctx && ossl_prov_ctx_set0_handle &&
	      ossl_prov_ctx_set0_core_bio_method && ossl_bio_prov_init_bio_method && ossl_prov_bio_from_dispatch &&
	      ossl_prov_get_capabilities))
		return; /* a shared libcrypto: the default provider */
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (a = tables[i]; a->algorithm_names; a++)
			if (!a->implementation)
				return;
	if (OSSL_PROVIDER_add_builtin(NULL, "scw-tls", init) != 1 || !OSSL_PROVIDER_load(NULL, "scw-tls")) {
		log_error("cannot load the built-in TLS provider; using OpenSSL's default provider");
		return;
	}
	active = 1;
}

int osslmini_load(void)
{
	pthread_once(&once, load);
	return active;
}
