/*
 * identity.h - normalised identity keys for linking concerns to children.
 *
 * Pure functions. A child named in a concern yields up to four keys; the
 * store maps each key to a child id. Keys are printable strings with a
 * one-letter kind prefix so they sort and read well in the store:
 *
 *   N<10 digits>                     NHS number (strong)
 *   U<13 upper-case characters>      UPN (strong)
 *   L<agency digit>:<local_id>       the agency's own person id (strong)
 *   D<FAMILY>|<GIVEN>|<YYYY-MM-DD>   demographics (names folded)
 *
 * The postcode is not part of the demographic key: the contract links on
 * names and date of birth and, where both sides have one, the same
 * postcode. It is returned normalised alongside.
 */
#ifndef FFC_IDENTITY_H
#define FFC_IDENTITY_H

#include <stddef.h>

#include "concern.h"

#define IDENTITY_KEY_MAX (2 * CONCERN_FIELD_MAX + 32)
#define POSTCODE_MAX     9 /* "SW1A1AA" plus room, with terminator */

enum identity_kind { ID_NHS, ID_UPN, ID_LOCAL, ID_DEMOGRAPHIC };

struct identity_keys {
	char nhs[1 + 10 + 1]; /* "" when absent */
	char upn[1 + 13 + 1]; /* "" when absent */
	char local[IDENTITY_KEY_MAX];
	char demographic[IDENTITY_KEY_MAX]; /* "" unless family, given and dob all present */
	char postcode[POSTCODE_MAX];        /* normalised, "" when absent or malformed */
};

/* Build the keys for one child named by `agency`. The identity must
 * already have passed validate_concern(). Returns the number of keys set
 * (nhs, upn, local, demographic), 0 when none; *out is filled whole (the
 * keys absent are ""), and keeps no pointer into id. Cannot fail. */
int identity_keys(const struct child_identity *id, int agency, struct identity_keys *out);

/* Fold a name for comparison: case-, accent-, space- and punctuation-
 * insensitive ("Zoë O'Brien-Smith" -> "ZOEOBRIENSMITH"). Latin letters
 * (Latin-1, Extended-A and -B, Extended Additional) fold to their base
 * letters, Greek and Cyrillic to upper case without accents; letters of
 * other scripts are kept as their UTF-8 bytes. Writes at most
 * outlen bytes including the terminator, cut before a character that
 * does not fit; returns the length the whole folding would take (as
 * snprintf does), so a result >= outlen means it was cut. */
size_t identity_fold_name(const char *in, char *out, size_t outlen);

/* Postcode without spaces, upper case ("ls1 4ap" -> "LS14AP"). Returns 0
 * when it has the shape of a UK postcode, -1 otherwise (out set to ""). */
int identity_postcode(const char *in, char out[POSTCODE_MAX]);

#endif
