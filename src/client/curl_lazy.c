/* SPDX-License-Identifier: MIT */
/*
 * curl_lazy: the libcurl functions the client uses, loaded with dlopen("libcurl.so.4") on first
 * call instead of at process start. Debian's libcurl drags about 30 shared libraries (GnuTLS via
 * librtmp, Kerberos, LDAP, libssh2, ...) whose loading and constructors cost every process
 * several milliseconds and megabytes; Terraform launches the provider 2-7 times per command and
 * most launches (schema, validate) never make an API call. This file defines the curl_* symbols
 * the client calls, forwarding each to the real one (variadic ones by the documented argument
 * type of their option). When libcurl cannot be loaded every call fails cleanly (NULL,
 * CURLE_FAILED_INIT, ...), which the client reports as an error. Loading happens once
 * (pthread_once) and is thread-safe; the library is never unloaded.
 */
#define CURL_DISABLE_TYPECHECK 1
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>

#include <curl/curl.h>

#include "common/log.h"
#include "common/mem.h"

#define CURL_LAZY_SONAME "libcurl.so.4"

static struct {
	CURLcode (*global_init)(long);
	CURLcode (*global_init_mem)(long, curl_malloc_callback, curl_free_callback, curl_realloc_callback,
				    curl_strdup_callback, curl_calloc_callback);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	CURLHcode (*easy_header)(CURL *, const char *, size_t, unsigned int, int, struct curl_header **);
	time_t (*getdate)(const char *, const time_t *);
	CURLSH *(*share_init)(void);
	CURLSHcode (*share_setopt)(CURLSH *, CURLSHoption, ...);
	CURLSHcode (*share_cleanup)(CURLSH *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} fn;
static int loaded; /* 1 when every symbol was found */
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* dlsym returns void *; converting it to a function pointer goes through memcpy (ISO C). */
static int sym(void *h, const char *name, void *slot, size_t size)
{
	void *p = dlsym(h, name);

	if (!p)
		return -1;
	memcpy(slot, &p, size);
	return 0;
}

#define SYM(field, name) sym(h, name, &fn.field, sizeof(fn.field))

static void load(void)
{
	void *h = dlopen(CURL_LAZY_SONAME, RTLD_NOW | RTLD_LOCAL);
	int bad = 0;

	if (!h) {
		log_error("cannot load %s: %s", CURL_LAZY_SONAME, dlerror());
		return;
	}
	bad |= SYM(global_init, "curl_global_init");
	bad |= SYM(global_init_mem, "curl_global_init_mem");
	bad |= SYM(easy_init, "curl_easy_init");
	bad |= SYM(easy_setopt, "curl_easy_setopt");
	bad |= SYM(easy_perform, "curl_easy_perform");
	bad |= SYM(easy_cleanup, "curl_easy_cleanup");
	bad |= SYM(easy_reset, "curl_easy_reset");
	bad |= SYM(easy_getinfo, "curl_easy_getinfo");
	bad |= SYM(easy_strerror, "curl_easy_strerror");
	bad |= SYM(easy_header, "curl_easy_header");
	bad |= SYM(getdate, "curl_getdate");
	bad |= SYM(share_init, "curl_share_init");
	bad |= SYM(share_setopt, "curl_share_setopt");
	bad |= SYM(share_cleanup, "curl_share_cleanup");
	bad |= SYM(slist_append, "curl_slist_append");
	bad |= SYM(slist_free_all, "curl_slist_free_all");
	if (bad) {
		log_error("%s lacks a function the client needs (libcurl 7.83 or later is required)", CURL_LAZY_SONAME);
		return;
	}
	loaded = 1;
}

static int ready(void)
{
	pthread_once(&once, load);
	return loaded;
}

CURLcode curl_global_init(long flags)
{
	return ready() ? fn.global_init(flags) : CURLE_FAILED_INIT;
}

CURLcode curl_global_init_mem(long flags, curl_malloc_callback m, curl_free_callback f, curl_realloc_callback r,
			      curl_strdup_callback s, curl_calloc_callback c)
{
	return ready() ? fn.global_init_mem(flags, m, f, r, s, c) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
	return ready() ? fn.easy_init() : NULL;
}

/* The option number says the argument's type (curl.h: CURLOPTTYPE_*). */
CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	va_list ap;
	CURLcode cc;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT) {
		long v = va_arg(ap, long);

		cc = fn.easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_FUNCTIONPOINT) {
		void *v = va_arg(ap, void *);

		cc = fn.easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_OFF_T) {
		void (*v)(void) = va_arg(ap, void (*)(void));

		cc = fn.easy_setopt(h, opt, v);
	} else if (opt < CURLOPTTYPE_BLOB) {
		curl_off_t v = va_arg(ap, curl_off_t);

		cc = fn.easy_setopt(h, opt, v);
	} else {
		void *v = va_arg(ap, void *);

		cc = fn.easy_setopt(h, opt, v);
	}
	va_end(ap);
	return cc;
}

CURLcode curl_easy_perform(CURL *h)
{
	return ready() ? fn.easy_perform(h) : CURLE_FAILED_INIT;
}

void curl_easy_cleanup(CURL *h)
{
	if (ready())
		fn.easy_cleanup(h);
}

void curl_easy_reset(CURL *h)
{
	if (ready())
		fn.easy_reset(h);
}

/* Every CURLINFO_* result is returned through a pointer. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	void *p;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	p = va_arg(ap, void *);
	va_end(ap);
	return fn.easy_getinfo(h, info, p);
}

const char *curl_easy_strerror(CURLcode cc)
{
	return ready() ? fn.easy_strerror(cc) : "libcurl could not be loaded";
}

CURLHcode curl_easy_header(CURL *h, const char *name, size_t index, unsigned int origin, int request,
			   struct curl_header **hout)
{
	return ready() ? fn.easy_header(h, name, index, origin, request, hout) : CURLHE_NOT_BUILT_IN;
}

time_t curl_getdate(const char *p, const time_t *unused)
{
	return ready() ? fn.getdate(p, unused) : (time_t)-1;
}

CURLSH *curl_share_init(void)
{
	return ready() ? fn.share_init() : NULL;
}

/* SHARE/UNSHARE take an int (a curl_lock_data), LOCKFUNC/UNLOCKFUNC a function, USERDATA a pointer. */
CURLSHcode curl_share_setopt(CURLSH *sh, CURLSHoption opt, ...)
{
	va_list ap;
	CURLSHcode cc;

	if (!ready())
		return CURLSHE_NOT_BUILT_IN;
	va_start(ap, opt);
	if (opt == CURLSHOPT_SHARE || opt == CURLSHOPT_UNSHARE) {
		int v = va_arg(ap, int);

		cc = fn.share_setopt(sh, opt, v);
	} else if (opt == CURLSHOPT_LOCKFUNC || opt == CURLSHOPT_UNLOCKFUNC) {
		void (*v)(void) = va_arg(ap, void (*)(void));

		cc = fn.share_setopt(sh, opt, v);
	} else {
		void *v = va_arg(ap, void *);

		cc = fn.share_setopt(sh, opt, v);
	}
	va_end(ap);
	return cc;
}

CURLSHcode curl_share_cleanup(CURLSH *sh)
{
	return ready() ? fn.share_cleanup(sh) : CURLSHE_NOT_BUILT_IN;
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return ready() ? fn.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (ready())
		fn.slist_free_all(l);
}
