/* SPDX-License-Identifier: MIT */
/*
 * secret: the server key file, keyed hashes of API secrets (HMAC-SHA256) and password hashes
 * (scrypt), all on OpenSSL.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <pthread.h>

#include "common/err.h"
#include "common/mem.h"
#include "common/rand.h"
#include "common/timeutil.h"
#include "server/secret.h"

#define SCRYPT_N 16384
#define SCRYPT_R 8
#define SCRYPT_P 1
#define SALT_LEN 16
#define PW_HASH_LEN 32

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ERR_IO;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int key_create(const char *path, struct secret_key *out, char *detail, size_t dlen)
{
	int fd, r;

	r = rand_bytes(out->k, sizeof(out->k));
	if (r < 0)
		return r;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(detail, dlen, "cannot create key file %s: %s", path, strerror(errno));
		return ERR_IO;
	}
	r = write_all(fd, out->k, sizeof(out->k));
	if (r == 0 && fsync(fd) != 0)
		r = ERR_IO;
	if (close(fd) != 0 && r == 0)
		r = ERR_IO;
	if (r < 0) {
		snprintf(detail, dlen, "cannot write key file %s", path);
		unlink(path);
	}
	return r;
}

int secret_key_load(const char *path, int create, struct secret_key *out, char *detail, size_t dlen)
{
	struct stat st;
	uint8_t tmp[SECRET_KEY_LEN + 1];
	ssize_t n;
	int fd, r = 0;
	char dummy[8];

	if (!detail) {
		detail = dummy;
		dlen = sizeof(dummy);
	}
	detail[0] = '\0';
	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT && create)
		return key_create(path, out, detail, dlen);
	if (fd < 0) {
		snprintf(detail, dlen, "cannot open key file %s: %s", path, strerror(errno));
		return errno == ENOENT ? ERR_NOTFOUND : ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		r = ERR_IO;
	} else if (st.st_mode & 077) {
		snprintf(detail, dlen, "key file %s must not be readable by group or others (chmod 600)", path);
		r = ERR_PERM;
	}
	if (r == 0) {
		do
			n = read(fd, tmp, sizeof(tmp));
		while (n < 0 && errno == EINTR);
		if (n != SECRET_KEY_LEN) {
			snprintf(detail, dlen, "key file %s must hold exactly %d bytes", path, SECRET_KEY_LEN);
			r = ERR_PARSE;
		} else {
			memcpy(out->k, tmp, SECRET_KEY_LEN);
		}
	}
	mem_wipe(tmp, sizeof(tmp));
	close(fd);
	return r;
}

void secret_key_release(struct secret_key *k)
{
	mem_wipe(k->k, sizeof(k->k));
}

/* A keyed HMAC context per thread: keying (the ipad/opad blocks) and algorithm fetching happen
 * once per thread and key instead of once per request. */
struct hmac_tls {
	EVP_MAC_CTX *ctx;
	uint8_t key[SECRET_KEY_LEN]; /* the key ctx was set up with */
};

static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;
static pthread_key_t hmac_key;
static EVP_MAC *hmac_alg;

static void hmac_tls_free(void *p)
{
	struct hmac_tls *t = p;

	EVP_MAC_CTX_free(t->ctx);
	mem_freezero(t, sizeof(*t));
}

static void hmac_setup(void)
{
	hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (pthread_key_create(&hmac_key, hmac_tls_free) != 0) {
		EVP_MAC_free(hmac_alg);
		hmac_alg = NULL;
	}
}

static EVP_MAC_CTX *hmac_ctx(const struct secret_key *k)
{
	OSSL_PARAM params[2];
	char digest[] = "SHA256";
	struct hmac_tls *t;

	pthread_once(&hmac_once, hmac_setup);
	if (!hmac_alg)
		return NULL;
	t = pthread_getspecific(hmac_key);
	if (t && mem_ct_eq(t->key, k->k, SECRET_KEY_LEN)) {
		if (EVP_MAC_init(t->ctx, NULL, 0, NULL) == 1) /* same key: reuse its schedule */
			return t->ctx;
	}
	if (!t) {
		t = mem_calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		pthread_setspecific(hmac_key, t);
	}
	EVP_MAC_CTX_free(t->ctx);
	t->ctx = EVP_MAC_CTX_new(hmac_alg);
	params[0] = OSSL_PARAM_construct_utf8_string("digest", digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!t->ctx || EVP_MAC_init(t->ctx, k->k, SECRET_KEY_LEN, params) != 1) {
		EVP_MAC_CTX_free(t->ctx);
		t->ctx = NULL;
		return NULL;
	}
	memcpy(t->key, k->k, SECRET_KEY_LEN);
	return t->ctx;
}

int secret_hash(const struct secret_key *k, const char *secret, size_t n, uint8_t out[SECRET_HASH_LEN])
{
	EVP_MAC_CTX *ctx = hmac_ctx(k);
	size_t len = 0;

	if (!ctx || EVP_MAC_update(ctx, (const unsigned char *)secret, n) != 1 ||
	    EVP_MAC_final(ctx, out, &len, SECRET_HASH_LEN) != 1 || len != SECRET_HASH_LEN)
		return ERR_INTERNAL;
	return 0;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = h[b[i] >> 4];
		out[2 * i + 1] = h[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int secret_key_fingerprint(const struct secret_key *k, char out[SECRET_FPR_LEN + 1])
{
	static const char label[] = "scw-iamd server key fingerprint v1";
	uint8_t h[SECRET_HASH_LEN];
	int r = secret_hash(k, label, sizeof(label) - 1, h);

	if (r == 0)
		hex(h, sizeof(h), out);
	return r;
}

static int scrypt(const char *pw, size_t n, const uint8_t *salt, uint64_t N, uint64_t rr, uint64_t p,
		  uint8_t out[PW_HASH_LEN])
{
	if (EVP_PBE_scrypt(pw, n, salt, SALT_LEN, N, rr, p, 64ull << 20, out, PW_HASH_LEN) != 1)
		return ERR_INTERNAL;
	return 0;
}

/* ---- the password hashing gate ----
 * scrypt takes 128 * r * N bytes (16 MiB) for each hash: at most `limit` hashes run at once,
 * at most `queue_max` callers wait for a slot (each at most wait_ms), the others get ERR_AGAIN
 * at once. Allocations of 1 MiB and more are served by mmap (a fixed threshold: glibc's dynamic
 * one would move above 16 MiB after the first free and keep the blocks in the heap), so a
 * hash's memory goes back to the system when it is freed; a trim after the last hash of a burst
 * returns what the heaps kept. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned limit, queue_max, wait_ms;
	unsigned running, waiting;
} gate = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0 };

void secret_pw_gate_init(unsigned limit, unsigned queue_max, unsigned wait_ms)
{
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	pthread_mutex_lock(&gate.mu);
	gate.limit = limit;
	gate.queue_max = queue_max;
	gate.wait_ms = wait_ms;
	pthread_mutex_unlock(&gate.mu);
}

void secret_pw_gate_stats(unsigned *running, unsigned *waiting)
{
	pthread_mutex_lock(&gate.mu);
	*running = gate.running;
	*waiting = gate.waiting;
	pthread_mutex_unlock(&gate.mu);
}

static int gate_enter(void)
{
	struct timespec until;
	int r = 0;

	pthread_mutex_lock(&gate.mu);
	if (gate.limit && gate.running >= gate.limit) {
		if (gate.waiting >= gate.queue_max) {
			r = ERR_AGAIN;
		} else {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += gate.wait_ms / 1000;
			until.tv_nsec += (long)(gate.wait_ms % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			gate.waiting++;
			while (r == 0 && gate.running >= gate.limit)
				if (pthread_cond_timedwait(&gate.cv, &gate.mu, &until) == ETIMEDOUT)
					r = gate.running >= gate.limit ? ERR_AGAIN : 0;
			gate.waiting--;
		}
	}
	if (r == 0)
		gate.running++;
	pthread_mutex_unlock(&gate.mu);
	return r;
}

static void gate_leave(void)
{
	int idle;

	pthread_mutex_lock(&gate.mu);
	gate.running--;
	idle = gate.running == 0 && gate.waiting == 0;
	pthread_cond_signal(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
	if (idle && gate.limit)
		malloc_trim(0);
}

static int scrypt_gated(const char *pw, size_t n, const uint8_t *salt, uint64_t N, uint64_t rr, uint64_t p,
			uint8_t out[PW_HASH_LEN])
{
	int r = gate_enter();

	if (r < 0)
		return r;
	r = scrypt(pw, n, salt, N, rr, p, out);
	gate_leave();
	return r;
}

int secret_password_hash(const char *pw, size_t n, char **out)
{
	uint8_t salt[SALT_LEN], h[PW_HASH_LEN];
	char salt_hex[2 * SALT_LEN + 1], h_hex[2 * PW_HASH_LEN + 1], buf[160];
	int r = rand_bytes(salt, sizeof(salt));

	*out = NULL;
	if (r == 0)
		r = scrypt_gated(pw, n, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, h);
	if (r == 0) {
		hex(salt, sizeof(salt), salt_hex);
		hex(h, sizeof(h), h_hex);
		snprintf(buf, sizeof(buf), "scrypt$%d$%d$%d$%s$%s", SCRYPT_N, SCRYPT_R, SCRYPT_P, salt_hex, h_hex);
		*out = mem_strndup(buf, strlen(buf));
		if (!*out)
			r = ERR_NOMEM;
	}
	mem_wipe(h, sizeof(h));
	mem_wipe(buf, sizeof(buf));
	return r;
}

static int unhex(const char *s, size_t n, uint8_t *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int v = 0, k;

		for (k = 0; k < 2; k++) {
			char c = s[2 * i + (size_t)k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else
				return ERR_PARSE;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

int secret_password_verify(const char *pw, size_t n, const char *encoded)
{
	unsigned long long N, rr, p;
	char salt_hex[2 * SALT_LEN + 1], h_hex[2 * PW_HASH_LEN + 1];
	uint8_t salt[SALT_LEN], want[PW_HASH_LEN], got[PW_HASH_LEN];
	int ok = 0;

	if (!encoded ||
	    sscanf(encoded, "scrypt$%llu$%llu$%llu$%32[0-9a-f]$%64[0-9a-f]", &N, &rr, &p, salt_hex, h_hex) != 5)
		return 0;
	if (strlen(salt_hex) != 2 * SALT_LEN || strlen(h_hex) != 2 * PW_HASH_LEN || N > (1u << 20) || rr > 32 || p > 16)
		return 0;
	if (unhex(salt_hex, SALT_LEN, salt) == 0 && unhex(h_hex, PW_HASH_LEN, want) == 0 &&
	    scrypt_gated(pw, n, salt, N, rr, p, got) == 0)
		ok = mem_ct_eq(want, got, PW_HASH_LEN);
	mem_wipe(got, sizeof(got));
	return ok;
}
