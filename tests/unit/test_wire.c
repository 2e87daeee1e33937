/*
 * Unit tests for wire.c: every record survives a pack/unpack round trip,
 * ids format and parse, and bytes that are not a message are refused.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ffc.pb-c.h"
#include "ffc_store.pb-c.h"
#include "testutil.h"
#include "wire.h"

static void test_ids(void **state)
{
	(void)state;
	char buf[WIRE_ID_MAX];
	uint64_t id = 0;
	wire_child_id(42, buf);
	assert_string_equal(buf, "C00000042");
	assert_int_equal(wire_child_id_parse(buf, &id), 0);
	assert_int_equal(id, 42);
	assert_int_equal(wire_child_id_parse("c7", &id), 0);
	assert_int_equal(id, 7);
	wire_child_id(123456789012ULL, buf);
	assert_string_equal(buf, "C123456789012");
	wire_alert_id(3, buf);
	assert_string_equal(buf, "A00000003");
	assert_int_equal(wire_child_id_parse("", &id), -1);
	assert_int_equal(wire_child_id_parse("C", &id), -1);
	assert_int_equal(wire_child_id_parse("C0", &id), -1);
	assert_int_equal(wire_child_id_parse("A00000001", &id), -1);
	assert_int_equal(wire_child_id_parse("C12x", &id), -1);
	assert_int_equal(wire_child_id_parse("C99999999999999999999999", &id), -1);
	assert_int_equal(wire_alert_id_parse(buf, &id), 0);
	assert_int_equal(id, 3);
	assert_int_equal(wire_alert_id_parse("a12", &id), 0);
	assert_int_equal(id, 12);
	assert_int_equal(wire_alert_id_parse("A0", &id), -1);
	assert_int_equal(wire_alert_id_parse("C00000003", &id), -1);
	assert_int_equal(wire_alert_id_parse("b12", &id), -1);
	assert_int_equal(wire_alert_id_parse(NULL, &id), -1);
}

static void test_concern_roundtrip(void **state)
{
	(void)state;
	struct child_identity kids[2] = {
	    {"9434765919", "", "", "Ella", "Smith", "2015-03-02", "LS1 4AP"},
	    {"", "B801200005001", "P-77", "", "", "", ""},
	};
	struct concern c = test_concern("pol-1", 1, 1, 3, T0, kids, 2);
	c.summary = "Domestic abuse call-out; children present.";
	c.reporter = "PC 1234";
	uint8_t *buf;
	size_t len;
	uint64_t ids[2] = {5, 9};
	assert_int_equal(wire_stored_concern_pack(&c, NULL, 0, 17, T0 + 5, ids, 2, &buf, &len), 0);
	struct stored_concern sc;
	assert_int_equal(wire_stored_concern_decode(buf, len, &sc), 0);
	assert_int_equal(sc.seq, 17);
	assert_int_equal(sc.received_at_ms, T0 + 5);
	assert_int_equal(sc.n_child_ids, 2);
	assert_int_equal(sc.child_ids[1], 9);
	assert_true(concern_equal(&sc.w.c, &c));
	assert_string_equal(sc.w.c.children[0].postcode, "LS1 4AP");
	assert_string_equal(sc.w.c.children[1].local_id, "P-77");
	wire_stored_concern_release(&sc);
	wire_stored_concern_release(&sc); /* safe twice */
	free(buf);
}

/* A frame that is exactly its concern's encoding is kept as it is, and
 * a record made with it decodes to the same concern; a frame with a NUL
 * in a string, a field this version does not know, or a field sent twice
 * is not. */
static void test_concern_encoded_as_received(void **state)
{
	(void)state;
	Ffc__V1__ChildIdentity kid = FFC__V1__CHILD_IDENTITY__INIT;
	Ffc__V1__ChildIdentity *kids[1] = {&kid};
	char nhs[] = "9434765919", given[] = "Ella", id[] = "pol-1", summary[] = "Call-out.";
	kid.nhs_number = nhs;
	kid.given_name = given;
	Ffc__V1__Concern m = FFC__V1__CONCERN__INIT;
	m.concern_id = id;
	m.agency = FFC__V1__AGENCY__POLICE;
	m.category = FFC__V1__CATEGORY__NEGLECT;
	m.severity = FFC__V1__SEVERITY__HIGH;
	m.occurred_at_ms = T0;
	m.summary = summary;
	m.n_children = 1;
	m.children = kids;
	uint8_t frame[512];
	size_t len = ffc__v1__concern__pack(&m, frame);
	struct wire_concern w;
	assert_int_equal(wire_concern_decode(frame, len, &w), 0);
	assert_ptr_equal(w.encoded, frame);
	assert_int_equal(w.encoded_len, len);
	uint64_t ids[1] = {42};
	uint8_t *rec;
	size_t rec_len;
	assert_int_equal(wire_stored_concern_pack(&w.c, w.encoded, w.encoded_len, 9, T0 + 1, ids, 1,
	                                          &rec, &rec_len),
	                 0);
	struct stored_concern sc;
	assert_int_equal(wire_stored_concern_decode(rec, rec_len, &sc), 0);
	assert_int_equal(sc.seq, 9);
	assert_int_equal(sc.received_at_ms, T0 + 1);
	assert_int_equal(sc.n_child_ids, 1);
	assert_int_equal(sc.child_ids[0], 42);
	assert_true(concern_equal(&sc.w.c, &w.c));
	wire_stored_concern_release(&sc);
	/* The same record as packing the concern again would give. */
	uint8_t *again;
	size_t again_len;
	assert_int_equal(
	    wire_stored_concern_pack(&w.c, NULL, 0, 9, T0 + 1, ids, 1, &again, &again_len), 0);
	assert_int_equal(again_len, rec_len);
	free(again);
	free(rec);
	wire_concern_release(&w);

	/* summary "Call\0out.": the NUL makes it another concern's bytes. */
	uint8_t nul[512];
	memcpy(nul, frame, len);
	size_t at = 0;
	while (at + 9 <= len && memcmp(nul + at, "Call-out.", 9) != 0)
		at++;
	assert_true(at + 9 <= len);
	nul[at + 4] = '\0';
	assert_int_equal(wire_concern_decode(nul, len, &w), 0);
	assert_null(w.encoded);
	wire_concern_release(&w);
	/* An unknown field (99, varint 1) after the known ones. */
	uint8_t unknown[520];
	memcpy(unknown, frame, len);
	unknown[len] = 0x98;
	unknown[len + 1] = 0x06;
	unknown[len + 2] = 0x01;
	assert_int_equal(wire_concern_decode(unknown, len + 3, &w), 0);
	assert_null(w.encoded);
	wire_concern_release(&w);
	/* severity (6) sent twice: the last one stands. */
	uint8_t twice[520];
	memcpy(twice, frame, len);
	twice[len] = 0x30;
	twice[len + 1] = (uint8_t)FFC__V1__SEVERITY__HIGH;
	assert_int_equal(wire_concern_decode(twice, len + 2, &w), 0);
	assert_null(w.encoded);
	wire_concern_release(&w);
}

static void test_concern_decode_refuses_garbage(void **state)
{
	(void)state;
	struct wire_concern w;
	const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	assert_int_equal(wire_concern_decode(junk, sizeof junk, &w), -1);
	/* A length-delimited field running past the end. */
	const uint8_t truncated[] = {0x0a, 0x10, 'a', 'b'};
	assert_int_equal(wire_concern_decode(truncated, sizeof truncated, &w), -1);
	/* The empty message is a valid (empty) Concern. */
	assert_int_equal(wire_concern_decode("", 0, &w), 0);
	assert_string_equal(w.c.concern_id, "");
	assert_int_equal(w.c.n_children, 0);
	wire_concern_release(&w);
}

static void test_nul_in_strings(void **state)
{
	(void)state;
	char path[64];
	/* concern_id "a\0b", then a child whose family_name is "S\0" */
	const uint8_t top[] = {0x0a, 0x03, 'a', 0x00, 'b'};
	assert_int_equal(wire_concern_nul_field(top, sizeof top, path, sizeof path), 1);
	assert_string_equal(path, "concern_id");
	const uint8_t kid[] = {0x22, 0x02, 0x0a, 0x00, 0x22, 0x04, 0x2a, 0x02, 'S', 0x00};
	assert_int_equal(wire_concern_nul_field(kid, sizeof kid, path, sizeof path), 1);
	assert_string_equal(path, "children[1].family_name");
	/* NUL bytes inside numbers are not strings; a clean frame has none. */
	const uint8_t clean[] = {0x0a, 0x02, 'o', 'k', 0x10, 0x00, 0x38, 0x80, 0x01};
	assert_int_equal(wire_concern_nul_field(clean, sizeof clean, path, sizeof path), 0);
	/* Truncated input ends the walk quietly. */
	const uint8_t cut[] = {0x0a, 0x7f, 'x', 0x09};
	assert_int_equal(wire_concern_nul_field(cut, sizeof cut, path, sizeof path), 0);
}

/* Every string field of a Concern, and of a ChildIdentity inside one,
 * holding a NUL is found and named, whichever field it is: the walk reads
 * the descriptors, so this test goes through each string field they list
 * and also checks the fields ffc.v1 had when it was written. */
static void test_nul_in_every_string_field(void **state)
{
	(void)state;
	char path[128];
	const ProtobufCMessageDescriptor *top = &ffc__v1__concern__descriptor;
	const ProtobufCMessageDescriptor *kid = &ffc__v1__child_identity__descriptor;
	size_t n_top = 0, n_kid = 0;
	for (unsigned i = 0; i < top->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &top->fields[i];
		if (f->type != PROTOBUF_C_TYPE_STRING)
			continue;
		assert_true(f->id < 16); /* one-byte keys below */
		/* agency = 2, then the field holding "a\0b" */
		const uint8_t frame[] = {0x10, 0x02, (uint8_t)(f->id << 3 | 2), 3, 'a', 0, 'b'};
		assert_int_equal(wire_concern_nul_field(frame, sizeof frame, path, sizeof path), 1);
		assert_string_equal(path, f->name);
		n_top++;
	}
	for (unsigned i = 0; i < kid->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &kid->fields[i];
		if (f->type != PROTOBUF_C_TYPE_STRING)
			continue;
		assert_true(f->id < 16);
		/* a clean child, then one whose field holds "x\0" */
		const uint8_t frame[] = {0x22, 0x03, 0x0a, 0x01,
		                         '9',  0x22, 0x04, (uint8_t)(f->id << 3 | 2),
		                         0x02, 'x',  0};
		assert_int_equal(wire_concern_nul_field(frame, sizeof frame, path, sizeof path), 1);
		char want[128];
		snprintf(want, sizeof want, "children[1].%s", f->name);
		assert_string_equal(path, want);
		n_kid++;
	}
	assert_true(n_top >= 4);
	assert_true(n_kid >= 7);
	/* By name, as the contract has them. */
	static const struct {
		uint8_t key;
		const char *name;
	} known[] = {
	    {0x0a, "concern_id"}, {0x1a, "source_system"}, {0x4a, "summary"}, {0x52, "reporter"}};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		const uint8_t frame[] = {known[i].key, 1, 0};
		assert_int_equal(wire_concern_nul_field(frame, sizeof frame, path, sizeof path), 1);
		assert_string_equal(path, known[i].name);
	}
	static const char *const child_fields[] = {"nhs_number", "upn",         "local_id",
	                                           "given_name", "family_name", "date_of_birth",
	                                           "postcode"};
	for (uint8_t id = 1; id <= 7; id++) {
		const uint8_t frame[] = {0x22, 0x03, (uint8_t)(id << 3 | 2), 1, 0};
		assert_int_equal(wire_concern_nul_field(frame, sizeof frame, path, sizeof path), 1);
		char want[128];
		snprintf(want, sizeof want, "children[0].%s", child_fields[id - 1]);
		assert_string_equal(path, want);
	}
	/* A field unknown to this version is neither decoded nor checked. */
	const uint8_t unknown[] = {0xfa, 0x01, 0x01, 0x00}; /* field 31 */
	assert_int_equal(wire_concern_nul_field(unknown, sizeof unknown, path, sizeof path), 0);
}

static void test_receipt(void **state)
{
	(void)state;
	struct receipt r = {.concern_id = "edu-9", .status = RECEIPT_ACCEPTED, .seq = 12};
	r.n_child_ids = 2;
	r.child_ids[0] = 1;
	r.child_ids[1] = 30;
	uint8_t *buf;
	size_t len;
	assert_int_equal(wire_receipt_pack(&r, &buf, &len), 0);
	Ffc__V1__Receipt *pb = ffc__v1__receipt__unpack(NULL, len, buf);
	assert_non_null(pb);
	assert_string_equal(pb->concern_id, "edu-9");
	assert_int_equal(pb->status, FFC__V1__RECEIPT__STATUS__ACCEPTED);
	assert_int_equal(pb->seq, 12);
	assert_int_equal(pb->n_child_ids, 2);
	assert_string_equal(pb->child_ids[1], "C00000030");
	assert_string_equal(pb->error, "");
	ffc__v1__receipt__free_unpacked(pb, NULL);
	free(buf);
}

static void test_child_roundtrip(void **state)
{
	(void)state;
	struct child_record ch = {.id = 4, .created_at_ms = T0};
	struct seen_identity a = {
	    .agency = 2, .first_seen_ms = T0, .last_seen_ms = T0 + 1, .first_seq = 3};
	a.id = (struct child_identity){"9434765919", "", "", "Ella", "Smith", "2015-03-02", ""};
	struct seen_identity b = a;
	b.agency = 3;
	b.id = (struct child_identity){"", "B801200005001", "", "", "", "", ""};
	assert_int_equal(wire_child_add_identity(&ch, &a), 0);
	assert_int_equal(wire_child_add_identity(&ch, &b), 0);
	uint8_t *buf;
	size_t len;
	assert_int_equal(wire_child_pack(&ch, &buf, &len), 0);
	wire_child_release(&ch);
	struct child_record back;
	assert_int_equal(wire_child_decode(buf, len, &back), 0);
	assert_int_equal(back.id, 4);
	assert_int_equal(back.n_ids, 2);
	assert_int_equal(back.ids[0].agency, 2);
	assert_string_equal(back.ids[0].id.family_name, "Smith");
	assert_int_equal(back.ids[0].last_seen_ms, T0 + 1);
	assert_string_equal(back.ids[1].id.upn, "B801200005001");
	assert_int_equal(back.merged_into, 0);
	wire_child_release(&back);
	free(buf);
}

/* A merge chain is followed on merged_into alone, read from the encoding:
 * it agrees with a full decode, with identities before and after it, and
 * bytes that do not parse are refused. */
static void test_child_merged_into(void **state)
{
	(void)state;
	struct child_record ch = {.id = 9, .created_at_ms = T0, .merged_into = 300};
	struct seen_identity a = {.agency = 2, .first_seen_ms = T0, .last_seen_ms = T0};
	a.id = (struct child_identity){"9434765919", "", "", "Ella", "Smith", "2015-03-02", ""};
	assert_int_equal(wire_child_add_identity(&ch, &a), 0);
	uint64_t aliases[] = {7, 8};
	ch.aliases = aliases;
	ch.n_aliases = 2;
	uint8_t *buf;
	size_t len;
	assert_int_equal(wire_child_pack(&ch, &buf, &len), 0);
	ch.aliases = NULL;
	ch.n_aliases = 0;
	wire_child_release(&ch);
	uint64_t m = 1;
	assert_int_equal(wire_child_merged_into(buf, len, &m), 0);
	assert_int_equal(m, 300);
	/* Cut inside the identity: the length says more than there is. */
	assert_int_equal(wire_child_merged_into(buf, len - 3, &m), -1);
	free(buf);

	struct child_record live = {.id = 10, .created_at_ms = T0};
	assert_int_equal(wire_child_pack(&live, &buf, &len), 0);
	assert_int_equal(wire_child_merged_into(buf, len, &m), 0);
	assert_int_equal(m, 0);
	free(buf);
	/* The empty record is a live child with nothing recorded; a varint
	 * that never ends and a group are not records. */
	assert_int_equal(wire_child_merged_into("", 0, &m), 0);
	assert_int_equal(m, 0);
	const uint8_t endless[] = {0x18, 0xff, 0xff};
	assert_int_equal(wire_child_merged_into(endless, sizeof endless, &m), -1);
	const uint8_t group[] = {0x1b, 0x00};
	assert_int_equal(wire_child_merged_into(group, sizeof group, &m), -1);
}

/* An alert's history entry keeps the concern an EVIDENCE or REOPENED
 * entry is about; only EVIDENCE adds one to the alert's evidence. */
static void test_alert_event_evidence(void **state)
{
	(void)state;
	struct alert_event e = {.action = ALERT_ACTION_EVIDENCE, .by = "ffcd", .at_ms = T0};
	strcpy(e.text, "HEALTH hlt-2 (NEGLECT, HIGH)");
	strcpy(e.concern.concern_id, "hlt-2");
	e.concern.agency = 2;
	e.concern.category = 4;
	e.concern.severity = 3;
	e.concern.occurred_at_ms = T0 - 5;
	e.concern.n_children = 1;
	e.concern.children[0] = 7;
	uint8_t *buf;
	size_t len;
	struct alert_evidence got;
	assert_int_equal(wire_alert_event_pack(&e, &buf, &len), 0);
	Ffc__V1__AlertEvent *pb = ffc__v1__alert_event__unpack(NULL, len, buf);
	assert_non_null(pb);
	assert_string_equal(pb->text, e.text);
	assert_non_null(pb->concern);
	assert_string_equal(pb->concern->child_ids[0], "C00000007");
	ffc__v1__alert_event__free_unpacked(pb, NULL);
	assert_int_equal(wire_alert_event_evidence(buf, len, &got), 1);
	assert_string_equal(got.concern_id, "hlt-2");
	assert_int_equal(got.agency, 2);
	assert_int_equal(got.category, 4);
	assert_int_equal(got.severity, 3);
	assert_int_equal(got.occurred_at_ms, T0 - 5);
	assert_int_equal(got.n_children, 1);
	assert_int_equal(got.children[0], 7);
	assert_int_equal(wire_alert_event_evidence(buf, len - 1, &got), -1);
	free(buf);

	e.action = ALERT_ACTION_REOPENED;
	assert_int_equal(wire_alert_event_pack(&e, &buf, &len), 0);
	assert_int_equal(wire_alert_event_evidence(buf, len, &got), 0);
	free(buf);
	/* As stored before entries held the concern. */
	e.action = ALERT_ACTION_EVIDENCE;
	e.concern.concern_id[0] = '\0';
	assert_int_equal(wire_alert_event_pack(&e, &buf, &len), 0);
	assert_int_equal(wire_alert_event_evidence(buf, len, &got), 0);
	free(buf);
}

static void test_alert_roundtrip(void **state)
{
	(void)state;
	struct alert *a = calloc(1, sizeof *a);
	assert_non_null(a);
	a->seq = 2;
	wire_alert_id(2, a->alert_id);
	a->child = 1;
	wire_child_id(1, a->child_id);
	a->level = LEVEL_RED;
	strcpy(a->rule, "multi-agency");
	strcpy(a->reason, "concerns from POLICE, HEALTH and EDUCATION within 30 days");
	a->n_evidence = 2;
	strcpy(a->evidence[0].concern_id, "pol-1");
	a->evidence[0].agency = 1;
	a->evidence[0].category = 1;
	a->evidence[0].severity = 3;
	a->evidence[0].occurred_at_ms = T0;
	strcpy(a->evidence[1].concern_id, "hlt-1");
	a->evidence[1].agency = 2;
	a->raised_at_ms = T0 + 9;
	strcpy(a->supersedes, "A00000001");
	strcpy(a->display.given_name, "Ella");
	a->state = ALERT_OPEN;

	uint8_t *buf;
	size_t len;
	assert_int_equal(wire_stored_alert_pack(a, &buf, &len), 0);
	struct alert *b = calloc(1, sizeof *b);
	assert_non_null(b);
	assert_int_equal(wire_stored_alert_decode(buf, len, b), 0);
	/* The level alone, read from the encoding, agrees with the decode;
	 * a record cut short, or one holding no Alert, is refused as the
	 * decode refuses it. */
	enum level level = LEVEL_NONE;
	assert_int_equal(wire_stored_alert_level(buf, len, &level), 0);
	assert_int_equal(level, LEVEL_RED);
	assert_int_equal(wire_stored_alert_level(buf, len - 1, &level), -1);
	const uint8_t no_alert[] = {0x10, 0x01}; /* state OPEN only */
	assert_int_equal(wire_stored_alert_level(no_alert, sizeof no_alert, &level), -1);
	/* So does the head, which holds what a change is published with. */
	struct alert *h = calloc(1, sizeof *h);
	assert_non_null(h);
	a->acknowledged_at_ms = T0 + 60;
	strcpy(a->lead_practitioner, "Sam Okafor");
	a->state = ALERT_SUPERSEDED;
	uint8_t *acked;
	size_t acked_len;
	assert_int_equal(wire_stored_alert_pack(a, &acked, &acked_len), 0);
	assert_int_equal(wire_stored_alert_head(acked, acked_len, h), 0);
	assert_int_equal(h->seq, 2);
	assert_string_equal(h->alert_id, "A00000002");
	assert_int_equal(h->child, 1);
	assert_string_equal(h->child_id, "C00000001");
	assert_int_equal(h->level, LEVEL_RED);
	assert_string_equal(h->rule, "multi-agency");
	assert_string_equal(h->lead_practitioner, "Sam Okafor");
	assert_int_equal(h->state, ALERT_SUPERSEDED);
	assert_int_equal(h->acknowledged_at_ms, T0 + 60);
	assert_string_equal(h->reason, "");
	assert_int_equal(h->n_evidence, 0);
	assert_string_equal(h->display.given_name, "");
	assert_int_equal(wire_stored_alert_head(acked, acked_len - 1, h), -1);
	assert_int_equal(wire_stored_alert_head(no_alert, sizeof no_alert, h), -1);
	free(acked);
	free(h);
	a->acknowledged_at_ms = 0;
	a->lead_practitioner[0] = '\0';
	a->state = ALERT_OPEN;
	free(buf);
	assert_int_equal(b->seq, 2);
	assert_int_equal(b->child, 1);
	assert_int_equal(b->level, LEVEL_RED);
	assert_string_equal(b->reason, a->reason);
	assert_int_equal(b->n_evidence, 2);
	assert_string_equal(b->evidence[1].concern_id, "hlt-1");
	assert_int_equal(b->evidence[0].occurred_at_ms, T0);
	assert_string_equal(b->supersedes, "A00000001");
	assert_string_equal(b->display.given_name, "Ella");
	assert_int_equal(b->state, ALERT_OPEN);

	/* The published form is a plain ffc.v1.Alert. */
	assert_int_equal(wire_alert_pack(a, &buf, &len), 0);
	Ffc__V1__Alert *pb = ffc__v1__alert__unpack(NULL, len, buf);
	assert_non_null(pb);
	assert_string_equal(pb->alert_id, "A00000002");
	assert_string_equal(pb->child_id, "C00000001");
	assert_int_equal(pb->level, FFC__V1__LEVEL__RED);
	assert_int_equal(pb->n_evidence, 2);
	assert_string_equal(pb->child->given_name, "Ella");
	ffc__v1__alert__free_unpacked(pb, NULL);
	free(buf);
	free(a);
	free(b);
}

static int contains(const uint8_t *buf, size_t len, const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; n && i + n <= len; i++)
		if (!memcmp(buf + i, s, n))
			return 1;
	return 0;
}

/* What a console may learn from a broadcast alert: names, date of birth,
 * child_id and the alert; never the identifiers, postcode or a summary. */
static void assert_least(const uint8_t *buf, size_t len, const char *summary)
{
	assert_false(contains(buf, len, "9434765919"));
	assert_false(contains(buf, len, "A123456789012"));
	assert_false(contains(buf, len, "MIS-77421"));
	assert_false(contains(buf, len, "LS1 4AP"));
	assert_false(contains(buf, len, summary));
	assert_true(contains(buf, len, "Ella"));
	assert_true(contains(buf, len, "Smith"));
	assert_true(contains(buf, len, "2016-04-12"));
	assert_true(contains(buf, len, "C00000001"));
	assert_true(contains(buf, len, "pol-1"));
	Ffc__V1__Alert *pb = ffc__v1__alert__unpack(NULL, len, buf);
	assert_non_null(pb);
	assert_non_null(pb->child);
	assert_string_equal(pb->child->nhs_number, "");
	assert_string_equal(pb->child->upn, "");
	assert_string_equal(pb->child->local_id, "");
	assert_string_equal(pb->child->postcode, "");
	assert_string_equal(pb->child->given_name, "Ella");
	assert_string_equal(pb->child->family_name, "Smith");
	assert_string_equal(pb->child->date_of_birth, "2016-04-12");
	assert_int_equal(pb->n_evidence, 1);
	assert_int_equal(pb->evidence[0]->agency, FFC__V1__AGENCY__POLICE);
	assert_int_equal(pb->evidence[0]->severity, FFC__V1__SEVERITY__HIGH);
	assert_int_equal(pb->evidence[0]->occurred_at_ms, T0);
	ffc__v1__alert__free_unpacked(pb, NULL);
}

static void test_alert_broadcast_least_data(void **state)
{
	(void)state;
	static const char summary[] = "Disclosed at school that her stepfather hits her";
	struct child_identity ella = {"9434765919", "A123456789012", "MIS-77421", "Ella",
	                              "Smith",      "2016-04-12",    "LS1 4AP"};
	struct concern c = {0};
	c.agency = 1;
	c.concern_id = "pol-1";
	c.category = 1;
	c.severity = 3;
	c.occurred_at_ms = T0;
	c.summary = summary;
	c.n_children = 1;
	c.children = &ella;

	/* An alert raised on that concern, as the rules fill it. */
	struct alert *a = calloc(1, sizeof *a);
	assert_non_null(a);
	a->seq = 1;
	wire_alert_id(1, a->alert_id);
	a->child = 1;
	wire_child_id(1, a->child_id);
	a->level = LEVEL_RED;
	strcpy(a->rule, "immediate-risk");
	strcpy(a->reason, "a concern graded HIGH");
	a->n_evidence = 1;
	strcpy(a->evidence[0].concern_id, c.concern_id);
	a->evidence[0].agency = c.agency;
	a->evidence[0].category = c.category;
	a->evidence[0].severity = c.severity;
	a->evidence[0].occurred_at_ms = c.occurred_at_ms;
	wire_alert_child_set(&a->display, &c.children[0]);
	a->state = ALERT_OPEN;

	/* Published (alerts socket, overdue reminders). */
	uint8_t *buf;
	size_t len;
	assert_int_equal(wire_alert_pack(a, &buf, &len), 0);
	assert_least(buf, len, summary);
	free(buf);
	/* Packing for the broadcast leaves the alert itself whole. */
	assert_string_equal(a->display.nhs_number, "9434765919");

	/* The stored record keeps the whole identity (the child's record
	 * shows it); the control socket's alerts listing cuts it in place. */
	assert_int_equal(wire_stored_alert_pack(a, &buf, &len), 0);
	assert_true(contains(buf, len, "9434765919"));
	assert_true(contains(buf, len, "LS1 4AP"));
	Ffc__Store__StoredAlert *sa = ffc__store__stored_alert__unpack(NULL, len, buf);
	free(buf);
	assert_non_null(sa);
	assert_non_null(sa->alert);
	wire_alert_broadcast(sa->alert);
	wire_alert_broadcast(sa->alert); /* twice: nothing left to cut */
	len = ffc__v1__alert__get_packed_size(sa->alert);
	buf = malloc(len);
	assert_non_null(buf);
	ffc__v1__alert__pack(sa->alert, buf);
	assert_least(buf, len, summary);
	free(buf);
	ffc__store__stored_alert__free_unpacked(sa, NULL);

	/* An alert without a child identity, and one with empty fields. */
	Ffc__V1__Alert bare = FFC__V1__ALERT__INIT;
	wire_alert_broadcast(&bare);
	Ffc__V1__ChildIdentity empty = FFC__V1__CHILD_IDENTITY__INIT;
	bare.child = &empty;
	wire_alert_broadcast(&bare);
	assert_string_equal(empty.nhs_number, "");
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_concern_roundtrip),
	    cmocka_unit_test(test_concern_encoded_as_received),
	    cmocka_unit_test(test_concern_decode_refuses_garbage),
	    cmocka_unit_test(test_nul_in_strings),
	    cmocka_unit_test(test_nul_in_every_string_field),
	    cmocka_unit_test(test_receipt),
	    cmocka_unit_test(test_child_roundtrip),
	    cmocka_unit_test(test_child_merged_into),
	    cmocka_unit_test(test_alert_roundtrip),
	    cmocka_unit_test(test_alert_event_evidence),
	    cmocka_unit_test(test_alert_broadcast_least_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
