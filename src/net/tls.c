/* SPDX-License-Identifier: MIT */
/*
 * tls: go-plugin AutoMTLS server context (see tls.h). A fresh P-256 key (EC_KEY API, see gen_key)
 * and a self-signed certificate (X509v3 API) are made in memory at every start; the client
 * certificate check pins the exact certificate from the environment. OpenSSL is initialised for
 * a short-lived process: no openssl.cnf, no error strings until a failure, no cleanup at exit.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/err.h"
#include "common/log.h"
#include "common/mem.h"
#include "net/osslmini.h"
#include "net/tls.h"

struct tls_server {
	SSL_CTX *ctx;
	uint8_t *client_der; /* the only certificate a client may present, DER */
	size_t client_der_len;
	uint8_t *der; /* our certificate, DER */
	size_t der_len;
};

#define TLS_BACKDATE_S 30
#define TLS_VALID_S (262980L * 3600L) /* go-plugin's 262980 h, about 30 years */

static int ex_data_index = -1;
static const unsigned char alpn_h2[] = { 2, 'h', '2' };

/*
 * OpenSSL's error strings are not loaded at start: 1 M instructions (4% of a launch) for
 * messages a good launch never prints. OpenSSL 3.0 cannot load its crypto strings after
 * opting out, so a crypto failure is logged by code ("error:1E08010C:lib(30)::reason(268)",
 * which `openssl errstr` decodes); the SSL library's reasons, which is what a refused handshake
 * reports, are loaded on the first failure: when a handshake sends a fatal alert (info_cb),
 * which precedes the grpc server's "TLS handshake failed" line, and in log_ssl_error().
 */
static pthread_once_t ssl_strings_once = PTHREAD_ONCE_INIT;

/* gen_key() and load_ssl_strings() use APIs deprecated in OpenSSL 3.0, the cheapest there. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void load_ssl_strings(void)
{
	ERR_load_SSL_strings();
}
#pragma GCC diagnostic pop

static void load_error_strings(void)
{
	pthread_once(&ssl_strings_once, load_ssl_strings);
}

static void info_cb(const SSL *ssl, int where, int ret)
{
	if ((where & SSL_CB_WRITE_ALERT) && (ret >> 8) == SSL3_AL_FATAL)
		load_error_strings();
}

static void log_ssl_error(const char *what)
{
	char msg[256];
	unsigned long e;

	load_error_strings();
	e = ERR_get_error();
	ERR_error_string_n(e, msg, sizeof(msg));
	log_error("%s: %s", what, e ? msg : "unknown OpenSSL error");
	ERR_clear_error();
}

static int add_ext(X509 *crt, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, crt, crt, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return ERR_TLS;
	ok = X509_add_ext(crt, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : ERR_TLS;
}

/*
 * A fresh P-256 key, made through the EC_KEY API on purpose: such a "legacy" EVP_PKEY carries
 * its ASN.1 method, so X509_set_pubkey() writes the SubjectPublicKeyInfo directly, whereas for a
 * provider-native key (EVP_PKEY_Q_keygen) OpenSSL 3.0 builds an encoder chain, encodes the key,
 * then builds a decoder chain to parse it back: 5.8 M instructions, 18% of a whole launch.
 * Signing with the key later exports it once to the default provider, which is cheap.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static int gen_key(EVP_PKEY **out)
{
	EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
	EVP_PKEY *key = EVP_PKEY_new();
	int r = ERR_TLS;

	if (!ec || !key) {
		r = ERR_NOMEM;
		goto out;
	}
	if (EC_KEY_generate_key(ec) != 1 || EVP_PKEY_assign_EC_KEY(key, ec) != 1)
		goto out;
	ec = NULL; /* owned by key now */
	*out = key;
	key = NULL;
	r = 0;
out:
	EC_KEY_free(ec); /* clears the private scalar */
	EVP_PKEY_free(key);
	return r;
}
#pragma GCC diagnostic pop

/* A go-plugin-like self-signed server certificate for key. */
static int make_cert(EVP_PKEY *key, X509 **out)
{
	unsigned char serial[16];
	X509 *crt = X509_new();
	X509_NAME *name;
	BIGNUM *bn = NULL;
	ASN1_INTEGER *sn = NULL;
	int r = ERR_TLS;

	if (!crt)
		return ERR_NOMEM;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7f; /* positive */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	sn = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	if (!sn || !X509_set_version(crt, X509_VERSION_3) || !X509_set_serialNumber(crt, sn))
		goto out;
	if (!X509_gmtime_adj(X509_getm_notBefore(crt), -TLS_BACKDATE_S) ||
	    !X509_gmtime_adj(X509_getm_notAfter(crt), TLS_VALID_S))
		goto out;
	name = X509_get_subject_name(crt);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"HashiCorp", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0) ||
	    !X509_set_issuer_name(crt, name) || !X509_set_pubkey(crt, key))
		goto out;
	if (add_ext(crt, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_ext(crt, NID_key_usage, "digitalSignature,keyEncipherment,keyAgreement,keyCertSign") < 0 ||
	    add_ext(crt, NID_ext_key_usage, "clientAuth,serverAuth") < 0 ||
	    add_ext(crt, NID_subject_alt_name, "DNS:localhost") < 0 ||
	    add_ext(crt, NID_subject_key_identifier, "hash") < 0)
		goto out;
	if (!X509_sign(crt, key, EVP_sha256()))
		goto out;
	*out = crt;
	crt = NULL;
	r = 0;
out:
	ASN1_INTEGER_free(sn);
	BN_free(bn);
	X509_free(crt);
	return r;
}

/*
 * The client certificate is pinned: the peer's leaf must be byte for byte the certificate from
 * PLUGIN_CLIENT_CERT (and the TLS handshake proves the peer holds its key). That is stricter
 * than chain validation with that certificate as the only trust anchor (which would also accept
 * any certificate it signed), so OpenSSL's own verdict (no trust store is configured: "self-signed
 * certificate") is replaced by the pin comparison at every call. Comparing DER also spares
 * parsing the environment's PEM into an X509, whose key decoding is costly in OpenSSL 3.0.
 */
static int verify_cb(int preverify_ok, X509_STORE_CTX *sctx)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
	const struct tls_server *t = ssl ? SSL_get_ex_data(ssl, ex_data_index) : NULL;
	X509 *leaf = X509_STORE_CTX_get0_cert(sctx);
	unsigned char *der = NULL;
	int n, ok;

	if (!t || !leaf)
		return 0;
	n = i2d_X509(leaf, &der);
	ok = n > 0 && (size_t)n == t->client_der_len && memcmp(der, t->client_der, (size_t)n) == 0;
	OPENSSL_free(der);
	if (!ok) {
		X509_STORE_CTX_set_error(sctx, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	X509_STORE_CTX_set_error(sctx, X509_V_OK);
	return 1;
}

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
		   unsigned int inlen, void *arg)
{
	unsigned char *sel = NULL;
	unsigned char sel_len = 0;

	if (SSL_select_next_proto(&sel, &sel_len, alpn_h2, sizeof(alpn_h2), in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = sel;
	*outlen = sel_len;
	return SSL_TLSEXT_ERR_OK;
}

/* Per-SSL hook: remember which tls_server an SSL belongs to, for verify_cb. */
static int attach_cb(SSL *ssl, int *al, void *arg)
{
	SSL_set_ex_data(ssl, ex_data_index, arg);
	return SSL_CLIENT_HELLO_SUCCESS;
}

int tls_server_new(const char *client_pem, struct tls_server **out)
{
	struct tls_server *t = mem_calloc(1, sizeof(*t));
	EVP_PKEY *key = NULL;
	X509 *crt = NULL;
	BIO *bio = NULL;
	char *pem_name = NULL, *pem_header = NULL;
	unsigned char *pem_data = NULL, *p;
	long pem_len = 0;
	int r = ERR_TLS, n;

	*out = NULL;
	if (!t)
		return ERR_NOMEM;
	/* The system openssl.cnf has nothing for a loopback channel whose parameters are set here,
	 * and reading it is a measurable part of every launch. OPENSSL_cleanup() at exit only
	 * frees OpenSSL's global tables (about 1.5 M instructions, 5% of a launch); the process is
	 * ending, and the one secret, the server key, is cleared by tls_server_free() before. */
	OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_LOAD_SSL_STRINGS |
				 OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS,
			 NULL);
	osslmini_load(); /* only the algorithms TLS uses (net/osslmini.h) */
	if (ex_data_index < 0)
		ex_data_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	bio = BIO_new_mem_buf(client_pem, -1);
	if (!bio)
		goto out;
	if (!PEM_read_bio(bio, &pem_name, &pem_header, &pem_data, &pem_len) || strcmp(pem_name, "CERTIFICATE") != 0 ||
	    pem_len <= 0) {
		ERR_clear_error();
		log_error("PLUGIN_CLIENT_CERT holds no PEM certificate");
		r = ERR_PARSE;
		goto out;
	}
	t->client_der = pem_data;
	t->client_der_len = (size_t)pem_len;
	pem_data = NULL;
	r = gen_key(&key);
	if (r < 0) {
		log_ssl_error("server key generation");
		goto out;
	}
	r = make_cert(key, &crt);
	if (r < 0) {
		log_ssl_error("server certificate");
		goto out;
	}
	r = ERR_TLS;
	n = i2d_X509(crt, NULL);
	if (n <= 0)
		goto out;
	t->der = malloc((size_t)n);
	if (!t->der) {
		r = ERR_NOMEM;
		goto out;
	}
	p = t->der;
	t->der_len = (size_t)i2d_X509(crt, &p);

	t->ctx = SSL_CTX_new(TLS_server_method());
	if (!t->ctx)
		goto out;
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	/* CLEANSE_PLAINTEXT: OpenSSL wipes its copy of decrypted records once SSL_read hands them
	 * over (Terraform's requests carry the provider config and states, secrets included). */
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
					    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_CLEANSE_PLAINTEXT);
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
					 SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
	if (!SSL_CTX_set_cipher_list(t->ctx, "ECDHE+AESGCM:ECDHE+CHACHA20"))
		goto out;
	if (!SSL_CTX_use_certificate(t->ctx, crt) || !SSL_CTX_use_PrivateKey(t->ctx, key) ||
	    !SSL_CTX_check_private_key(t->ctx)) {
		log_ssl_error("server key/certificate");
		goto out;
	}
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	SSL_CTX_set_verify_depth(t->ctx, 1);
	SSL_CTX_set_alpn_select_cb(t->ctx, alpn_cb, NULL);
	SSL_CTX_set_client_hello_cb(t->ctx, attach_cb, t);
	SSL_CTX_set_info_callback(t->ctx, info_cb);
	*out = t;
	t = NULL;
	r = 0;
out:
	BIO_free(bio);
	OPENSSL_free(pem_name);
	OPENSSL_free(pem_header);
	OPENSSL_free(pem_data);
	X509_free(crt);
	EVP_PKEY_free(key); /* the context keeps its own reference; OpenSSL clears EC private keys on free */
	tls_server_free(t);
	return r;
}

SSL_CTX *tls_server_ctx(const struct tls_server *t)
{
	return t->ctx;
}

const uint8_t *tls_server_cert_der(const struct tls_server *t, size_t *len)
{
	*len = t->der_len;
	return t->der;
}

void tls_server_free(struct tls_server *t)
{
	if (!t)
		return;
	SSL_CTX_free(t->ctx);
	OPENSSL_free(t->client_der);
	free(t->der);
	free(t);
}

void tls_server_warm(const struct tls_server *t)
{
	const unsigned char *p = t->der;
	X509 *x = d2i_X509(NULL, &p, (long)t->der_len); /* builds the key decoder chain */
	EVP_PKEY_CTX *kx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
	EVP_PKEY *k = NULL;

	if (x)
		X509_get0_pubkey(x);
	if (kx && EVP_PKEY_keygen_init(kx) == 1)
		EVP_PKEY_keygen(kx, &k);
	EVP_MD_free(EVP_MD_fetch(NULL, "SHA2-512", NULL));
	EVP_MD_free(EVP_MD_fetch(NULL, "SHA2-384", NULL));
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(kx);
	X509_free(x);
	ERR_clear_error();
}

int tls_alpn_is_h2(const SSL *ssl)
{
	const unsigned char *p = NULL;
	unsigned int n = 0;

	SSL_get0_alpn_selected(ssl, &p, &n);
	return n == 2 && p && memcmp(p, "h2", 2) == 0;
}
