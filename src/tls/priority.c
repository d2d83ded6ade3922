// SPDX-License-Identifier: GPL-2.0-or-later
/* tls/priority.c — GnuTLS priority strings (ocserv's tls-priorities) → wolfSSL version bounds and
 * cipher list. Pure parser; tls_server.c applies the result. Mapping documented in
 * docs/TLS-PRIORITIES.md.
 *
 * Grammar: KEYWORD[:ELEMENT]... with ELEMENT = +NAME | -NAME | !NAME | %FLAG (case-insensitive).
 *
 * GnuTLS element                     mapped to
 * ---------------------------------  ---------------------------------------------------------
 * NORMAL LEGACY SECURE SECURE128     ciphers AES-256-GCM CHACHA20 AES-256-CBC AES-128-GCM
 *                                    AES-128-CBC; MACs AEAD SHA1; kx ECDHE-ECDSA ECDHE-RSA
 *                                    DHE-RSA RSA
 * PFS                                as NORMAL without kx RSA
 * PERFORMANCE                        as NORMAL, AES-128 first
 * SECURE192 SECURE256                AES-256-GCM CHACHA20; MAC AEAD
 * SUITEB128 / SUITEB192              AES-128/256-GCM / AES-256-GCM; AEAD; kx ECDHE-ECDSA
 * NONE                               nothing: every part added explicitly
 * (every keyword)                    versions TLS 1.2 + 1.3, never below 1.2
 * +-VERS-TLS1.2/1.3, +-VERS-ALL      the version set (must not end up empty)
 * -VERS-SSL3.0/TLS1.0/TLS1.1         accepted (never enabled); with '+': error
 * +-VERS-DTLS*                       accepted, no effect here (DTLS is configured elsewhere)
 * +-cipher/MAC/kx, +-{CIPHER,MAC,KX}-ALL   edit the sets; unavailable names: '-' ok, '+' error
 * +-SIGN-* GROUP-* CURVE-* CTYPE-* COMP-*  accepted, no effect (wolfSSL defaults)
 * %SERVER_PRECEDENCE                 server_precedence
 * %NO_TICKETS %NO_TICKETS_TLS12      no_tickets (TLS 1.2 and 1.3)
 * %COMPAT %DUMBFW %SAFE_RENEGOTIATION ...  accepted, no effect (see prio_flags[])
 * %UNSAFE_RENEGOTIATION %NO_ETM %VERIFY_* %PROFILE_* ...  error
 */
#include "tls/priority.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/compiler.h"

enum prio_cipher : uint8_t {
	PC_AES128_GCM,
	PC_AES256_GCM,
	PC_CHACHA20,
	PC_AES128_CBC,
	PC_AES256_CBC,
	PC__COUNT,
};

enum prio_kx : uint8_t { PK_ECDHE_ECDSA, PK_ECDHE_RSA, PK_DHE_RSA, PK_RSA, PK__COUNT };
enum prio_mac : uint8_t { PM_AEAD, PM_SHA1, PM_SHA256, PM_SHA384, PM__COUNT };
enum prio_vers : uint8_t { PV_TLS1_2, PV_TLS1_3, PV__COUNT };
enum prio_cat : uint8_t { CAT_CIPHER, CAT_KX, CAT_MAC, CAT_VERS, CAT_IGNORED };

enum {
	ITEM_ALL = -1,	   /* "*-ALL": every member we provide */
	ITEM_REFUSED = -2, /* a known name we never provide: removing is fine, adding is an error */
};

#define B(x) (1u << (x))

/* The sets a priority string edits. Ciphers keep an order (preference), the rest are masks. */
struct prio_set {
	uint8_t cipher[PC__COUNT];
	size_t ncipher;
	uint32_t kx, mac, vers;
};

struct prio_item {
	const char *name;
	enum prio_cat cat;
	int8_t id;	 /* member index in cat, ITEM_ALL or ITEM_REFUSED */
	const char *why; /* ITEM_REFUSED: why '+' is an error */
};

static const char WHY_OLD[] = "TLS versions below 1.2 are not supported";
static const char WHY_WEAK[] = "weak or obsolete, never enabled";
static const char WHY_BUILD[] = "not available in this build";
static const char WHY_KX[] = "key exchange not supported for the TLS server";

static const struct prio_item prio_items[] = {
	{"AES-128-GCM", CAT_CIPHER, PC_AES128_GCM, nullptr},
	{"AES-256-GCM", CAT_CIPHER, PC_AES256_GCM, nullptr},
	{"CHACHA20-POLY1305", CAT_CIPHER, PC_CHACHA20, nullptr},
	{"AES-128-CBC", CAT_CIPHER, PC_AES128_CBC, nullptr},
	{"AES-256-CBC", CAT_CIPHER, PC_AES256_CBC, nullptr},
	{"CIPHER-ALL", CAT_CIPHER, ITEM_ALL, nullptr},
	{"AES-128-CCM", CAT_CIPHER, ITEM_REFUSED, WHY_BUILD},
	{"AES-256-CCM", CAT_CIPHER, ITEM_REFUSED, WHY_BUILD},
	{"AES-128-CCM-8", CAT_CIPHER, ITEM_REFUSED, WHY_BUILD},
	{"AES-256-CCM-8", CAT_CIPHER, ITEM_REFUSED, WHY_BUILD},
	{"CAMELLIA-128-GCM", CAT_CIPHER, ITEM_REFUSED, WHY_BUILD},
	{"CAMELLIA-256-GCM", CAT_CIPHER, ITEM_REFUSED, WHY_BUILD},
	{"CAMELLIA-128-CBC", CAT_CIPHER, ITEM_REFUSED, WHY_BUILD},
	{"CAMELLIA-256-CBC", CAT_CIPHER, ITEM_REFUSED, WHY_BUILD},
	{"GOST28147-TC26Z-CNT", CAT_CIPHER, ITEM_REFUSED, WHY_BUILD},
	{"3DES-CBC", CAT_CIPHER, ITEM_REFUSED, WHY_WEAK},
	{"DES-CBC", CAT_CIPHER, ITEM_REFUSED, WHY_WEAK},
	{"ARCFOUR-128", CAT_CIPHER, ITEM_REFUSED, WHY_WEAK},
	{"ARCFOUR-40", CAT_CIPHER, ITEM_REFUSED, WHY_WEAK},
	{"RC2-40", CAT_CIPHER, ITEM_REFUSED, WHY_WEAK},
	{"NULL", CAT_CIPHER, ITEM_REFUSED, WHY_WEAK},

	{"AEAD", CAT_MAC, PM_AEAD, nullptr},
	{"SHA1", CAT_MAC, PM_SHA1, nullptr},
	{"SHA256", CAT_MAC, PM_SHA256, nullptr},
	{"SHA384", CAT_MAC, PM_SHA384, nullptr},
	{"MAC-ALL", CAT_MAC, ITEM_ALL, nullptr},
	{"MD5", CAT_MAC, ITEM_REFUSED, WHY_WEAK},
	{"UMAC-96", CAT_MAC, ITEM_REFUSED, WHY_BUILD},
	{"UMAC-128", CAT_MAC, ITEM_REFUSED, WHY_BUILD},
	{"GOST28147-TC26Z-IMIT", CAT_MAC, ITEM_REFUSED, WHY_BUILD},

	{"ECDHE-ECDSA", CAT_KX, PK_ECDHE_ECDSA, nullptr},
	{"ECDHE-RSA", CAT_KX, PK_ECDHE_RSA, nullptr},
	{"DHE-RSA", CAT_KX, PK_DHE_RSA, nullptr},
	{"RSA", CAT_KX, PK_RSA, nullptr},
	{"KX-ALL", CAT_KX, ITEM_ALL, nullptr},
	{"DHE-DSS", CAT_KX, ITEM_REFUSED, WHY_WEAK},
	{"RSA-EXPORT", CAT_KX, ITEM_REFUSED, WHY_WEAK},
	{"ANON-DH", CAT_KX, ITEM_REFUSED, WHY_WEAK},
	{"ANON-ECDH", CAT_KX, ITEM_REFUSED, WHY_WEAK},
	{"PSK", CAT_KX, ITEM_REFUSED, WHY_KX},
	{"DHE-PSK", CAT_KX, ITEM_REFUSED, WHY_KX},
	{"ECDHE-PSK", CAT_KX, ITEM_REFUSED, WHY_KX},
	{"RSA-PSK", CAT_KX, ITEM_REFUSED, WHY_KX},
	{"SRP", CAT_KX, ITEM_REFUSED, WHY_KX},
	{"SRP-RSA", CAT_KX, ITEM_REFUSED, WHY_KX},
	{"SRP-DSS", CAT_KX, ITEM_REFUSED, WHY_KX},
	{"VKO-GOST-12", CAT_KX, ITEM_REFUSED, WHY_BUILD},

	{"VERS-TLS1.2", CAT_VERS, PV_TLS1_2, nullptr},
	{"VERS-TLS1.3", CAT_VERS, PV_TLS1_3, nullptr},
	{"VERS-ALL", CAT_VERS, ITEM_ALL, nullptr},
	{"VERS-TLS-ALL", CAT_VERS, ITEM_ALL, nullptr},
	{"VERS-SSL3.0", CAT_VERS, ITEM_REFUSED, WHY_OLD},
	{"VERS-TLS1.0", CAT_VERS, ITEM_REFUSED, WHY_OLD},
	{"VERS-TLS1.1", CAT_VERS, ITEM_REFUSED, WHY_OLD},
	{"VERS-DTLS0.9", CAT_IGNORED, 0, nullptr},
	{"VERS-DTLS1.0", CAT_IGNORED, 0, nullptr},
	{"VERS-DTLS1.2", CAT_IGNORED, 0, nullptr},
	{"VERS-DTLS-ALL", CAT_IGNORED, 0, nullptr},
};

/* Families of elements that only tune what wolfSSL already does well; accepted with no effect. */
static const char *const prio_ignored_prefixes[] = {"SIGN-", "GROUP-", "CURVE-", "CTYPE-", "COMP-"};

enum prio_flag_action : uint8_t { FL_NOTHING, FL_PRECEDENCE, FL_NO_TICKETS, FL_REFUSE };

struct prio_flag {
	const char *name;
	enum prio_flag_action action;
	const char *why; /* FL_REFUSE */
};

static const char WHY_RENEG[] = "insecure renegotiation is never allowed";
static const char WHY_VERIFY[] = "certificate verification flags are not supported";
static const char WHY_CANT[] = "cannot be honoured with wolfSSL";

static const struct prio_flag prio_flags[] = {
	{"COMPAT", FL_NOTHING, nullptr},
	{"DUMBFW", FL_NOTHING, nullptr},
	{"LATEST_RECORD_VERSION", FL_NOTHING, nullptr},
	{"SSL3_RECORD_VERSION", FL_NOTHING, nullptr},
	{"STATELESS_COMPRESSION", FL_NOTHING, nullptr},
	{"ALLOW_SMALL_RECORDS", FL_NOTHING, nullptr},
	{"NO_STATUS_REQUEST", FL_NOTHING, nullptr},
	{"DISABLE_TLS13_COMPAT_MODE", FL_NOTHING, nullptr},
	{"NO_SHUFFLE_EXTENSIONS", FL_NOTHING, nullptr},
	{"SAFE_RENEGOTIATION", FL_NOTHING, nullptr},	/* we are stricter: none at all */
	{"PARTIAL_RENEGOTIATION", FL_NOTHING, nullptr}, /* idem */
	{"SERVER_PRECEDENCE", FL_PRECEDENCE, nullptr},
	{"NO_TICKETS", FL_NO_TICKETS, nullptr},
	{"NO_TICKETS_TLS12", FL_NO_TICKETS, nullptr},
	{"UNSAFE_RENEGOTIATION", FL_REFUSE, WHY_RENEG},
	{"DISABLE_SAFE_RENEGOTIATION", FL_REFUSE, WHY_RENEG},
	{"NO_EXTENSIONS", FL_REFUSE, WHY_CANT},
	{"NO_ETM", FL_REFUSE, WHY_CANT},
	{"FORCE_ETM", FL_REFUSE, WHY_CANT},
	{"NO_SESSION_HASH", FL_REFUSE, WHY_CANT},
	{"FORCE_SESSION_HASH", FL_REFUSE, WHY_CANT},
	{"VERIFY_ALLOW_SIGN_RSA_MD5", FL_REFUSE, WHY_VERIFY},
	{"VERIFY_ALLOW_SIGN_WITH_SHA1", FL_REFUSE, WHY_VERIFY},
	{"VERIFY_ALLOW_X509_V1_CA_CRT", FL_REFUSE, WHY_VERIFY},
	{"VERIFY_ALLOW_BROKEN", FL_REFUSE, WHY_VERIFY},
	{"VERIFY_DISABLE_CRL_CHECKS", FL_REFUSE, WHY_VERIFY},
};

/* Initial keywords. Cipher order lists the preference; kx/mac/vers are masks. */
struct prio_keyword {
	const char *name;
	uint8_t cipher[PC__COUNT];
	uint8_t ncipher;
	uint32_t kx, mac, vers;
};

enum : uint32_t {
	KX_NORMAL = B(PK_ECDHE_ECDSA) | B(PK_ECDHE_RSA) | B(PK_DHE_RSA) | B(PK_RSA),
	KX_PFS = B(PK_ECDHE_ECDSA) | B(PK_ECDHE_RSA) | B(PK_DHE_RSA),
	MAC_NORMAL = B(PM_AEAD) | B(PM_SHA1),
	MAC_ALL = B(PM_AEAD) | B(PM_SHA1) | B(PM_SHA256) | B(PM_SHA384),
	VERS_ALL = B(PV_TLS1_2) | B(PV_TLS1_3),
};

#define NORMAL_CIPHERS {PC_AES256_GCM, PC_CHACHA20, PC_AES256_CBC, PC_AES128_GCM, PC_AES128_CBC}

static const struct prio_keyword prio_keywords[] = {
	{"NORMAL", NORMAL_CIPHERS, 5, KX_NORMAL, MAC_NORMAL, VERS_ALL},
	{"LEGACY", NORMAL_CIPHERS, 5, KX_NORMAL, MAC_NORMAL, VERS_ALL},
	{"SECURE", NORMAL_CIPHERS, 5, KX_NORMAL, MAC_NORMAL, VERS_ALL},
	{"SECURE128", NORMAL_CIPHERS, 5, KX_NORMAL, MAC_NORMAL, VERS_ALL},
	{"PFS", NORMAL_CIPHERS, 5, KX_PFS, MAC_NORMAL, VERS_ALL},
	{"PERFORMANCE",
	 {PC_AES128_GCM, PC_AES256_GCM, PC_CHACHA20, PC_AES128_CBC, PC_AES256_CBC},
	 5,
	 KX_NORMAL,
	 MAC_NORMAL,
	 VERS_ALL},
	{"SECURE192", {PC_AES256_GCM, PC_CHACHA20}, 2, KX_NORMAL, B(PM_AEAD), VERS_ALL},
	{"SECURE256", {PC_AES256_GCM, PC_CHACHA20}, 2, KX_NORMAL, B(PM_AEAD), VERS_ALL},
	{"SUITEB128", {PC_AES128_GCM, PC_AES256_GCM}, 2, B(PK_ECDHE_ECDSA), B(PM_AEAD), VERS_ALL},
	{"SUITEB192", {PC_AES256_GCM}, 1, B(PK_ECDHE_ECDSA), B(PM_AEAD), VERS_ALL},
	{"NONE", {}, 0, 0, 0, 0},
};

/* wolfSSL suite names. TLS 1.3 suites depend on the cipher only (and the AEAD "MAC"). */
static const char *const suites13[PC__COUNT] = {
	[PC_AES128_GCM] = "TLS13-AES128-GCM-SHA256",
	[PC_AES256_GCM] = "TLS13-AES256-GCM-SHA384",
	[PC_CHACHA20] = "TLS13-CHACHA20-POLY1305-SHA256",
};

struct suite12 {
	enum prio_cipher cipher;
	enum prio_kx kx;
	enum prio_mac mac;
	const char *name;
};

static const struct suite12 suites12[] = {
	{PC_AES128_GCM, PK_ECDHE_ECDSA, PM_AEAD, "ECDHE-ECDSA-AES128-GCM-SHA256"},
	{PC_AES128_GCM, PK_ECDHE_RSA, PM_AEAD, "ECDHE-RSA-AES128-GCM-SHA256"},
	{PC_AES128_GCM, PK_DHE_RSA, PM_AEAD, "DHE-RSA-AES128-GCM-SHA256"},
	{PC_AES128_GCM, PK_RSA, PM_AEAD, "AES128-GCM-SHA256"},
	{PC_AES256_GCM, PK_ECDHE_ECDSA, PM_AEAD, "ECDHE-ECDSA-AES256-GCM-SHA384"},
	{PC_AES256_GCM, PK_ECDHE_RSA, PM_AEAD, "ECDHE-RSA-AES256-GCM-SHA384"},
	{PC_AES256_GCM, PK_DHE_RSA, PM_AEAD, "DHE-RSA-AES256-GCM-SHA384"},
	{PC_AES256_GCM, PK_RSA, PM_AEAD, "AES256-GCM-SHA384"},
	{PC_CHACHA20, PK_ECDHE_ECDSA, PM_AEAD, "ECDHE-ECDSA-CHACHA20-POLY1305"},
	{PC_CHACHA20, PK_ECDHE_RSA, PM_AEAD, "ECDHE-RSA-CHACHA20-POLY1305"},
	{PC_CHACHA20, PK_DHE_RSA, PM_AEAD, "DHE-RSA-CHACHA20-POLY1305"},
	{PC_AES128_CBC, PK_ECDHE_ECDSA, PM_SHA256, "ECDHE-ECDSA-AES128-SHA256"},
	{PC_AES128_CBC, PK_ECDHE_RSA, PM_SHA256, "ECDHE-RSA-AES128-SHA256"},
	{PC_AES128_CBC, PK_DHE_RSA, PM_SHA256, "DHE-RSA-AES128-SHA256"},
	{PC_AES128_CBC, PK_RSA, PM_SHA256, "AES128-SHA256"},
	{PC_AES128_CBC, PK_ECDHE_ECDSA, PM_SHA1, "ECDHE-ECDSA-AES128-SHA"},
	{PC_AES128_CBC, PK_ECDHE_RSA, PM_SHA1, "ECDHE-RSA-AES128-SHA"},
	{PC_AES128_CBC, PK_DHE_RSA, PM_SHA1, "DHE-RSA-AES128-SHA"},
	{PC_AES128_CBC, PK_RSA, PM_SHA1, "AES128-SHA"},
	{PC_AES256_CBC, PK_ECDHE_ECDSA, PM_SHA384, "ECDHE-ECDSA-AES256-SHA384"},
	{PC_AES256_CBC, PK_ECDHE_RSA, PM_SHA384, "ECDHE-RSA-AES256-SHA384"},
	{PC_AES256_CBC, PK_DHE_RSA, PM_SHA256, "DHE-RSA-AES256-SHA256"},
	{PC_AES256_CBC, PK_RSA, PM_SHA256, "AES256-SHA256"},
	{PC_AES256_CBC, PK_ECDHE_ECDSA, PM_SHA1, "ECDHE-ECDSA-AES256-SHA"},
	{PC_AES256_CBC, PK_ECDHE_RSA, PM_SHA1, "ECDHE-RSA-AES256-SHA"},
	{PC_AES256_CBC, PK_DHE_RSA, PM_SHA1, "DHE-RSA-AES256-SHA"},
	{PC_AES256_CBC, PK_RSA, PM_SHA1, "AES256-SHA"},
};

/* "*-ALL" for ciphers adds the missing ones in NORMAL's order. */
static const uint8_t all_ciphers[PC__COUNT] = NORMAL_CIPHERS;

[[gnu::format(printf, 3, 4)]] static int prio_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool tok_eq(const char *tok, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(tok, name, len) == 0;
}

static bool tok_has_prefix(const char *tok, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix);

	return len >= plen && strncasecmp(tok, prefix, plen) == 0;
}

static void cipher_add(struct prio_set *set, uint8_t c)
{
	for (size_t i = 0; i < set->ncipher; i++) {
		if (set->cipher[i] == c)
			return;
	}
	BUG_ON(set->ncipher >= PC__COUNT);
	set->cipher[set->ncipher++] = c;
}

static void cipher_remove(struct prio_set *set, uint8_t c)
{
	size_t j = 0;

	for (size_t i = 0; i < set->ncipher; i++) {
		if (set->cipher[i] != c)
			set->cipher[j++] = set->cipher[i];
	}
	set->ncipher = j;
}

static void mask_edit(uint32_t *mask, int id, uint32_t all, bool add)
{
	uint32_t bits = id == ITEM_ALL ? all : B(id);

	if (add)
		*mask |= bits;
	else
		*mask &= ~bits;
}

/* One +NAME / -NAME / !NAME element. */
static int prio_apply_item(struct prio_set *set, const char *tok, size_t len, char *err,
			   size_t errlen)
{
	bool add = tok[0] == '+';
	const char *name = tok + 1;
	size_t nlen = len - 1;
	const struct prio_item *it = nullptr;

	for (size_t i = 0; i < ARRAY_SIZE(prio_items); i++) {
		if (tok_eq(name, nlen, prio_items[i].name)) {
			it = &prio_items[i];
			break;
		}
	}
	if (!it) {
		for (size_t i = 0; i < ARRAY_SIZE(prio_ignored_prefixes); i++) {
			if (tok_has_prefix(name, nlen, prio_ignored_prefixes[i]))
				return 0;
		}
		return prio_fail(err, errlen, "unknown priority element '%.*s'", (int)len, tok);
	}
	if (it->cat == CAT_IGNORED)
		return 0;
	if (it->id == ITEM_REFUSED) {
		if (!add)
			return 0; /* never enabled anyway */
		return prio_fail(err, errlen, "'%.*s': %s", (int)len, tok, it->why);
	}
	switch (it->cat) {
	case CAT_CIPHER:
		if (it->id != ITEM_ALL) {
			if (add)
				cipher_add(set, (uint8_t)it->id);
			else
				cipher_remove(set, (uint8_t)it->id);
		} else if (add) {
			for (size_t i = 0; i < ARRAY_SIZE(all_ciphers); i++)
				cipher_add(set, all_ciphers[i]);
		} else {
			set->ncipher = 0;
		}
		break;
	case CAT_KX:
		mask_edit(&set->kx, it->id, KX_NORMAL, add);
		break;
	case CAT_MAC:
		mask_edit(&set->mac, it->id, MAC_ALL, add);
		break;
	case CAT_VERS:
		mask_edit(&set->vers, it->id, VERS_ALL, add);
		break;
	case CAT_IGNORED:
		break;
	}
	return 0;
}

static int prio_apply_flag(struct tls_priority *out, const char *tok, size_t len, char *err,
			   size_t errlen)
{
	const char *name = tok + 1;
	size_t nlen = len - 1;

	if (tok_has_prefix(name, nlen, "PROFILE_"))
		return prio_fail(err, errlen,
				 "'%.*s': certificate verification profiles are not "
				 "supported",
				 (int)len, tok);
	for (size_t i = 0; i < ARRAY_SIZE(prio_flags); i++) {
		const struct prio_flag *f = &prio_flags[i];

		if (!tok_eq(name, nlen, f->name))
			continue;
		switch (f->action) {
		case FL_NOTHING:
			return 0;
		case FL_PRECEDENCE:
			out->server_precedence = true;
			return 0;
		case FL_NO_TICKETS:
			out->no_tickets = true;
			return 0;
		case FL_REFUSE:
			return prio_fail(err, errlen, "'%.*s': %s", (int)len, tok, f->why);
		}
	}
	return prio_fail(err, errlen, "unknown priority flag '%.*s'", (int)len, tok);
}

static int prio_apply_keyword(struct prio_set *set, const char *tok, size_t len, char *err,
			      size_t errlen)
{
	if (tok[0] == '@')
		return prio_fail(err, errlen, "'%.*s': system priority keywords are not supported",
				 (int)len, tok);
	for (size_t i = 0; i < ARRAY_SIZE(prio_keywords); i++) {
		const struct prio_keyword *k = &prio_keywords[i];

		if (!tok_eq(tok, len, k->name))
			continue;
		memcpy(set->cipher, k->cipher, sizeof(set->cipher));
		set->ncipher = k->ncipher;
		set->kx = k->kx;
		set->mac = k->mac;
		set->vers = k->vers;
		return 0;
	}
	return prio_fail(err, errlen,
			 "priority string must start with a keyword such as NORMAL, got '%.*s'",
			 (int)len, tok);
}

static int list_append(struct tls_priority *out, size_t *used, const char *name)
{
	int n = snprintf(out->cipher_list + *used, sizeof(out->cipher_list) - *used, "%s%s",
			 *used ? ":" : "", name);

	if (n < 0 || (size_t)n >= sizeof(out->cipher_list) - *used)
		return -E2BIG;
	*used += (size_t)n;
	return 0;
}

/* Turn the sets into versions and the cipher list; refuse sets that cannot work. */
static int prio_finish(const struct prio_set *set, struct tls_priority *out, char *err,
		       size_t errlen)
{
	bool want12 = set->vers & B(PV_TLS1_2);
	bool want13 = set->vers & B(PV_TLS1_3);
	size_t used = 0, n12 = 0, n13 = 0;

	if (!want12 && !want13)
		return prio_fail(err, errlen,
				 "no TLS version left enabled (only 1.2 and 1.3 exist "
				 "here)");
	out->min_version = want12 ? TLS_PRIO_TLS1_2 : TLS_PRIO_TLS1_3;
	out->max_version = want13 ? TLS_PRIO_TLS1_3 : TLS_PRIO_TLS1_2;
	out->cipher_list[0] = '\0';

	if (want13 && (set->mac & B(PM_AEAD))) {
		for (size_t i = 0; i < set->ncipher; i++) {
			const char *name = suites13[set->cipher[i]];

			if (!name)
				continue;
			if (list_append(out, &used, name) < 0)
				return prio_fail(err, errlen, "cipher list too long");
			n13++;
		}
	}
	if (want12) {
		for (size_t i = 0; i < set->ncipher; i++) {
			for (size_t j = 0; j < ARRAY_SIZE(suites12); j++) {
				const struct suite12 *s = &suites12[j];

				if (s->cipher != set->cipher[i] || !(set->kx & B(s->kx)) ||
				    !(set->mac & B(s->mac)))
					continue;
				if (list_append(out, &used, s->name) < 0)
					return prio_fail(err, errlen, "cipher list too long");
				n12++;
			}
		}
	}
	if (want13 && n13 == 0)
		return prio_fail(err, errlen,
				 "TLS 1.3 is enabled but no TLS 1.3 cipher is left "
				 "(needs AEAD with AES-GCM or CHACHA20-POLY1305)");
	if (want12 && n12 == 0)
		return prio_fail(err, errlen,
				 "TLS 1.2 is enabled but no TLS 1.2 cipher suite is "
				 "left (check ciphers, MACs and key exchanges)");
	return 0;
}

int tls_priority_parse(const char *s, struct tls_priority *out, char *err, size_t errlen)
{
	struct prio_set set = {};
	bool have_keyword = false;
	size_t slen;

	*out = (struct tls_priority){};
	if (errlen > 0)
		err[0] = '\0';
	if (!s)
		s = TLS_PRIORITY_DEFAULT;
	slen = strnlen(s, TLS_PRIO_MAX_INPUT + 1);
	if (slen > TLS_PRIO_MAX_INPUT)
		return prio_fail(err, errlen, "priority string longer than %d bytes",
				 TLS_PRIO_MAX_INPUT);
	for (size_t i = 0; i < slen; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= ' ' || ch >= 0x7f)
			return prio_fail(err, errlen, "invalid character 0x%02x at offset %zu", ch,
					 i);
	}

	for (size_t pos = 0; pos < slen;) {
		const char *tok = s + pos;
		const char *colon = memchr(tok, ':', slen - pos);
		size_t len = colon ? (size_t)(colon - tok) : slen - pos;
		int ret;

		pos += len + 1;
		if (len == 0)
			continue; /* "a::b" or a trailing ':' */
		if (!have_keyword) {
			ret = prio_apply_keyword(&set, tok, len, err, errlen);
			have_keyword = true;
		} else if (tok[0] == '%') {
			ret = len > 1 ? prio_apply_flag(out, tok, len, err, errlen)
				      : prio_fail(err, errlen, "empty priority flag '%%'");
		} else if (tok[0] == '+' || tok[0] == '-' || tok[0] == '!') {
			ret = len > 1 ? prio_apply_item(&set, tok, len, err, errlen)
				      : prio_fail(err, errlen, "empty priority element '%c'",
						  tok[0]);
		} else {
			ret = prio_fail(
				err, errlen,
				"'%.*s': keyword only allowed first; elements need +, - or %%",
				(int)len, tok);
		}
		if (ret < 0)
			goto fail;
	}
	if (!have_keyword) {
		prio_fail(err, errlen, "empty priority string");
		goto fail;
	}
	if (prio_finish(&set, out, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	*out = (struct tls_priority){};
	return -EINVAL;
}
