/*
 * identity.c - the normalised keys a named child is linked by.
 *
 * Owns how identifiers are normalised (NHS digits, upper-case UPN, the
 * agency's trimmed local id, folded names, postcode shape) and how they are
 * spelled as store keys. Does not decide which child a key belongs to or
 * when two children merge (link.c), and does not reject anything: that is
 * validate.c's, which has run before any of this.
 */
#include "identity.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

/* ---- name folding ---- */

/* U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A) to the
 * ASCII letters a clerk would type for them on a keyboard without accents.
 * NULL marks the two non-letters of the range (U+00D7 x, U+00F7 /). Every
 * entry of two bytes or fewer: each source is two bytes of UTF-8, so
 * folding never makes a name longer. */
/* clang-format off */
static const char *const latin[0x180 - 0xC0] = {
	/* U+00C0 A-grave .. I-diaeresis, with AE and C-cedilla */
	"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
	/* U+00D0 eth, N-tilde, O.., multiplication sign, O-stroke, U.., Y-acute, thorn, sharp s */
	"D", "N", "O", "O", "O", "O", "O", NULL, "O", "U", "U", "U", "U", "Y", "TH", "SS",
	/* U+00E0 the lower case of the U+00C0 row */
	"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
	/* U+00F0 the lower case of the U+00D0 row, division sign, y-diaeresis */
	"D", "N", "O", "O", "O", "O", "O", NULL, "O", "U", "U", "U", "U", "Y", "TH", "Y",
	/* U+0100 A-macron .. d-caron */
	"A", "A", "A", "A", "A", "A", "C", "C", "C", "C", "C", "C", "C", "C", "D", "D",
	/* U+0110 D-stroke .. g-breve */
	"D", "D", "E", "E", "E", "E", "E", "E", "E", "E", "E", "E", "G", "G", "G", "G",
	/* U+0120 G-dot .. i-ogonek */
	"G", "G", "G", "G", "H", "H", "H", "H", "I", "I", "I", "I", "I", "I", "I", "I",
	/* U+0130 I-dot, dotless i, IJ, ij, J-circumflex, K-cedilla, kra, L-acute .. L-middle-dot */
	"I", "I", "IJ", "IJ", "J", "J", "K", "K", "K", "L", "L", "L", "L", "L", "L", "L",
	/* U+0140 l-middle-dot, L-stroke, N-acute .. 'n, eng, O-macron .. o-breve */
	"L", "L", "L", "N", "N", "N", "N", "N", "N", "N", "N", "N", "O", "O", "O", "O",
	/* U+0150 O-double-acute, OE, oe, R-acute .. s-cedilla */
	"O", "O", "OE", "OE", "R", "R", "R", "R", "R", "R", "S", "S", "S", "S", "S", "S",
	/* U+0160 S-caron, T-cedilla .. u-ring */
	"S", "S", "T", "T", "T", "T", "T", "T", "U", "U", "U", "U", "U", "U", "U", "U",
	/* U+0170 U-double-acute .. z-caron, long s */
	"U", "U", "U", "U", "W", "W", "Y", "Y", "Y", "Z", "Z", "Z", "Z", "Z", "Z", "S",
};
/* clang-format on */

/* U+0180..U+024F: the base letter of each, "." where there is none (the
 * digraphs DZ, LJ and NJ are two letters, see digraph()). */
static const char latin_b[] = "BBBB...CC.DDD....FFG...IKKL..NNOOO..PP.....TTTTUU.VYYZZ........."
                              ".............AAIIOOUUUUUUUUUU.AAAA..GGGGKKOOOO..J...GG..NNAA..OO"
                              "AAAAEEEEIIIIOOOORRRRUUUUSSTT..HHND..ZZAAEEOOOOOOOOYYLNT...ACCLTS"
                              "Z..B..EEJJ.QRRYY";
/* U+1E00..U+1EFF: the base letter of each, "." where there is none. */
static const char latin_additional[] =
    "AABBBBBBCCDDDDDDDDDDEEEEEEEEEEFFGGHHHHHHHHHHIIIIKKKKKKLLLLLLLLMM"
    "MMMMNNNNNNNNOOOOOOOOPPPPRRRRRRRRSSSSSSSSSSTTTTTTTTUUUUUUUUUUVVVV"
    "WWWWWWWWWWXXXXYYZZZZZZHTWYA.....AAAAAAAAAAAAAAAAAAAAAAAAEEEEEEEE"
    "EEEEEEEEIIIIOOOOOOOOOOOOOOOOOOOOOOOOUUUUUUUUUUUUUUYYYYYYYY....YY";

/* U+01C4..U+01CC and U+01F1..U+01F3: DZ, LJ and NJ each as one code point
 * in capital, title and small forms ("ǅ" is what a Croatian keyboard
 * may send for "Dz"). Folded to the two letters a clerk types. */
static const char *digraph(uint32_t cp)
{
	static const char *const pairs[] = {"DZ", "LJ", "NJ"};
	if (cp >= 0x1C4 && cp <= 0x1CC)
		return pairs[(cp - 0x1C4) / 3];
	if (cp >= 0x1F1 && cp <= 0x1F3)
		return "DZ";
	return NULL;
}

/* Upper case of a Greek, Coptic, Cyrillic or Armenian letter (accents on
 * Greek vowels dropped), or 0 when cp is not a lower-case or accented one.
 * The result takes two bytes in UTF-8, as cp does. */
static uint32_t upper_case(uint32_t cp)
{
	/* Accented Greek vowels, final sigma, yot, palochka. */
	static const uint16_t irregular[][2] = {
	    {0x0386, 0x0391}, {0x0388, 0x0395}, {0x0389, 0x0397}, {0x038A, 0x0399},
	    {0x038C, 0x039F}, {0x038E, 0x03A5}, {0x038F, 0x03A9}, {0x0390, 0x0399},
	    {0x03AA, 0x0399}, {0x03AB, 0x03A5}, {0x03AC, 0x0391}, {0x03AD, 0x0395},
	    {0x03AE, 0x0397}, {0x03AF, 0x0399}, {0x03B0, 0x03A5}, {0x03C2, 0x03A3},
	    {0x03CA, 0x0399}, {0x03CB, 0x03A5}, {0x03CC, 0x039F}, {0x03CD, 0x03A5},
	    {0x03CE, 0x03A9}, {0x03F3, 0x037F}, {0x04CF, 0x04C0},
	};
	for (size_t i = 0; i < sizeof irregular / sizeof irregular[0]; i++)
		if (irregular[i][0] == cp)
			return irregular[i][1];
	if (cp >= 0x03B1 && cp <= 0x03C9)
		return cp - 0x20; /* Greek */
	if (cp >= 0x0430 && cp <= 0x044F)
		return cp - 0x20; /* Cyrillic */
	if (cp >= 0x0450 && cp <= 0x045F)
		return cp - 0x50; /* Cyrillic with marks: ё, ї, ... */
	if (cp >= 0x0561 && cp <= 0x0586)
		return cp - 0x30; /* Armenian */
	/* Pairs of upper case then lower case: archaic Greek and Coptic,
	 * Cyrillic and the Cyrillic Supplement (Komi, Abkhaz, ...). */
	if (((cp >= 0x0370 && cp <= 0x0373) || (cp >= 0x0376 && cp <= 0x0377) ||
	     (cp >= 0x03D8 && cp <= 0x03EF) || (cp >= 0x03FA && cp <= 0x03FB) ||
	     (cp >= 0x0460 && cp <= 0x0481) || (cp >= 0x048A && cp <= 0x04BF) ||
	     (cp >= 0x04D0 && cp <= 0x052F)) &&
	    (cp & 1))
		return cp - 1;
	/* The same, shifted by one: the lower case is even. */
	if (((cp >= 0x03F7 && cp <= 0x03F8) || (cp >= 0x04C1 && cp <= 0x04CE)) && !(cp & 1))
		return cp - 1;
	return 0;
}

/* Code points that separate or decorate a name without being part of it:
 * the same name arrives as "O'Brien", "O’Brien" and "OBrien", and as "Zoë"
 * precomposed or as "Zoe" plus a combining diaeresis. */
static int ignorable(uint32_t cp)
{
	/* C1 controls, no-break space, Latin-1 punctuation and signs; but
	 * not the ordinal indicators (folded to A and O) nor the micro sign,
	 * which is a Greek letter. */
	if (cp >= 0x80 && cp <= 0xBF)
		return cp != 0xAA && cp != 0xB5 && cp != 0xBA;
	return cp == 0xD7 || cp == 0xF7 ||       /* multiplication and division signs */
	       (cp >= 0x2B9 && cp <= 0x2BC) ||   /* modifier primes and apostrophes */
	       (cp >= 0x300 && cp <= 0x36F) ||   /* combining diacritical marks */
	       (cp >= 0x2000 && cp <= 0x206F) || /* general punctuation: spaces, dashes, quotes */
	       cp == 0x3000 ||                   /* ideographic space */
	       cp == 0xFEFF;                     /* byte order mark */
}

/* Decode one UTF-8 sequence at s. Returns its length, or 0 when s does not
 * start a well-formed sequence (then the byte is kept as it is). Stops at
 * the terminator, since NUL is not a continuation byte. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t v;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		v = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		v = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return n;
}

struct sink {
	char *out;
	size_t cap;  /* bytes available for text, the terminator excluded */
	size_t used; /* bytes written to out */
	size_t len;  /* bytes the whole folding takes */
	int cut;     /* once a piece did not fit, nothing more is written */
};

static void put(struct sink *k, const char *s, size_t n)
{
	if (!k->cut && k->used + n <= k->cap) {
		memcpy(k->out + k->used, s, n);
		k->used += n;
	} else {
		k->cut = 1;
	}
	k->len += n;
}

/* Folded names are whole characters: a name too long for out is cut
 * before the character that does not fit, never inside one, and the
 * return value is the length the whole folding would take (as snprintf
 * does), so a caller can tell it was cut. */
size_t identity_fold_name(const char *in, char *out, size_t outlen)
{
	struct sink k = {out, outlen ? outlen - 1 : 0, 0, 0, outlen == 0};
	const unsigned char *s = (const unsigned char *)in;

	while (*s) {
		uint32_t cp;
		size_t n = decode(s, &cp);
		if (n == 0) {
			put(&k, (const char *)s, 1);
			s++;
			continue;
		}
		if (cp < 0x80) {
			char c = (char)cp;
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			/* Letters and digits stay; spaces, punctuation and
			 * controls go, so "Smith-Jones" is "Smith Jones". */
			if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
				put(&k, &c, 1);
		} else if (cp >= 0xC0 && cp < 0x180 && latin[cp - 0xC0]) {
			put(&k, latin[cp - 0xC0], strlen(latin[cp - 0xC0]));
		} else if (digraph(cp)) {
			put(&k, digraph(cp), 2);
		} else if (cp >= 0x180 && cp < 0x250 && latin_b[cp - 0x180] != '.') {
			put(&k, &latin_b[cp - 0x180], 1);
		} else if (cp == 0x1E9E) {
			put(&k, "SS", 2); /* capital sharp s, as its small form */
		} else if (cp >= 0x1E00 && cp < 0x1F00 && latin_additional[cp - 0x1E00] != '.') {
			put(&k, &latin_additional[cp - 0x1E00], 1); /* Vietnamese, Welsh, ... */
		} else if (upper_case(cp)) {
			uint32_t up = upper_case(cp);
			char u[2] = {(char)(0xC0 | (up >> 6)), (char)(0x80 | (up & 0x3F))};
			put(&k, u, 2);
		} else if (cp == 0xAA || cp == 0xBA) {
			put(&k, cp == 0xAA ? "A" : "O", 1); /* ordinal indicators */
		} else if (!ignorable(cp)) {
			/* Other scripts are compared as sent. */
			put(&k, (const char *)s, n);
		}
		s += n;
	}
	if (outlen)
		out[k.used] = '\0';
	return k.len;
}

/* ---- postcodes ---- */

static int is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int is_letter(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Does s (length n) follow pattern p, 'A' a letter and '9' a digit? */
static int shaped(const char *s, size_t n, const char *p)
{
	if (strlen(p) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] == 'A' ? !is_letter(s[i]) : !is_digit(s[i]))
			return 0;
	return 1;
}

/* Shape only: an outward code of the six UK forms and an inward code
 * digit-letter-letter. Whether the postcode exists is not ours to know;
 * the shape is enough to compare two spellings of one address. */
int identity_postcode(const char *in, char out[POSTCODE_MAX])
{
	static const char *const outward[] = {"A9", "A99", "AA9", "AA99", "A9A", "AA9A"};
	char pc[POSTCODE_MAX];
	size_t n = 0;

	out[0] = '\0';
	for (const char *p = in; *p; p++) {
		if (is_space(*p))
			continue;
		if (n == POSTCODE_MAX - 1)
			return -1; /* longer than any postcode */
		char c = *p;
		pc[n++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
	}
	pc[n] = '\0';
	if (n < 5 || !shaped(pc + n - 3, 3, "9AA"))
		return -1;
	for (size_t i = 0; i < sizeof outward / sizeof outward[0]; i++) {
		if (shaped(pc, n - 3, outward[i])) {
			memcpy(out, pc, n + 1);
			return 0;
		}
	}
	return -1;
}

/* ---- keys ---- */

/* local_id as the agency sent it, less surrounding white space: "P-77"
 * and " P-77" are one person in one agency's records; case and inner
 * punctuation may well matter to that agency, so they stay. */
static void trim(const char *s, const char **start, size_t *len)
{
	while (is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	*start = s;
	*len = n;
}

static int dob_shaped(const char *s)
{
	return strlen(s) == 10 && shaped(s, 4, "9999") && s[4] == '-' && shaped(s + 5, 2, "99") &&
	       s[7] == '-' && shaped(s + 8, 2, "99");
}

int identity_keys(const struct child_identity *id, int agency, struct identity_keys *out)
{
	const char *why;
	int n = 0;

	memset(out, 0, sizeof *out);

	char nhs[11];
	if (id->nhs_number[0] && validate_nhs_number(id->nhs_number, nhs, &why) == 0) {
		snprintf(out->nhs, sizeof out->nhs, "N%s", nhs);
		n++;
	}

	char upn[14];
	if (id->upn[0] && validate_upn(id->upn, upn, &why) == 0) {
		snprintf(out->upn, sizeof out->upn, "U%s", upn);
		n++;
	}

	const char *local;
	size_t local_len;
	trim(id->local_id, &local, &local_len);
	if (local_len > 0 && local_len <= CONCERN_FIELD_MAX) {
		snprintf(out->local, sizeof out->local, "L%d:%.*s", agency, (int)local_len, local);
		n++;
	}

	/* Names alone are too weak a link: both names and the date of birth,
	 * or no demographic key at all. */
	char family[CONCERN_FIELD_MAX + 1], given[CONCERN_FIELD_MAX + 1];
	size_t flen = identity_fold_name(id->family_name, family, sizeof family);
	size_t glen = identity_fold_name(id->given_name, given, sizeof given);
	if (flen > 0 && flen < sizeof family && glen > 0 && glen < sizeof given &&
	    dob_shaped(id->date_of_birth)) {
		snprintf(out->demographic, sizeof out->demographic, "D%s|%s|%s", family, given,
		         id->date_of_birth);
		n++;
	}

	identity_postcode(id->postcode, out->postcode);
	return n;
}
