/* SPDX-License-Identifier: MIT */
/*
 * AutoMTLS server context, exercised with in-memory TLS handshakes (BIO pairs) against an
 * OpenSSL client: the client certificate from the environment is required and pinned, ALPN h2
 * is required, and the generated server certificate verifies for "localhost". The test includes
 * tls.c to reuse its certificate generator for client certificates.
 */
#include <openssl/bio.h>
#include <openssl/pem.h>

#include "net/tls.c"
#include "test.h"

struct ident {
	EVP_PKEY *key;
	X509 *crt;
	char *pem;
};

static void ident_make(struct ident *id)
{
	BIO *b = BIO_new(BIO_s_mem());
	BUF_MEM *mem;

	id->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	id->crt = NULL;
	make_cert(id->key, &id->crt);
	PEM_write_bio_X509(b, id->crt);
	BIO_get_mem_ptr(b, &mem);
	id->pem = mem_strndup(mem->data, mem->length);
	BIO_free(b);
}

static void ident_free(struct ident *id)
{
	EVP_PKEY_free(id->key);
	X509_free(id->crt);
	free(id->pem);
}

struct hs {
	int server_ok, client_ok;
	char alpn[16];
};

/* One in-memory handshake, then one byte from client to server (TLS 1.3 reports a refused
 * client certificate only after the client thinks it is done). */
static struct hs handshake(struct tls_server *t, const struct ident *client, const unsigned char *alpn,
			   unsigned alpn_len, int max_version)
{
	struct hs res = { 0, 0, "" };
	SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
	SSL *c, *s;
	BIO *bc, *bs;
	X509 *srv_crt;
	size_t der_len;
	const uint8_t *der = tls_server_cert_der(t, &der_len);
	const unsigned char *sel = NULL;
	unsigned sel_len = 0;
	int i, rc, rs = 0, cdone = 0, sdone = 0;
	char byte = 'x';
	size_t n;

	srv_crt = d2i_X509(NULL, &der, (long)der_len);
	X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), srv_crt);
	SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
	if (max_version)
		SSL_CTX_set_max_proto_version(cctx, max_version);
	if (client) {
		SSL_CTX_use_certificate(cctx, client->crt);
		SSL_CTX_use_PrivateKey(cctx, client->key);
	}
	if (alpn)
		SSL_CTX_set_alpn_protos(cctx, alpn, alpn_len);
	c = SSL_new(cctx);
	s = SSL_new(tls_server_ctx(t));
	SSL_set1_host(c, "localhost");
	BIO_new_bio_pair(&bc, 0, &bs, 0);
	SSL_set_bio(c, bc, bc);
	SSL_set_bio(s, bs, bs);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	for (i = 0; i < 50 && (!cdone || !sdone); i++) {
		if (!cdone) {
			rc = SSL_do_handshake(c);
			if (rc == 1)
				cdone = 1;
			else if (SSL_get_error(c, rc) != SSL_ERROR_WANT_READ &&
				 SSL_get_error(c, rc) != SSL_ERROR_WANT_WRITE)
				cdone = -1;
		}
		if (!sdone) {
			rs = SSL_do_handshake(s);
			if (rs == 1)
				sdone = 1;
			else if (SSL_get_error(s, rs) != SSL_ERROR_WANT_READ &&
				 SSL_get_error(s, rs) != SSL_ERROR_WANT_WRITE)
				sdone = -1;
		}
		if (cdone == -1 || sdone == -1)
			break;
	}
	ERR_clear_error();
	if (cdone == 1 && sdone == 1) {
		char got = 0;

		SSL_write_ex(c, &byte, 1, &n);
		res.server_ok = SSL_read_ex(s, &got, 1, &n) == 1 && got == 'x';
		res.client_ok = SSL_get_verify_result(c) == X509_V_OK;
		SSL_get0_alpn_selected(s, &sel, &sel_len);
		if (sel && sel_len < sizeof(res.alpn)) {
			memcpy(res.alpn, sel, sel_len);
			res.alpn[sel_len] = '\0';
		}
		if (!tls_alpn_is_h2(s))
			res.server_ok = 0; /* the server loop closes such a connection */
	}
	ERR_clear_error();
	SSL_free(c);
	SSL_free(s);
	SSL_CTX_free(cctx);
	X509_free(srv_crt);
	return res;
}

static const unsigned char h2[] = { 2, 'h', '2' };
static const unsigned char h1_h2[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1', 2, 'h', '2' };
static const unsigned char h1[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

TEST(bad_client_pem_is_a_parse_error)
{
	struct tls_server *t = (struct tls_server *)1;

	ASSERT_EQ_INT(tls_server_new("not a certificate", &t), ERR_PARSE);
	ASSERT(t == NULL);
}

TEST(server_certificate_follows_go_plugin_template)
{
	struct ident cl;
	struct tls_server *t = NULL;
	const uint8_t *der;
	size_t len;
	X509 *x;
	time_t now = time(NULL), early = now - 25;
	EVP_PKEY *pk;
	char name[64];

	ident_make(&cl);
	ASSERT_EQ_INT(tls_server_new(cl.pem, &t), 0);
	der = tls_server_cert_der(t, &len);
	ASSERT(len > 100);
	x = d2i_X509(NULL, &der, (long)len);
	ASSERT(x != NULL);
	ASSERT_EQ_INT(X509_check_host(x, "localhost", 9, 0, NULL), 1);
	ASSERT_EQ_INT(X509_check_ca(x) > 0, 1);
	ASSERT_EQ_INT(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0), 1);
	ASSERT(X509_cmp_time(X509_get0_notBefore(x), &early) < 0); /* backdated >= 25 s */
	pk = X509_get0_pubkey(x);
	ASSERT(EVP_PKEY_get_group_name(pk, name, sizeof(name), NULL) == 1);
	ASSERT_EQ_STR(name, "prime256v1");
	X509_free(x);
	tls_server_free(t);
	ident_free(&cl);
}

TEST(every_launch_gets_a_new_key)
{
	struct ident cl;
	struct tls_server *a = NULL, *b = NULL;
	const uint8_t *da, *db;
	size_t la, lb;

	ident_make(&cl);
	ASSERT_EQ_INT(tls_server_new(cl.pem, &a), 0);
	ASSERT_EQ_INT(tls_server_new(cl.pem, &b), 0);
	da = tls_server_cert_der(a, &la);
	db = tls_server_cert_der(b, &lb);
	ASSERT(la != lb || memcmp(da, db, la) != 0);
	tls_server_free(a);
	tls_server_free(b);
	ident_free(&cl);
}

TEST(the_right_client_with_h2_is_accepted_tls13_and_tls12)
{
	struct ident cl;
	struct tls_server *t = NULL;
	struct hs r;

	ident_make(&cl);
	ASSERT_EQ_INT(tls_server_new(cl.pem, &t), 0);
	r = handshake(t, &cl, h2, sizeof(h2), 0);
	ASSERT_EQ_INT(r.server_ok, 1);
	ASSERT_EQ_INT(r.client_ok, 1); /* our certificate verifies for localhost */
	ASSERT_EQ_STR(r.alpn, "h2");
	r = handshake(t, &cl, h1_h2, sizeof(h1_h2), TLS1_2_VERSION);
	ASSERT_EQ_INT(r.server_ok, 1);
	ASSERT_EQ_STR(r.alpn, "h2");
	tls_server_free(t);
	ident_free(&cl);
}

TEST(clients_without_the_pinned_certificate_are_refused)
{
	struct ident cl, other;
	struct tls_server *t = NULL;

	ident_make(&cl);
	ident_make(&other);
	ASSERT_EQ_INT(tls_server_new(cl.pem, &t), 0);
	ASSERT_EQ_INT(handshake(t, NULL, h2, sizeof(h2), 0).server_ok, 0);
	ASSERT_EQ_INT(handshake(t, &other, h2, sizeof(h2), 0).server_ok, 0);
	ASSERT_EQ_INT(handshake(t, NULL, h2, sizeof(h2), TLS1_2_VERSION).server_ok, 0);
	ASSERT_EQ_INT(handshake(t, &other, h2, sizeof(h2), TLS1_2_VERSION).server_ok, 0);
	tls_server_free(t);
	ident_free(&cl);
	ident_free(&other);
}

TEST(clients_without_alpn_h2_are_refused)
{
	struct ident cl;
	struct tls_server *t = NULL;

	ident_make(&cl);
	ASSERT_EQ_INT(tls_server_new(cl.pem, &t), 0);
	ASSERT_EQ_INT(handshake(t, &cl, h1, sizeof(h1), 0).server_ok, 0);
	ASSERT_EQ_INT(handshake(t, &cl, NULL, 0, 0).server_ok, 0);
	tls_server_free(t);
	ident_free(&cl);
}

int main(void)
{
	RUN(bad_client_pem_is_a_parse_error);
	RUN(server_certificate_follows_go_plugin_template);
	RUN(every_launch_gets_a_new_key);
	RUN(the_right_client_with_h2_is_accepted_tls13_and_tls12);
	RUN(clients_without_the_pinned_certificate_are_refused);
	RUN(clients_without_alpn_h2_are_refused);
	return test_done();
}
