/* SPDX-License-Identifier: MIT */
/*
 * authz_cond: the subset of CEL that Scaleway documents for policy conditions, evaluated
 * against one request. Grammar (whitespace anywhere between tokens):
 *
 *   expr    := and ('||' and)*
 *   and     := unary ('&&' unary)*
 *   unary   := '!' unary | compare
 *   compare := postfix (('==' | '!=' | '<' | '<=' | '>' | '>=') postfix)?
 *   postfix := primary ('.' method '(' [expr] ')')*
 *   primary := '(' expr ')' | 'string literal' | "string literal" | integer | true | false
 *            | request.ip | request.user_agent | request.time
 *            | inIpRange(expr, expr) | timestamp(expr)
 *   methods : strings .contains .startsWith .endsWith; request.time .getFullYear .getMonth
 *             .getDayOfMonth .getDate .getDayOfWeek .getDayOfYear .getHours .getMinutes
 *             .getSeconds, with no argument or "UTC" (another time zone is an error)
 *
 * Values are booleans, integers, strings and timestamps; comparisons need equal types. Both
 * sides of && and || are always evaluated, so a condition is parsed whole. Anything else (an
 * unknown name, a type error, another time zone, nesting deeper than 32, trailing input) is an
 * error, and the caller grants nothing: conditions fail closed.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/compat.h"
#include "common/err.h"
#include "server/authz.h"

#define DEPTH_MAX 32
#define STR_MAX 1024

enum vt { V_BOOL, V_INT, V_STR, V_TIME };

struct val {
	enum vt t;
	int64_t i;  /* bool, int, time (seconds) */
	int32_t ns; /* time */
	char s[STR_MAX];
};

struct p {
	const char *s;
	size_t at, n;
	int depth;
	const struct authz_env *env;
};

static int expr(struct p *p, struct val *out);

static void ws(struct p *p)
{
	while (p->at < p->n &&
	       (p->s[p->at] == ' ' || p->s[p->at] == '\t' || p->s[p->at] == '\n' || p->s[p->at] == '\r'))
		p->at++;
}

/* Consume tok when it comes next. */
static int eat(struct p *p, const char *tok)
{
	size_t n = strlen(tok);

	ws(p);
	if (p->n - p->at >= n && !memcmp(p->s + p->at, tok, n)) {
		p->at += n;
		return 1;
	}
	return 0;
}

static int is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* An identifier (letters, digits, _) into out. */
static int ident(struct p *p, char *out, size_t size)
{
	size_t n = 0;

	ws(p);
	while (p->at < p->n && is_ident(p->s[p->at]) && n + 1 < size)
		out[n++] = p->s[p->at++];
	out[n] = '\0';
	return n && !(p->at < p->n && is_ident(p->s[p->at])) ? 0 : ERR_PARSE;
}

static int set_str(struct val *v, const char *s, size_t n)
{
	if (n >= sizeof(v->s))
		return ERR_PARSE;
	v->t = V_STR;
	memcpy(v->s, s, n);
	v->s[n] = '\0';
	return 0;
}

static int string_lit(struct p *p, struct val *v)
{
	char q = p->s[p->at++];
	size_t n = 0;

	v->t = V_STR;
	while (p->at < p->n && p->s[p->at] != q) {
		char ch = p->s[p->at++];

		if (ch == '\\') {
			if (p->at >= p->n)
				return ERR_PARSE;
			ch = p->s[p->at++];
			if (ch == 'n')
				ch = '\n';
			else if (ch == 't')
				ch = '\t';
			else if (ch != '\\' && ch != '\'' && ch != '"')
				return ERR_PARSE;
		}
		if (n + 1 >= sizeof(v->s))
			return ERR_PARSE;
		v->s[n++] = ch;
	}
	if (p->at >= p->n)
		return ERR_PARSE; /* unterminated */
	p->at++;
	v->s[n] = '\0';
	return 0;
}

/* 1 when ip (text) is inside cidr ("addr/len"; both IPv4 or both IPv6). */
static int in_range(const char *ip, const char *cidr)
{
	unsigned char a[16], b[16];
	char net[64];
	const char *slash = strchr(cidr, '/');
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET, bits = fam == AF_INET ? 32 : 128, len, i;
	char *end;
	long l;

	if (!slash || (size_t)(slash - cidr) >= sizeof(net))
		return ERR_PARSE;
	memcpy(net, cidr, (size_t)(slash - cidr));
	net[slash - cidr] = '\0';
	l = strtol(slash + 1, &end, 10);
	if (!slash[1] || *end || l < 0 || l > bits)
		return ERR_PARSE;
	if ((strchr(net, ':') ? AF_INET6 : AF_INET) != fam)
		return 0;
	if (inet_pton(fam, ip, a) != 1 || inet_pton(fam, net, b) != 1)
		return ERR_PARSE;
	len = (int)l;
	for (i = 0; i < len / 8; i++)
		if (a[i] != b[i])
			return 0;
	if (len % 8) {
		unsigned char m = (unsigned char)(0xff << (8 - len % 8));

		if ((a[len / 8] & m) != (b[len / 8] & m))
			return 0;
	}
	return 1;
}

static int time_method(const char *name, const struct val *t, const struct val *arg, int has_arg, struct val *out)
{
	struct tm tm;
	time_t sec = (time_t)t->i;

	if (has_arg && (arg->t != V_STR || strcmp(arg->s, "UTC") != 0))
		return ERR_UNSUPPORTED; /* only UTC: no time zone database here */
	if (!gmtime_r(&sec, &tm))
		return ERR_RANGE;
	out->t = V_INT;
	if (!strcmp(name, "getFullYear"))
		out->i = tm.tm_year + 1900;
	else if (!strcmp(name, "getMonth")) /* CEL: 0-based */
		out->i = tm.tm_mon;
	else if (!strcmp(name, "getDayOfMonth")) /* CEL: 0-based */
		out->i = tm.tm_mday - 1;
	else if (!strcmp(name, "getDate")) /* CEL: 1-based */
		out->i = tm.tm_mday;
	else if (!strcmp(name, "getDayOfWeek")) /* 0 = Sunday */
		out->i = tm.tm_wday;
	else if (!strcmp(name, "getDayOfYear"))
		out->i = tm.tm_yday;
	else if (!strcmp(name, "getHours"))
		out->i = tm.tm_hour;
	else if (!strcmp(name, "getMinutes"))
		out->i = tm.tm_min;
	else if (!strcmp(name, "getSeconds"))
		out->i = tm.tm_sec;
	else
		return ERR_PARSE;
	return 0;
}

static int str_method(const char *name, const struct val *s, const struct val *arg, int has_arg, struct val *out)
{
	size_t n, m;

	if (!has_arg || arg->t != V_STR)
		return ERR_PARSE;
	n = strlen(s->s);
	m = strlen(arg->s);
	out->t = V_BOOL;
	if (!strcmp(name, "contains"))
		out->i = strstr(s->s, arg->s) != NULL;
	else if (!strcmp(name, "startsWith"))
		out->i = m <= n && !memcmp(s->s, arg->s, m);
	else if (!strcmp(name, "endsWith"))
		out->i = m <= n && !memcmp(s->s + n - m, arg->s, m);
	else
		return ERR_PARSE;
	return 0;
}

/* name(args...) of a function; the opening parenthesis is consumed. */
static int call(struct p *p, const char *name, struct val *out)
{
	struct val *a = malloc(2 * sizeof(*a));
	int r;

	if (!a)
		return ERR_NOMEM;
	r = expr(p, &a[0]);
	if (r == 0 && !strcmp(name, "inIpRange")) {
		r = eat(p, ",") ? expr(p, &a[1]) : ERR_PARSE;
		if (r == 0 && (a[0].t != V_STR || a[1].t != V_STR))
			r = ERR_PARSE;
		if (r == 0) {
			r = in_range(a[0].s, a[1].s);
			out->t = V_BOOL;
			out->i = r == 1;
			r = r < 0 ? r : 0;
		}
	} else if (r == 0 && !strcmp(name, "timestamp")) {
		struct tstamp t;

		if (a[0].t != V_STR || time_rfc3339_parse(a[0].s, strlen(a[0].s), &t) != 0)
			r = ERR_PARSE;
		out->t = V_TIME;
		out->i = t.sec;
		out->ns = t.nsec;
	} else if (r == 0) {
		r = ERR_PARSE;
	}
	if (r == 0 && !eat(p, ")"))
		r = ERR_PARSE;
	free(a);
	return r;
}

static int primary(struct p *p, struct val *v)
{
	char name[32];
	int r;

	ws(p);
	if (p->at >= p->n)
		return ERR_PARSE;
	if (eat(p, "(")) {
		r = expr(p, v);
		return r == 0 && !eat(p, ")") ? ERR_PARSE : r;
	}
	if (p->s[p->at] == '\'' || p->s[p->at] == '"')
		return string_lit(p, v);
	if (p->s[p->at] >= '0' && p->s[p->at] <= '9') {
		int64_t x = 0;

		while (p->at < p->n && p->s[p->at] >= '0' && p->s[p->at] <= '9') {
			if (x > (INT64_MAX - 9) / 10)
				return ERR_RANGE;
			x = x * 10 + (p->s[p->at++] - '0');
		}
		if (p->at < p->n && is_ident(p->s[p->at]))
			return ERR_PARSE;
		v->t = V_INT;
		v->i = x;
		return 0;
	}
	r = ident(p, name, sizeof(name));
	if (r < 0)
		return r;
	if (!strcmp(name, "true") || !strcmp(name, "false")) {
		v->t = V_BOOL;
		v->i = name[0] == 't';
		return 0;
	}
	if (!strcmp(name, "request")) {
		if (!eat(p, ".") || ident(p, name, sizeof(name)) < 0)
			return ERR_PARSE;
		if (!strcmp(name, "ip"))
			return set_str(v, p->env->ip ? p->env->ip : "", strlen(p->env->ip ? p->env->ip : ""));
		if (!strcmp(name, "user_agent")) {
			const char *ua = p->env->user_agent ? p->env->user_agent : "";
			size_t n = strlen(ua);

			return set_str(v, ua, n > 255 ? 255 : n);
		}
		if (!strcmp(name, "time")) {
			v->t = V_TIME;
			v->i = p->env->time.sec;
			v->ns = p->env->time.nsec;
			return 0;
		}
		return ERR_PARSE;
	}
	if (eat(p, "("))
		return call(p, name, v);
	return ERR_PARSE;
}

static int postfix(struct p *p, struct val *v)
{
	char name[32];
	struct val *arg;
	int r = primary(p, v), has_arg;

	while (r == 0 && eat(p, ".")) {
		r = ident(p, name, sizeof(name));
		if (r == 0 && !eat(p, "("))
			r = ERR_PARSE;
		if (r < 0)
			break;
		arg = malloc(sizeof(*arg));
		if (!arg)
			return ERR_NOMEM;
		has_arg = !eat(p, ")");
		if (has_arg) {
			r = expr(p, arg);
			if (r == 0 && !eat(p, ")"))
				r = ERR_PARSE;
		}
		if (r == 0 && v->t == V_STR)
			r = str_method(name, v, arg, has_arg, v);
		else if (r == 0 && v->t == V_TIME)
			r = time_method(name, v, arg, has_arg, v);
		else if (r == 0)
			r = ERR_PARSE;
		free(arg);
	}
	return r;
}

/* -1, 0, 1 as a < b, a == b, a > b; ERR_PARSE when the types differ or do not order. */
static int cmp(const struct val *a, const struct val *b, int ordering)
{
	if (a->t != b->t || (ordering && a->t == V_BOOL))
		return -2;
	switch (a->t) {
	case V_STR: {
		int c = strcmp(a->s, b->s);

		return c < 0 ? -1 : c > 0;
	}
	case V_TIME:
		if (a->i != b->i)
			return a->i < b->i ? -1 : 1;
		return a->ns < b->ns ? -1 : a->ns > b->ns;
	default: return a->i < b->i ? -1 : a->i > b->i;
	}
}

static int compare(struct p *p, struct val *v)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
	struct val *b;
	int r = postfix(p, v), op = -1, c, k;

	if (r < 0)
		return r;
	for (k = 0; k < 6 && op < 0; k++)
		if (eat(p, ops[k]))
			op = k;
	if (op < 0)
		return 0;
	b = malloc(sizeof(*b));
	if (!b)
		return ERR_NOMEM;
	r = postfix(p, b);
	c = r == 0 ? cmp(v, b, op >= 2) : 0;
	free(b);
	if (r < 0)
		return r;
	if (c == -2)
		return ERR_PARSE;
	v->t = V_BOOL;
	switch (op) {
	case 0: v->i = c == 0; break;
	case 1: v->i = c != 0; break;
	case 2: v->i = c <= 0; break;
	case 3: v->i = c >= 0; break;
	case 4: v->i = c < 0; break;
	default: v->i = c > 0; break;
	}
	return 0;
}

static int unary(struct p *p, struct val *v)
{
	int r;

	if (++p->depth > DEPTH_MAX)
		return ERR_RANGE;
	if (eat(p, "!")) {
		r = unary(p, v);
		if (r == 0 && v->t != V_BOOL)
			r = ERR_PARSE;
		v->i = !v->i;
	} else {
		r = compare(p, v);
	}
	p->depth--;
	return r;
}

/* left (op right)*, both sides always evaluated. */
static int chain(struct p *p, struct val *v, const char *op, int (*next)(struct p *, struct val *))
{
	struct val *b;
	int r = next(p, v);

	while (r == 0 && eat(p, op)) {
		b = malloc(sizeof(*b));
		if (!b)
			return ERR_NOMEM;
		r = next(p, b);
		if (r == 0 && (v->t != V_BOOL || b->t != V_BOOL))
			r = ERR_PARSE;
		if (r == 0)
			v->i = op[0] == '&' ? (v->i && b->i) : (v->i || b->i);
		free(b);
	}
	return r;
}

static int and_expr(struct p *p, struct val *v)
{
	return chain(p, v, "&&", unary);
}

static int expr(struct p *p, struct val *v)
{
	int r;

	if (++p->depth > DEPTH_MAX)
		return ERR_RANGE;
	r = chain(p, v, "||", and_expr);
	p->depth--;
	return r;
}

int authz_cond_eval(const char *cond, const struct authz_env *env)
{
	struct p p = { cond, 0, cond ? strlen(cond) : 0, 0, env };
	struct val *v;
	int r;

	ws(&p);
	if (p.at == p.n)
		return 1; /* no condition */
	if (p.n > AUTHZ_COND_MAX * 4)
		return ERR_TOOBIG;
	v = malloc(sizeof(*v));
	if (!v)
		return ERR_NOMEM;
	r = expr(&p, v);
	ws(&p);
	if (r == 0 && p.at != p.n)
		r = ERR_PARSE;
	if (r == 0 && v->t != V_BOOL)
		r = ERR_PARSE;
	if (r == 0)
		r = v->i ? 1 : 0;
	free(v);
	return r;
}
