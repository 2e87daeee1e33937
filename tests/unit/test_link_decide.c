/*
 * Unit tests for link_decide.c, without a store: facts built by hand (the
 * children strong keys name, their identity records and kept-apart marks,
 * the demographic search), the decision checked whole.
 *
 * The cases the store-backed tests (test_merge.c, the linking and identity
 * integration tests) reach through ingest: a new child; one child named
 * twice; two children joined by a concern's identifiers, the lower id
 * surviving; a second NHS number or an operator's split making a
 * conflict, with the identifiers left with the children they name; a
 * concern's own NHS number or UPN disagreeing with its child; clashes and
 * splits seen through a merge done earlier in the same decision;
 * demographics naming one child (linked, or merged into the chosen one),
 * several (a conflict, linked to none), one whose postcode differs, one
 * that would clash or was split off, too many; and re-examining a child
 * after a merge left it one match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first. */
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link_decide.h"

#define NHS_A "9434765919"
#define NHS_B "9876543210"
#define UPN_A "A123456789012"
#define UPN_B "B123456789012"

/* A hand-made store: up to LINK_KNOWN_MAX children, each a few records. */
struct world {
	struct child_record rec[LINK_KNOWN_MAX];
	struct seen_identity ids[LINK_KNOWN_MAX][4];
	uint64_t apart[LINK_KNOWN_MAX][4];
	struct link_known known[LINK_KNOWN_MAX];
	struct link_demo demo[LINK_DEMO_MAX];
	struct identity_keys keys;
	struct link_facts f;
	struct link_decision d;
};

static void reset(struct world *w)
{
	memset(w, 0, sizeof *w);
	w->f.keys = &w->keys;
	w->f.known = w->known;
	w->f.demo = w->demo;
	w->f.seq = 7;
}

static int setup(void **state)
{
	struct world *w = malloc(sizeof *w);
	if (!w)
		return -1;
	reset(w);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static size_t index_of(struct world *w, uint64_t id)
{
	for (size_t i = 0; i < w->f.n_known; i++)
		if (w->rec[i].id == id)
			return i;
	size_t i = w->f.n_known++;
	assert_true(i < LINK_KNOWN_MAX);
	w->rec[i].id = id;
	w->rec[i].ids = w->ids[i];
	w->known[i].rec = &w->rec[i];
	w->known[i].apart = w->apart[i];
	return i;
}

/* Child `id` seen with an identity carrying these NHS number and UPN
 * ("" for none), as its record keeps them (normalised). */
static void seen(struct world *w, uint64_t id, const char *nhs, const char *upn)
{
	size_t i = index_of(w, id);
	assert_true(w->rec[i].n_ids < 4);
	struct seen_identity *s = &w->ids[i][w->rec[i].n_ids++];
	s->agency = 2;
	s->id = (struct child_identity){nhs, upn, "", "Amy", "Jones", "2015-01-01", ""};
}

/* An operator split b from a: a's record keeps the mark. */
static void split(struct world *w, uint64_t a, uint64_t b)
{
	size_t i = index_of(w, a);
	w->apart[i][w->known[i].n_apart++] = b;
}

/* The store's key `k` (0 NHS, 1 UPN, 2 local) leads to child `id`. */
static void bound(struct world *w, int k, uint64_t id)
{
	w->f.bound[k] = id;
}

/* The named child's keys, as identity_keys() makes them. */
static void named(struct world *w, const char *nhs, const char *upn, const char *local,
                  int demographics, const char *postcode)
{
	struct identity_keys *k = &w->keys;
	memset(k, 0, sizeof *k);
	if (nhs)
		snprintf(k->nhs, sizeof k->nhs, "N%s", nhs);
	if (upn)
		snprintf(k->upn, sizeof k->upn, "U%s", upn);
	if (local)
		snprintf(k->local, sizeof k->local, "L1:%s", local);
	if (demographics)
		snprintf(k->demographic, sizeof k->demographic, "DJONES|AMY|2015-01-01");
	if (postcode) {
		snprintf(k->postcode, sizeof k->postcode, "%s", postcode);
		snprintf(w->f.post[0], POSTCODE_MAX, "%s", postcode);
		w->f.n_post = 1;
	}
}

/* The demographic search found child `id`, recorded with these postcodes
 * (NULL-terminated; none for no postcode). */
static void recorded(struct world *w, uint64_t id, ...)
{
	assert_true(w->f.n_demo < LINK_DEMO_MAX);
	struct link_demo *e = &w->demo[w->f.n_demo++];
	e->child = id;
	va_list ap;
	va_start(ap, id);
	for (const char *p; (p = va_arg(ap, const char *)) != NULL;)
		snprintf(e->post[e->n_post++], POSTCODE_MAX, "%s", p);
	va_end(ap);
	index_of(w, id);
}

static const struct link_decision *decide(struct world *w)
{
	link_decide(&w->f, &w->d);
	return &w->d;
}

static void assert_keeps(const struct link_decision *d, int nhs, int upn, int local)
{
	assert_int_equal(d->keep[0], nhs);
	assert_int_equal(d->keep[1], upn);
	assert_int_equal(d->keep[2], local);
}

/* ---- strong identifiers ---- */

static void test_nobody_known_is_a_new_child(void **state)
{
	struct world *w = *state;
	named(w, NHS_A, UPN_A, "P-1", 1, "LS14AP");
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 0);
	assert_keeps(d, 1, 1, 1);
	assert_int_equal(d->n_merges, 0);
	assert_int_equal(d->n_conflicts, 0);
	assert_int_equal(d->by_demographics, 0);
}

static void test_one_child_named_twice(void **state)
{
	struct world *w = *state;
	named(w, NHS_A, UPN_A, NULL, 0, NULL);
	seen(w, 4, NHS_A, UPN_A);
	bound(w, 0, 4);
	bound(w, 1, 4);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 4);
	assert_keeps(d, 1, 1, 0);
	assert_int_equal(d->n_merges, 0);
	assert_int_equal(d->n_conflicts, 0);
}

/* test_merge_joins_histories: the UPN's child joins the NHS number's; the
 * lower id survives whichever identifier is the stronger. */
static void test_identifiers_of_two_children_merge_them(void **state)
{
	struct world *w = *state;
	named(w, NHS_A, UPN_A, NULL, 0, NULL);
	seen(w, 5, NHS_A, "");
	seen(w, 2, "", UPN_A);
	bound(w, 0, 5);
	bound(w, 1, 2);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 2);
	assert_keeps(d, 1, 1, 0);
	assert_int_equal(d->n_conflicts, 0);
	assert_int_equal(d->n_merges, 1);
	assert_int_equal(d->merges[0].a, 5);
	assert_int_equal(d->merges[0].b, 2);
	assert_string_equal(d->merges[0].identity, "upn:" UPN_A);
	assert_string_equal(d->merges[0].reason,
	                    "concern seq 7 named upn:" UPN_A
	                    ", which belongs to C00000002, with identifiers of C00000005");
}

/* test_merge_within_one_concern and the local id: three children, one. */
static void test_three_identifiers_three_children(void **state)
{
	struct world *w = *state;
	named(w, NHS_A, UPN_A, "P-1", 0, NULL);
	seen(w, 3, NHS_A, "");
	seen(w, 1, "", UPN_A);
	seen(w, 2, "", "");
	bound(w, 0, 3);
	bound(w, 1, 1);
	bound(w, 2, 2);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 1);
	assert_int_equal(d->n_merges, 2);
	assert_int_equal(d->merges[0].a, 3);
	assert_int_equal(d->merges[0].b, 1);
	/* The second merge starts from the first's survivor. */
	assert_int_equal(d->merges[1].a, 1);
	assert_int_equal(d->merges[1].b, 2);
	assert_string_equal(d->merges[1].identity, "local:POLICE:P-1");
	assert_keeps(d, 1, 1, 1);
}

/* test_two_nhs_numbers_conflict, first concern: b's NHS number with a's
 * UPN is filed under b; the UPN stays with a. */
static void test_second_nhs_number_is_a_conflict(void **state)
{
	struct world *w = *state;
	named(w, NHS_B, UPN_A, NULL, 0, NULL);
	seen(w, 1, NHS_A, UPN_A);
	seen(w, 2, NHS_B, "");
	bound(w, 0, 2);
	bound(w, 1, 1);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 2);
	assert_keeps(d, 1, 0, 0);
	assert_int_equal(d->n_merges, 0);
	assert_int_equal(d->n_conflicts, 1);
	assert_int_equal(d->conflicts[0].other, 1);
	assert_string_equal(d->conflicts[0].identity, "upn:" UPN_A);
	assert_string_equal(d->conflicts[0].reason,
	                    "upn:" UPN_A " belongs to C00000001, but NHS numbers " NHS_B
	                    " (C00000002) and " NHS_A " (C00000001) disagree; not merged");
}

/* test_two_nhs_numbers_conflict, second concern: an unknown NHS number
 * with a UPN whose child has another: a new child, the UPN left out. */
static void test_unknown_nhs_number_with_anothers_upn(void **state)
{
	struct world *w = *state;
	named(w, NHS_B, UPN_A, NULL, 0, NULL);
	seen(w, 1, NHS_A, UPN_A);
	bound(w, 1, 1);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 0);
	assert_keeps(d, 1, 0, 0);
	assert_int_equal(d->n_conflicts, 1);
	assert_int_equal(d->conflicts[0].other, 1);
	assert_non_null(strstr(d->conflicts[0].reason, "(this concern)"));
}

/* test_two_nhs_numbers_conflict, third concern: the child's own UPN
 * disagrees with an unknown one, which is not recorded. */
static void test_own_identifier_disagrees(void **state)
{
	struct world *w = *state;
	named(w, NHS_A, UPN_B, NULL, 0, NULL);
	seen(w, 1, NHS_A, UPN_A);
	bound(w, 0, 1);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 1);
	assert_keeps(d, 1, 0, 0);
	assert_int_equal(d->n_conflicts, 1);
	assert_int_equal(d->conflicts[0].other, 0);
	assert_string_equal(d->conflicts[0].identity, "upn:" UPN_B);
	assert_string_equal(d->conflicts[0].reason,
	                    "UPNs " UPN_A " (C00000001) and " UPN_B
	                    " (this concern) disagree; upn:" UPN_B " not recorded");
}

/* The strongest identifier names the child whatever the weaker say: every
 * identifier naming the disagreeing child stays with it, one conflict. */
static void test_weaker_identifiers_of_a_clashing_child_left_out(void **state)
{
	struct world *w = *state;
	named(w, NHS_B, UPN_A, "P-1", 0, NULL);
	seen(w, 2, NHS_B, "");
	seen(w, 1, NHS_A, UPN_A);
	bound(w, 0, 2);
	bound(w, 1, 1);
	bound(w, 2, 1);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 2);
	assert_keeps(d, 1, 0, 0);
	assert_int_equal(d->n_conflicts, 1);
	assert_int_equal(d->n_merges, 0);
}

/* test_link_unlink_and_kept_apart: children an operator split are not
 * joined again by a concern naming both. */
static void test_kept_apart_is_a_conflict(void **state)
{
	struct world *w = *state;
	named(w, NHS_A, UPN_A, NULL, 0, NULL);
	seen(w, 1, NHS_A, "");
	seen(w, 2, "", UPN_A);
	split(w, 2, 1);
	bound(w, 0, 1);
	bound(w, 1, 2);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 1);
	assert_keeps(d, 1, 0, 0);
	assert_int_equal(d->n_merges, 0);
	assert_int_equal(d->n_conflicts, 1);
	assert_int_equal(d->conflicts[0].other, 2);
	assert_string_equal(d->conflicts[0].reason,
	                    "upn:" UPN_A
	                    " belongs to C00000002, which an operator kept apart; not merged");
	/* The mark on either side counts. */
	assert_int_equal(link_kept_apart(&w->known[0], &w->known[1]), 1);
	assert_int_equal(link_kept_apart(&w->known[1], &w->known[0]), 1);
	assert_int_equal(link_kept_apart(&w->known[0], &w->known[0]), 0);
}

/* A child merged earlier in the decision brings its records and marks:
 * the third identifier's child clashes with, or was split from, what the
 * first two joined. */
static void test_clash_and_split_seen_through_a_merge(void **state)
{
	struct world *w = *state;
	named(w, NHS_A, UPN_A, "P-1", 0, NULL);
	seen(w, 1, NHS_A, "");
	seen(w, 2, "", UPN_A);
	seen(w, 3, NHS_B, "");
	bound(w, 0, 1);
	bound(w, 1, 2);
	bound(w, 2, 3);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 1);
	assert_int_equal(d->n_merges, 1);
	assert_int_equal(d->n_conflicts, 1);
	assert_int_equal(d->conflicts[0].other, 3);
	assert_keeps(d, 1, 1, 0);

	/* No clash, but the merged child 2 was split from 3. */
	w->ids[2][0].id.nhs_number = "";
	split(w, 3, 2);
	d = decide(w);
	assert_int_equal(d->n_merges, 1);
	assert_int_equal(d->n_conflicts, 1);
	assert_non_null(strstr(d->conflicts[0].reason, "kept apart"));
	assert_keeps(d, 1, 1, 0);
}

/* ---- demographics ---- */

/* test_demographics_join_known_children: the NHS number names one child,
 * the names another that only they match: merged. */
static void test_demographics_join_known_children(void **state)
{
	struct world *w = *state;
	named(w, NHS_A, NULL, NULL, 1, NULL);
	seen(w, 2, NHS_A, "");
	seen(w, 1, "", "");
	bound(w, 0, 2);
	recorded(w, 1, NULL);
	recorded(w, 2, NULL);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 1);
	assert_int_equal(d->by_demographics, 1);
	assert_int_equal(d->n_merges, 1);
	assert_int_equal(d->merges[0].a, 2);
	assert_int_equal(d->merges[0].b, 1);
	assert_string_equal(d->merges[0].identity, "demographics");
	assert_string_equal(d->merges[0].reason, "concern seq 7 named C00000002 with the names "
	                                         "and date of birth that only this child has");
	/* A social care status is filed with no concern: it says so. */
	w->f.seq = 0;
	d = decide(w);
	assert_string_equal(d->merges[0].reason, "a social care status named C00000002 with the "
	                                         "names and date of birth that only this child "
	                                         "has");
}

static void test_demographics_alone_link(void **state)
{
	struct world *w = *state;
	named(w, NULL, NULL, "P-9", 1, "LS14AP");
	seen(w, 3, "", "");
	recorded(w, 3, "LS14AP", NULL);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 3);
	assert_int_equal(d->by_demographics, 3);
	assert_int_equal(d->n_merges, 0);
	assert_keeps(d, 0, 0, 1);
}

/* test_ambiguous_demographics_settled_by_merge, first half: names alone
 * match two children: two conflicts, a new child. */
static void test_ambiguous_demographics_link_to_none(void **state)
{
	struct world *w = *state;
	named(w, NULL, NULL, NULL, 1, NULL);
	seen(w, 1, NHS_A, "");
	seen(w, 2, "", UPN_A);
	recorded(w, 1, "LS11AA", NULL);
	recorded(w, 2, "M11AA", NULL);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 0);
	assert_int_equal(d->by_demographics, 0);
	assert_int_equal(d->n_conflicts, 2);
	assert_int_equal(d->conflicts[0].other, 1);
	assert_int_equal(d->conflicts[1].other, 2);
	assert_string_equal(d->conflicts[0].identity, "demographics");
	assert_string_equal(d->conflicts[1].reason,
	                    "names and date of birth match C00000001 and C00000002 equally; not "
	                    "linked to either on them");
}

/* Where both sides have a postcode they must agree; none agrees with any. */
static void test_demographics_postcodes(void **state)
{
	struct world *w = *state;
	named(w, NULL, NULL, NULL, 1, "LS11AA");
	seen(w, 1, "", "");
	seen(w, 2, "", "");
	recorded(w, 1, "M11AA", NULL);
	recorded(w, 2, "M11AA", "LS11AA", NULL);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 2);
	assert_int_equal(d->n_conflicts, 0);

	/* No postcode on the concern: both match. */
	w->f.n_post = 0;
	d = decide(w);
	assert_int_equal(d->child, 0);
	assert_int_equal(d->n_conflicts, 2);

	/* An entry of the first with no postcode (an alias's) agrees. */
	w->f.n_post = 1;
	recorded(w, 1, NULL);
	d = decide(w);
	assert_int_equal(d->child, 0);
	assert_int_equal(d->n_conflicts, 2);
}

/* A child the names match that would clash with the chosen child and the
 * kept identifiers, or that an operator split from it, is no match. */
static void test_demographics_skip_incompatible(void **state)
{
	struct world *w = *state;
	named(w, NHS_A, NULL, NULL, 1, NULL);
	seen(w, 1, NHS_A, "");
	seen(w, 2, NHS_B, "");
	seen(w, 3, "", "");
	bound(w, 0, 1);
	split(w, 3, 1);
	recorded(w, 2, NULL);
	recorded(w, 3, NULL);
	recorded(w, 1, NULL);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 1);
	assert_int_equal(d->by_demographics, 0);
	assert_int_equal(d->n_merges, 0);
	assert_int_equal(d->n_conflicts, 0);

	/* With no chosen child, 1 and 3 match equally; the concern's own
	 * NHS number still clashes with 2's. */
	bound(w, 0, 0);
	d = decide(w);
	assert_int_equal(d->child, 0);
	assert_int_equal(d->n_conflicts, 2);
	assert_int_equal(d->conflicts[0].other, 3);
	assert_int_equal(d->conflicts[1].other, 1);
}

static void test_demographics_too_common(void **state)
{
	struct world *w = *state;
	named(w, NULL, NULL, NULL, 1, NULL);
	seen(w, 1, "", "");
	recorded(w, 1, NULL);
	w->f.demo_overflow = 1;
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 0);
	assert_int_equal(d->n_conflicts, 0);
	/* And without a demographic key the search is not asked. */
	w->f.demo_overflow = 0;
	w->keys.demographic[0] = '\0';
	d = decide(w);
	assert_int_equal(d->child, 0);
}

/* A child merged away during the decision is its survivor when the
 * demographics name it. */
static void test_demographics_after_merge_name_the_survivor(void **state)
{
	struct world *w = *state;
	named(w, NHS_A, UPN_A, NULL, 1, NULL);
	seen(w, 2, NHS_A, "");
	seen(w, 1, "", UPN_A);
	bound(w, 0, 2);
	bound(w, 1, 1);
	recorded(w, 2, NULL);
	const struct link_decision *d = decide(w);
	assert_int_equal(d->child, 1);
	assert_int_equal(d->n_merges, 1);
	assert_int_equal(d->by_demographics, 0);
	assert_int_equal(d->n_conflicts, 0);
}

/* test_ambiguous_demographics_settled_by_merge, second half, as
 * merge_reexamine() asks it: the names-only child q, started from, with
 * the holders of the key. Two matches until they are one child. */
static void test_reexamine_after_merge(void **state)
{
	struct world *w = *state;
	named(w, NULL, NULL, NULL, 1, NULL);
	seen(w, 1, NHS_A, "");
	seen(w, 2, "", UPN_A);
	seen(w, 3, "", "");
	recorded(w, 1, "LS11AA", NULL);
	recorded(w, 2, "M11AA", NULL);
	recorded(w, 3, NULL);
	w->f.start = 3;
	const struct link_decision *d = decide(w);
	assert_int_equal(d->by_demographics, 0);
	assert_int_equal(d->child, 3);

	/* 1 and 2 merged: one holder with both postcodes. */
	reset(w);
	named(w, NULL, NULL, NULL, 1, NULL);
	seen(w, 1, NHS_A, "");
	seen(w, 1, "", UPN_A);
	seen(w, 3, "", "");
	recorded(w, 1, "LS11AA", "M11AA", NULL);
	recorded(w, 3, NULL);
	w->f.start = 3;
	d = decide(w);
	assert_int_equal(d->by_demographics, 1);
	assert_int_equal(d->child, 1);

	/* Not when the holder's postcode differs from the child's. */
	w->f.n_post = 1;
	snprintf(w->f.post[0], POSTCODE_MAX, "B11AA");
	d = decide(w);
	assert_int_equal(d->by_demographics, 0);
}

/* ---- the pieces ---- */

static void test_clash_sentences(void **state)
{
	struct world *w = *state;
	char why[256];
	seen(w, 1, NHS_A, "");
	seen(w, 1, "", UPN_A);
	seen(w, 2, NHS_A, UPN_B);
	assert_int_equal(link_clash(&w->rec[0], &w->rec[1], NULL, why, sizeof why), 1);
	assert_string_equal(why, "UPNs " UPN_A " (C00000001) and " UPN_B " (C00000002) disagree");
	assert_int_equal(link_clash(&w->rec[0], NULL, NULL, why, sizeof why), 0);
	assert_string_equal(why, "");
	named(w, NHS_B, NULL, NULL, 0, NULL);
	assert_int_equal(link_clash(NULL, &w->rec[1], &w->keys, why, sizeof why), 1);
	assert_string_equal(why, "NHS numbers " NHS_A " (C00000002) and " NHS_B
	                         " (this concern) disagree");
	assert_int_equal(link_clash(NULL, NULL, &w->keys, why, sizeof why), 0);
}

static void test_key_labels(void **state)
{
	(void)state;
	char out[64];
	link_key_label("N" NHS_A, out, sizeof out);
	assert_string_equal(out, "nhs:" NHS_A);
	link_key_label("U" UPN_A, out, sizeof out);
	assert_string_equal(out, "upn:" UPN_A);
	link_key_label("L3:S-77", out, sizeof out);
	assert_string_equal(out, "local:EDUCATION:S-77");
	link_key_label("DJONES|AMY|2015-01-01", out, sizeof out);
	assert_string_equal(out, "demographics");
	link_key_label("X?", out, sizeof out);
	assert_string_equal(out, "X?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_nobody_known_is_a_new_child),
	    T(test_one_child_named_twice),
	    T(test_identifiers_of_two_children_merge_them),
	    T(test_three_identifiers_three_children),
	    T(test_second_nhs_number_is_a_conflict),
	    T(test_unknown_nhs_number_with_anothers_upn),
	    T(test_own_identifier_disagrees),
	    T(test_weaker_identifiers_of_a_clashing_child_left_out),
	    T(test_kept_apart_is_a_conflict),
	    T(test_clash_and_split_seen_through_a_merge),
	    T(test_demographics_join_known_children),
	    T(test_demographics_alone_link),
	    T(test_ambiguous_demographics_link_to_none),
	    T(test_demographics_postcodes),
	    T(test_demographics_skip_incompatible),
	    T(test_demographics_too_common),
	    T(test_demographics_after_merge_name_the_survivor),
	    T(test_reexamine_after_merge),
	    T(test_clash_sentences),
	    T(test_key_labels),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
