/*
 * wire.c - protobuf encoding for the daemon: Concern frames in, Receipt and
 * Alert frames out, and the store's records (proto/ffc_store.proto).
 *
 * Owns the conversion between generated protobuf-c structs and concern.h /
 * wire.h types. Does not validate (validate.c), does not decide anything,
 * does no I/O.
 */
#include "wire.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffc.pb-c.h"
#include "ffc_store.pb-c.h"

/* protobuf-c's char * fields are never written through when packing; the
 * daemon's strings are const. */
static char *unconst(const char *s)
{
	return (char *)(uintptr_t)(s ? s : "");
}

static const char *str(const char *s)
{
	return s ? s : "";
}

void wire_child_id(uint64_t id, char out[WIRE_ID_MAX])
{
	snprintf(out, WIRE_ID_MAX, "C%08" PRIu64, id);
}

void wire_alert_id(uint64_t seq, char out[WIRE_ID_MAX])
{
	snprintf(out, WIRE_ID_MAX, "A%08" PRIu64, seq);
}

/* "X00000042" (or "x42") with the given letter: the number, not 0. */
static int id_parse(const char *s, char letter, uint64_t *out)
{
	if (!s || (s[0] != letter && s[0] != letter - 'A' + 'a') || s[1] == '\0')
		return -1;
	uint64_t v = 0;
	for (const char *p = s + 1; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v == 0)
		return -1;
	*out = v;
	return 0;
}

int wire_child_id_parse(const char *s, uint64_t *id)
{
	return id_parse(s, 'C', id);
}

/* ---- concerns ---- */

static void identity_from_pb(struct child_identity *dst, const Ffc__V1__ChildIdentity *src)
{
	dst->nhs_number = str(src ? src->nhs_number : NULL);
	dst->upn = str(src ? src->upn : NULL);
	dst->local_id = str(src ? src->local_id : NULL);
	dst->given_name = str(src ? src->given_name : NULL);
	dst->family_name = str(src ? src->family_name : NULL);
	dst->date_of_birth = str(src ? src->date_of_birth : NULL);
	dst->postcode = str(src ? src->postcode : NULL);
}

static void identity_to_pb(Ffc__V1__ChildIdentity *dst, const struct child_identity *src)
{
	ffc__v1__child_identity__init(dst);
	dst->nhs_number = unconst(src->nhs_number);
	dst->upn = unconst(src->upn);
	dst->local_id = unconst(src->local_id);
	dst->given_name = unconst(src->given_name);
	dst->family_name = unconst(src->family_name);
	dst->date_of_birth = unconst(src->date_of_birth);
	dst->postcode = unconst(src->postcode);
}

/* Point `out` at the fields of an unpacked Concern. */
static int concern_view(const Ffc__V1__Concern *pb, struct wire_concern *out)
{
	struct concern *c = &out->c;
	c->concern_id = str(pb->concern_id);
	c->agency = (int)pb->agency;
	c->source_system = str(pb->source_system);
	c->category = (int)pb->category;
	c->severity = (int)pb->severity;
	c->occurred_at_ms = pb->occurred_at_ms;
	c->reported_at_ms = pb->reported_at_ms;
	c->summary = str(pb->summary);
	c->reporter = str(pb->reporter);
	c->n_children = pb->n_children;
	out->children = NULL;
	if (pb->n_children > 0) {
		/* A peer can send thousands of children; validation rejects
		 * more than 32, but the view must still describe them all. */
		out->children = calloc(pb->n_children, sizeof *out->children);
		if (!out->children)
			return -1;
		for (size_t i = 0; i < pb->n_children; i++)
			identity_from_pb(&out->children[i], pb->children[i]);
	}
	c->children = out->children;
	return 0;
}

int wire_concern_decode(const void *buf, size_t len, struct wire_concern *out)
{
	memset(out, 0, sizeof *out);
	Ffc__V1__Concern *pb = ffc__v1__concern__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	if (concern_view(pb, out) < 0) {
		ffc__v1__concern__free_unpacked(pb, NULL);
		memset(out, 0, sizeof *out);
		return -1;
	}
	out->pb = pb;
	return 0;
}

void wire_concern_release(struct wire_concern *w)
{
	if (!w)
		return;
	if (w->pb)
		ffc__v1__concern__free_unpacked(w->pb, NULL);
	free(w->children);
	memset(w, 0, sizeof *w);
}

/* ---- a walk over the protobuf encoding itself ---- */

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* Nesting the NUL walk follows at most: ffc.v1 nests one level (a
 * Concern's children); the bound keeps a recursive message type, should
 * one be added, from recursing with the input. */
#define NUL_DEPTH_MAX 8
/* Repeated fields are numbered ("children[1]") for the first this many
 * fields of a message; later ones are named without their index. */
#define NUL_FIELDS_MAX 64

/* Walk one message's encoding with its descriptor: every string field
 * (repeated or not) is searched for a NUL byte, and every message field
 * walked the same way, so a string field added to ffc.proto is checked
 * without a line here. Returns 1 with the field's path in path, else 0;
 * bytes that do not parse end the walk (the decoder refused them, or will). */
static int nul_walk(const uint8_t *p, const uint8_t *end, const ProtobufCMessageDescriptor *d,
                    int depth, char *path, size_t pathlen)
{
	size_t seen[NUL_FIELDS_MAX] = {0};
	while (p < end) {
		uint64_t key, n;
		if (read_varint(&p, end, &key) < 0)
			return 0;
		switch (key & 7) {
		case 0:
			if (read_varint(&p, end, &n) < 0)
				return 0;
			continue;
		case 1:
			if (end - p < 8)
				return 0;
			p += 8;
			continue;
		case 5:
			if (end - p < 4)
				return 0;
			p += 4;
			continue;
		case 2:
			if (read_varint(&p, end, &n) < 0 || n > (uint64_t)(end - p))
				return 0;
			break;
		default:
			return 0; /* groups: not in ffc.v1, and protobuf-c refused them */
		}
		const uint8_t *v = p;
		p += n;
		if (key >> 3 > UINT32_MAX)
			continue;
		const ProtobufCFieldDescriptor *f =
		    protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3));
		if (!f)
			continue; /* unknown to this version: not decoded, not stored */
		/* "name", or "name[i]" for the i-th of a repeated field */
		char name[96];
		size_t at = (size_t)(f - d->fields);
		if (f->label == PROTOBUF_C_LABEL_REPEATED && at < NUL_FIELDS_MAX)
			snprintf(name, sizeof name, "%s[%zu]", f->name, seen[at]++);
		else
			snprintf(name, sizeof name, "%s", f->name);
		if (f->type == PROTOBUF_C_TYPE_STRING && memchr(v, 0, (size_t)n)) {
			snprintf(path, pathlen, "%s", name);
			return 1;
		}
		if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth < NUL_DEPTH_MAX) {
			char sub[160];
			if (nul_walk(v, v + n, f->descriptor, depth + 1, sub, sizeof sub)) {
				snprintf(path, pathlen, "%s.%s", name, sub);
				return 1;
			}
		}
	}
	return 0;
}

int wire_concern_nul_field(const void *buf, size_t len, char *path, size_t pathlen)
{
	const uint8_t *p = buf;
	return nul_walk(p, p + len, &ffc__v1__concern__descriptor, 0, path, pathlen);
}

/* Fill a Concern message from a concern; identities go in ids/ptrs, which
 * the caller provides with room for c->n_children. */
static void concern_to_pb(Ffc__V1__Concern *pb, const struct concern *c,
                          Ffc__V1__ChildIdentity *ids, Ffc__V1__ChildIdentity **ptrs)
{
	ffc__v1__concern__init(pb);
	pb->concern_id = unconst(c->concern_id);
	pb->agency = (Ffc__V1__Agency)c->agency;
	pb->source_system = unconst(c->source_system);
	pb->category = (Ffc__V1__Category)c->category;
	pb->severity = (Ffc__V1__Severity)c->severity;
	pb->occurred_at_ms = c->occurred_at_ms;
	pb->reported_at_ms = c->reported_at_ms;
	pb->summary = unconst(c->summary);
	pb->reporter = unconst(c->reporter);
	for (size_t i = 0; i < c->n_children; i++) {
		identity_to_pb(&ids[i], &c->children[i]);
		ptrs[i] = &ids[i];
	}
	pb->n_children = c->n_children;
	pb->children = ptrs;
}

/* Pack any message into a fresh malloc'd buffer. */
static int pack_message(const ProtobufCMessage *m, uint8_t **out, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return -1;
	*len = protobuf_c_message_pack(m, buf);
	*out = buf;
	return 0;
}

/* ---- receipts ---- */

int wire_receipt_pack(const struct receipt *r, uint8_t **out, size_t *len)
{
	Ffc__V1__Receipt pb = FFC__V1__RECEIPT__INIT;
	char ids[CONCERN_CHILDREN_MAX][WIRE_ID_MAX];
	char *ptrs[CONCERN_CHILDREN_MAX];
	pb.concern_id = unconst(r->concern_id);
	pb.status = (Ffc__V1__Receipt__Status)r->status;
	pb.error = unconst(r->error);
	pb.seq = r->seq;
	for (size_t i = 0; i < r->n_child_ids && i < CONCERN_CHILDREN_MAX; i++) {
		wire_child_id(r->child_ids[i], ids[i]);
		ptrs[i] = ids[i];
	}
	pb.n_child_ids = r->n_child_ids;
	pb.child_ids = ptrs;
	return pack_message(&pb.base, out, len);
}

/* ---- stored concerns ---- */

int wire_stored_concern_pack(const struct concern *c, uint64_t seq, int64_t received_at_ms,
                             const uint64_t *child_ids, size_t n_child_ids, uint8_t **out,
                             size_t *len)
{
	Ffc__V1__ChildIdentity ids[CONCERN_CHILDREN_MAX];
	Ffc__V1__ChildIdentity *ptrs[CONCERN_CHILDREN_MAX];
	Ffc__V1__Concern concern;
	Ffc__Store__StoredConcern pb = FFC__STORE__STORED_CONCERN__INIT;
	if (c->n_children > CONCERN_CHILDREN_MAX || n_child_ids > CONCERN_CHILDREN_MAX)
		return -1;
	concern_to_pb(&concern, c, ids, ptrs);
	pb.seq = seq;
	pb.received_at_ms = received_at_ms;
	pb.n_child_ids = n_child_ids;
	pb.child_ids = (uint64_t *)(uintptr_t)child_ids;
	pb.concern = &concern;
	return pack_message(&pb.base, out, len);
}

int wire_stored_concern_decode(const void *buf, size_t len, struct stored_concern *out)
{
	memset(out, 0, sizeof *out);
	Ffc__Store__StoredConcern *pb = ffc__store__stored_concern__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	if (!pb->concern || pb->n_child_ids > CONCERN_CHILDREN_MAX ||
	    concern_view(pb->concern, &out->w) < 0) {
		ffc__store__stored_concern__free_unpacked(pb, NULL);
		memset(out, 0, sizeof *out);
		return -1;
	}
	out->seq = pb->seq;
	out->received_at_ms = pb->received_at_ms;
	out->n_child_ids = pb->n_child_ids;
	memcpy(out->child_ids, pb->child_ids, pb->n_child_ids * sizeof *pb->child_ids);
	out->withdrawn_at_ms = pb->withdrawn_at_ms;
	out->withdrawn_by = pb->withdrawn_by;
	out->withdrawn_reason = pb->withdrawn_reason;
	out->pb = pb;
	return 0;
}

int wire_stored_concern_withdraw(const void *buf, size_t len, int64_t at_ms, const char *by,
                                 const char *reason, uint8_t **out, size_t *out_len)
{
	Ffc__Store__StoredConcern *pb = ffc__store__stored_concern__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	char by_buf[WIRE_BY_MAX], reason_buf[WIRE_REASON_MAX];
	snprintf(by_buf, sizeof by_buf, "%s", by);
	snprintf(reason_buf, sizeof reason_buf, "%s", reason);
	/* The unpacked strings stay owned by pb; point at ours only to pack. */
	char *old_by = pb->withdrawn_by, *old_reason = pb->withdrawn_reason;
	pb->withdrawn_at_ms = at_ms;
	pb->withdrawn_by = by_buf;
	pb->withdrawn_reason = reason_buf;
	int rc = pack_message(&pb->base, out, out_len);
	pb->withdrawn_by = old_by;
	pb->withdrawn_reason = old_reason;
	ffc__store__stored_concern__free_unpacked(pb, NULL);
	return rc;
}

void wire_stored_concern_release(struct stored_concern *s)
{
	if (!s)
		return;
	free(s->w.children);
	if (s->pb)
		ffc__store__stored_concern__free_unpacked(s->pb, NULL);
	memset(s, 0, sizeof *s);
}

/* ---- children ---- */

int wire_child_pack(const struct child_record *ch, uint8_t **out, size_t *len)
{
	Ffc__Store__Child pb = FFC__STORE__CHILD__INIT;
	pb.id = ch->id;
	pb.created_at_ms = ch->created_at_ms;
	pb.merged_into = ch->merged_into;
	Ffc__Store__SeenIdentity *seen = calloc(ch->n_ids ? ch->n_ids : 1, sizeof *seen);
	Ffc__Store__SeenIdentity **seen_ptrs = calloc(ch->n_ids ? ch->n_ids : 1, sizeof *seen_ptrs);
	Ffc__V1__ChildIdentity *ids = calloc(ch->n_ids ? ch->n_ids : 1, sizeof *ids);
	int rc = -1;
	if (!seen || !seen_ptrs || !ids)
		goto out;
	for (size_t i = 0; i < ch->n_ids; i++) {
		const struct seen_identity *si = &ch->ids[i];
		ffc__store__seen_identity__init(&seen[i]);
		identity_to_pb(&ids[i], &si->id);
		seen[i].agency = (Ffc__V1__Agency)si->agency;
		seen[i].identity = &ids[i];
		seen[i].first_seen_ms = si->first_seen_ms;
		seen[i].last_seen_ms = si->last_seen_ms;
		seen[i].first_seq = si->first_seq;
		seen_ptrs[i] = &seen[i];
	}
	pb.n_identities = ch->n_ids;
	pb.identities = seen_ptrs;
	pb.n_aliases = ch->n_aliases;
	pb.aliases = ch->aliases;
	pb.n_kept_apart = ch->n_apart;
	pb.kept_apart = ch->apart;
	rc = pack_message(&pb.base, out, len);
out:
	free(seen);
	free(seen_ptrs);
	free(ids);
	return rc;
}

int wire_child_add_identity(struct child_record *ch, const struct seen_identity *si)
{
	if (ch->n_ids == ch->cap_ids) {
		size_t cap = ch->cap_ids ? ch->cap_ids * 2 : 4;
		struct seen_identity *ids = realloc(ch->ids, cap * sizeof *ids);
		if (!ids)
			return -1;
		ch->ids = ids;
		ch->cap_ids = cap;
	}
	ch->ids[ch->n_ids++] = *si;
	return 0;
}

int wire_id_list_add(uint64_t **v, size_t *n, uint64_t id)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == id)
			return 0;
	uint64_t *p = realloc(*v, (*n + 1) * sizeof *p);
	if (!p)
		return -1;
	p[(*n)++] = id;
	*v = p;
	return 0;
}

int wire_child_decode(const void *buf, size_t len, struct child_record *out)
{
	memset(out, 0, sizeof *out);
	Ffc__Store__Child *pb = ffc__store__child__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	out->id = pb->id;
	out->created_at_ms = pb->created_at_ms;
	out->merged_into = pb->merged_into;
	out->pb = pb;
	for (size_t i = 0; i < pb->n_identities; i++) {
		const Ffc__Store__SeenIdentity *s = pb->identities[i];
		struct seen_identity si = {
		    .agency = (int)s->agency,
		    .first_seen_ms = s->first_seen_ms,
		    .last_seen_ms = s->last_seen_ms,
		    .first_seq = s->first_seq,
		};
		identity_from_pb(&si.id, s->identity);
		if (wire_child_add_identity(out, &si) < 0) {
			wire_child_release(out);
			return -1;
		}
	}
	for (size_t i = 0; i < pb->n_aliases; i++)
		if (wire_id_list_add(&out->aliases, &out->n_aliases, pb->aliases[i]) < 0) {
			wire_child_release(out);
			return -1;
		}
	for (size_t i = 0; i < pb->n_kept_apart; i++)
		if (wire_id_list_add(&out->apart, &out->n_apart, pb->kept_apart[i]) < 0) {
			wire_child_release(out);
			return -1;
		}
	return 0;
}

void wire_child_release(struct child_record *ch)
{
	if (!ch)
		return;
	free(ch->ids);
	free(ch->aliases);
	free(ch->apart);
	if (ch->pb)
		ffc__store__child__free_unpacked(ch->pb, NULL);
	memset(ch, 0, sizeof *ch);
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", str(src));
}

/* ---- identity events ---- */

int wire_identity_event_pack(const struct identity_event *e, uint8_t **out, size_t *len)
{
	Ffc__V1__IdentityEvent pb = FFC__V1__IDENTITY_EVENT__INIT;
	char child[WIRE_ID_MAX], other[WIRE_ID_MAX];
	wire_child_id(e->child, child);
	wire_child_id(e->other, other);
	pb.seq = e->seq;
	pb.at_ms = e->at_ms;
	pb.kind = (Ffc__V1__IdentityEvent__Kind)e->kind;
	pb.child_id = child;
	pb.other_child_id = e->other ? other : unconst("");
	pb.by = unconst(e->by);
	pb.reason = unconst(e->reason);
	pb.identity = unconst(e->identity);
	pb.concern_seq = e->concern_seq;
	return pack_message(&pb.base, out, len);
}

int wire_identity_event_decode(const void *buf, size_t len, struct identity_event *out)
{
	memset(out, 0, sizeof *out);
	Ffc__V1__IdentityEvent *pb = ffc__v1__identity_event__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	int rc = wire_child_id_parse(pb->child_id, &out->child);
	if (rc == 0 && pb->other_child_id[0])
		rc = wire_child_id_parse(pb->other_child_id, &out->other);
	out->seq = pb->seq;
	out->at_ms = pb->at_ms;
	out->kind = (enum identity_event_kind)pb->kind;
	copy_str(out->by, sizeof out->by, pb->by);
	copy_str(out->reason, sizeof out->reason, pb->reason);
	copy_str(out->identity, sizeof out->identity, pb->identity);
	out->concern_seq = pb->concern_seq;
	ffc__v1__identity_event__free_unpacked(pb, NULL);
	return rc;
}

/* ---- the audit trail ---- */

int wire_audit_pack(const struct audit_entry *e, uint8_t **out, size_t *len)
{
	Ffc__V1__AuditEntry pb = FFC__V1__AUDIT_ENTRY__INIT;
	char child[WIRE_ID_MAX];
	wire_child_id(e->child, child);
	pb.seq = e->seq;
	pb.at_ms = e->at_ms;
	pb.by = unconst(e->by);
	pb.role = unconst(e->role);
	pb.command = unconst(e->command);
	pb.child_id = e->child ? child : unconst("");
	pb.purpose = unconst(e->purpose);
	pb.refused = e->refused != 0;
	pb.detail = unconst(e->detail);
	pb.count = e->count;
	return pack_message(&pb.base, out, len);
}

int wire_audit_decode(const void *buf, size_t len, struct audit_entry *out)
{
	memset(out, 0, sizeof *out);
	Ffc__V1__AuditEntry *pb = ffc__v1__audit_entry__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	int rc = pb->child_id[0] ? wire_child_id_parse(pb->child_id, &out->child) : 0;
	out->seq = pb->seq;
	out->at_ms = pb->at_ms;
	copy_str(out->by, sizeof out->by, pb->by);
	copy_str(out->role, sizeof out->role, pb->role);
	copy_str(out->command, sizeof out->command, pb->command);
	copy_str(out->purpose, sizeof out->purpose, pb->purpose);
	out->refused = pb->refused;
	out->count = pb->count;
	copy_str(out->detail, sizeof out->detail, pb->detail);
	ffc__v1__audit_entry__free_unpacked(pb, NULL);
	return rc;
}

/* ---- alerts ---- */

void wire_alert_child_set(struct alert_child *dst, const struct child_identity *src)
{
	copy_str(dst->nhs_number, sizeof dst->nhs_number, src->nhs_number);
	copy_str(dst->upn, sizeof dst->upn, src->upn);
	copy_str(dst->local_id, sizeof dst->local_id, src->local_id);
	copy_str(dst->given_name, sizeof dst->given_name, src->given_name);
	copy_str(dst->family_name, sizeof dst->family_name, src->family_name);
	copy_str(dst->date_of_birth, sizeof dst->date_of_birth, src->date_of_birth);
	copy_str(dst->postcode, sizeof dst->postcode, src->postcode);
}

/* Everything an Alert message points at while it is packed. */
struct alert_pb {
	Ffc__V1__Alert alert;
	Ffc__V1__ChildIdentity child;
	struct alert_child display; /* a copy the broadcast form may cut */
	Ffc__V1__ConcernRef refs[RULE_EVIDENCE_MAX];
	Ffc__V1__ConcernRef *ref_ptrs[RULE_EVIDENCE_MAX];
};

static void alert_to_pb(struct alert_pb *p, const struct alert *a)
{
	Ffc__V1__Alert *pb = &p->alert;
	ffc__v1__alert__init(pb);
	pb->seq = a->seq;
	pb->alert_id = unconst(a->alert_id);
	pb->child_id = unconst(a->child_id);
	pb->level = (Ffc__V1__Level)a->level;
	pb->rule = unconst(a->rule);
	pb->reason = unconst(a->reason);
	pb->raised_at_ms = a->raised_at_ms;
	pb->supersedes = unconst(a->supersedes);
	pb->lead_practitioner = unconst(a->lead_practitioner);
	pb->state = (Ffc__V1__AlertState)wire_alert_view(a);
	pb->acknowledged_by = unconst(a->acknowledged_by);
	pb->acknowledged_at_ms = a->acknowledged_at_ms;
	pb->closed_by = unconst(a->closed_by);
	pb->closed_at_ms = a->closed_at_ms;
	pb->outcome = unconst(a->outcome);
	pb->due_at_ms = a->due_at_ms;
	pb->overdue_at_ms = a->overdue_at_ms;
	size_t n = a->n_evidence < RULE_EVIDENCE_MAX ? a->n_evidence : RULE_EVIDENCE_MAX;
	for (size_t i = 0; i < n; i++) {
		const struct alert_evidence *e = &a->evidence[i];
		Ffc__V1__ConcernRef *r = &p->refs[i];
		ffc__v1__concern_ref__init(r);
		r->agency = (Ffc__V1__Agency)e->agency;
		r->concern_id = unconst(e->concern_id);
		r->category = (Ffc__V1__Category)e->category;
		r->severity = (Ffc__V1__Severity)e->severity;
		r->occurred_at_ms = e->occurred_at_ms;
		p->ref_ptrs[i] = r;
	}
	pb->n_evidence = n;
	pb->evidence = p->ref_ptrs;
	p->display = a->display;
	struct alert_child *d = &p->display;
	struct child_identity id = {d->nhs_number,  d->upn,           d->local_id, d->given_name,
	                            d->family_name, d->date_of_birth, d->postcode};
	identity_to_pb(&p->child, &id);
	pb->child = &p->child;
}

/* Empty a string of a message in place: its owner (an unpacked message,
 * or a copy made for packing) stays the same, and protobuf-c leaves an
 * empty proto3 string out of the bytes. protobuf-c's shared empty string
 * is read-only, hence the test before writing. */
static void cut(char *s)
{
	if (s && s[0])
		s[0] = '\0';
}

void wire_alert_broadcast(Ffc__V1__Alert *pb)
{
	/* A console triages by name, date of birth and child_id; the
	 * identifiers that find the child in other systems (NHS number, UPN,
	 * the agency's own id) and where the child lives are read from the
	 * child's record on the control socket. */
	Ffc__V1__ChildIdentity *c = pb->child;
	if (c) {
		cut(c->nhs_number);
		cut(c->upn);
		cut(c->local_id);
		cut(c->postcode);
	}
}

int wire_alert_pack(const struct alert *a, uint8_t **out, size_t *len)
{
	struct alert_pb *p = malloc(sizeof *p);
	if (!p)
		return -1;
	alert_to_pb(p, a);
	wire_alert_broadcast(&p->alert);
	int rc = pack_message(&p->alert.base, out, len);
	free(p);
	return rc;
}

int wire_stored_alert_pack(const struct alert *a, uint8_t **out, size_t *len)
{
	struct alert_pb *p = malloc(sizeof *p);
	if (!p)
		return -1;
	alert_to_pb(p, a);
	Ffc__Store__StoredAlert pb = FFC__STORE__STORED_ALERT__INIT;
	pb.alert = &p->alert;
	pb.state = (Ffc__Store__AlertState)a->state;
	pb.child = a->child;
	pb.superseded_by = unconst(a->superseded_by);
	/* The deadline follows the response times in force, so it is not
	 * kept. */
	p->alert.due_at_ms = 0;
	int rc = pack_message(&pb.base, out, len);
	free(p);
	return rc;
}

int wire_stored_alert_decode(const void *buf, size_t len, struct alert *out)
{
	memset(out, 0, sizeof *out);
	Ffc__Store__StoredAlert *pb = ffc__store__stored_alert__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	if (!pb->alert) {
		ffc__store__stored_alert__free_unpacked(pb, NULL);
		return -1;
	}
	const Ffc__V1__Alert *a = pb->alert;
	out->seq = a->seq;
	copy_str(out->alert_id, sizeof out->alert_id, a->alert_id);
	out->child = pb->child;
	copy_str(out->child_id, sizeof out->child_id, a->child_id);
	out->level = (enum level)a->level;
	copy_str(out->rule, sizeof out->rule, a->rule);
	copy_str(out->reason, sizeof out->reason, a->reason);
	out->n_evidence = a->n_evidence < RULE_EVIDENCE_MAX ? a->n_evidence : RULE_EVIDENCE_MAX;
	for (size_t i = 0; i < out->n_evidence; i++) {
		const Ffc__V1__ConcernRef *r = a->evidence[i];
		struct alert_evidence *e = &out->evidence[i];
		copy_str(e->concern_id, sizeof e->concern_id, r->concern_id);
		e->agency = (int)r->agency;
		e->category = (int)r->category;
		e->severity = (int)r->severity;
		e->occurred_at_ms = r->occurred_at_ms;
	}
	out->raised_at_ms = a->raised_at_ms;
	if (a->child) {
		struct child_identity id;
		identity_from_pb(&id, a->child);
		wire_alert_child_set(&out->display, &id);
	}
	copy_str(out->supersedes, sizeof out->supersedes, a->supersedes);
	copy_str(out->lead_practitioner, sizeof out->lead_practitioner, a->lead_practitioner);
	out->state = (enum alert_state)pb->state;
	copy_str(out->superseded_by, sizeof out->superseded_by, pb->superseded_by);
	copy_str(out->acknowledged_by, sizeof out->acknowledged_by, a->acknowledged_by);
	out->acknowledged_at_ms = a->acknowledged_at_ms;
	copy_str(out->closed_by, sizeof out->closed_by, a->closed_by);
	out->closed_at_ms = a->closed_at_ms;
	copy_str(out->outcome, sizeof out->outcome, a->outcome);
	out->overdue_at_ms = a->overdue_at_ms;
	ffc__store__stored_alert__free_unpacked(pb, NULL);
	return 0;
}

int wire_alert_id_parse(const char *s, uint64_t *seq)
{
	return id_parse(s, 'A', seq);
}

enum alert_view wire_alert_view(const struct alert *a)
{
	switch (a->state) {
	case ALERT_CLOSED:
		return ALERT_VIEW_CLOSED;
	case ALERT_SUPERSEDED:
		return ALERT_VIEW_SUPERSEDED;
	case ALERT_OPEN:
	default:
		return a->acknowledged_at_ms ? ALERT_VIEW_ACKNOWLEDGED : ALERT_VIEW_OPEN;
	}
}

/* ---- working an alert ---- */

static void event_to_pb(Ffc__V1__AlertEvent *pb, const struct alert_event *e, int with_text)
{
	ffc__v1__alert_event__init(pb);
	pb->action = (Ffc__V1__AlertEvent__Action)e->action;
	pb->by = unconst(e->by);
	pb->at_ms = e->at_ms;
	pb->text = unconst(with_text ? e->text : "");
	pb->outcome = unconst(e->outcome);
	pb->operator_ = unconst(with_text ? e->operator_ : "");
}

int wire_alert_event_pack(const struct alert_event *e, uint8_t **out, size_t *len)
{
	Ffc__V1__AlertEvent pb;
	event_to_pb(&pb, e, 1);
	return pack_message(&pb.base, out, len);
}

int wire_alert_change_pack(const struct alert *a, const struct alert_event *e, uint8_t **out,
                           size_t *len)
{
	Ffc__V1__AlertEvent ev;
	event_to_pb(&ev, e, 0);
	Ffc__V1__AlertChange pb = FFC__V1__ALERT_CHANGE__INIT;
	pb.seq = a->seq;
	pb.alert_id = unconst(a->alert_id);
	pb.child_id = unconst(a->child_id);
	pb.level = (Ffc__V1__Level)a->level;
	pb.rule = unconst(a->rule);
	pb.event = &ev;
	pb.state = (Ffc__V1__AlertState)wire_alert_view(a);
	return pack_message(&pb.base, out, len);
}

int wire_assignment_pack(const struct assignment *as, uint8_t **out, size_t *len)
{
	Ffc__V1__PractitionerAssignment pb = FFC__V1__PRACTITIONER_ASSIGNMENT__INIT;
	pb.practitioner = unconst(as->practitioner);
	pb.by = unconst(as->by);
	pb.at_ms = as->at_ms;
	pb.note = unconst(as->note);
	pb.operator_ = unconst(as->operator_);
	return pack_message(&pb.base, out, len);
}

int wire_assignment_decode(const void *buf, size_t len, struct assignment *out)
{
	memset(out, 0, sizeof *out);
	Ffc__V1__PractitionerAssignment *pb =
	    ffc__v1__practitioner_assignment__unpack(NULL, len, buf);
	if (!pb)
		return -1;
	copy_str(out->practitioner, sizeof out->practitioner, pb->practitioner);
	copy_str(out->by, sizeof out->by, pb->by);
	out->at_ms = pb->at_ms;
	copy_str(out->note, sizeof out->note, pb->note);
	copy_str(out->operator_, sizeof out->operator_, pb->operator_);
	ffc__v1__practitioner_assignment__free_unpacked(pb, NULL);
	return 0;
}
