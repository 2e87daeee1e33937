/*
 * wire.c - protobuf encoding for the daemon: Concern frames in, Receipt
 * frames out, the stored concern records, and the helpers the other wire_*.c
 * files share (wire_int.h).
 *
 * Owns the conversion between generated protobuf-c structs and concern.h /
 * receipt.h types. Does not validate (validate.c), does not decide
 * anything, does no I/O. Children, identity events, audit entries and
 * matches are wire_child.c's; alerts and their changes wire_alert.c's.
 */
#include "wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire_int.h"

/* protobuf-c's char * fields are never written through when packing; the
 * daemon's strings are const. */
char *wire_unconst(const char *s)
{
	return (char *)(uintptr_t)(s ? s : "");
}

const char *wire_str(const char *s)
{
	return s ? s : "";
}

/* ---- shared with wire_child.c and wire_alert.c (wire_int.h) ---- */

void wire_identity_from_pb(struct child_identity *dst, const Ffc__V1__ChildIdentity *src)
{
	dst->nhs_number = wire_str(src ? src->nhs_number : NULL);
	dst->upn = wire_str(src ? src->upn : NULL);
	dst->local_id = wire_str(src ? src->local_id : NULL);
	dst->given_name = wire_str(src ? src->given_name : NULL);
	dst->family_name = wire_str(src ? src->family_name : NULL);
	dst->date_of_birth = wire_str(src ? src->date_of_birth : NULL);
	dst->postcode = wire_str(src ? src->postcode : NULL);
}

void wire_identity_to_pb(Ffc__V1__ChildIdentity *dst, const struct child_identity *src)
{
	ffc__v1__child_identity__init(dst);
	dst->nhs_number = wire_unconst(src->nhs_number);
	dst->upn = wire_unconst(src->upn);
	dst->local_id = wire_unconst(src->local_id);
	dst->given_name = wire_unconst(src->given_name);
	dst->family_name = wire_unconst(src->family_name);
	dst->date_of_birth = wire_unconst(src->date_of_birth);
	dst->postcode = wire_unconst(src->postcode);
}

/* Pack any message into a fresh malloc'd buffer. */
int wire_pack_message(const ProtobufCMessage *m, uint8_t **out, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return -1;
	*len = protobuf_c_message_pack(m, buf);
	*out = buf;
	return 0;
}

void wire_copy_str(char *dst, size_t size, const char *src)
{
	if (!size)
		return;
	const char *s = wire_str(src);
	size_t n = strnlen(s, size - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* ---- concerns ---- */

/* A social care status carried in a Concern frame (Concern.child_status). */
void wire_status_from_pb(struct child_status *dst, const Ffc__V1__ChildStatus *src)
{
	dst->status_id = wire_str(src->status_id);
	dst->source_system = wire_str(src->source_system);
	wire_identity_from_pb(&dst->child, src->child);
	dst->kind = (int)src->kind;
	dst->category = (int)src->category;
	dst->legal_status = (int)src->legal_status;
	dst->start_date = wire_str(src->start_date);
	dst->end_date = wire_str(src->end_date);
	dst->local_authority = wire_str(src->local_authority);
	dst->social_worker = wire_str(src->social_worker);
	dst->social_worker_role = wire_str(src->social_worker_role);
	dst->social_worker_contact = wire_str(src->social_worker_contact);
	dst->recorded_at_ms = src->recorded_at_ms;
}

/* Point `out` at the fields of an unpacked Concern. */
static int concern_view(const Ffc__V1__Concern *pb, struct wire_concern *out)
{
	struct concern *c = &out->c;
	c->concern_id = wire_str(pb->concern_id);
	c->agency = (int)pb->agency;
	c->source_system = wire_str(pb->source_system);
	c->category = (int)pb->category;
	c->severity = (int)pb->severity;
	c->occurred_at_ms = pb->occurred_at_ms;
	c->reported_at_ms = pb->reported_at_ms;
	c->summary = wire_str(pb->summary);
	c->reporter = wire_str(pb->reporter);
	c->school_urn = wire_str(pb->school_urn);
	c->domestic_incident = pb->domestic_incident;
	c->child_present = pb->child_present;
	c->n_children = pb->n_children;
	out->children = NULL;
	if (pb->n_children > 0) {
		/* A peer can send thousands of children; validation rejects
		 * more than 32, but the view must still describe them all. */
		out->children = calloc(pb->n_children, sizeof *out->children);
		if (!out->children)
			return -1;
		for (size_t i = 0; i < pb->n_children; i++)
			wire_identity_from_pb(&out->children[i], pb->children[i]);
	}
	c->children = out->children;
	return 0;
}

/* Is the frame exactly pb's encoding? protobuf-c keeps fields it does not
 * know, and measures a string by strlen(): a string holding a NUL packs
 * shorter than it came, and so does a field encoded twice or a default
 * value encoded at all, while nothing of a Concern packs longer than it
 * came. So with no unknown field, equal sizes mean the same fields,
 * each once, and no NUL in any string. */
static int canonical(const Ffc__V1__Concern *pb, size_t len)
{
	if (pb->base.n_unknown_fields)
		return 0;
	for (size_t i = 0; i < pb->n_children; i++)
		if (pb->children[i]->base.n_unknown_fields)
			return 0;
	return protobuf_c_message_get_packed_size(&pb->base) == len;
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
	if (pb->child_status) {
		wire_status_from_pb(&out->status_view, pb->child_status);
		out->status = &out->status_view;
	} else if (canonical(pb, len)) {
		/* A status frame takes the whole scan: its nested messages
		 * are not checked here. */
		out->encoded = buf;
		out->encoded_len = len;
	}
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

int wire_field_next(const uint8_t **p, const uint8_t *end, struct wire_field *out)
{
	if (*p >= end)
		return 0;
	uint64_t key, n;
	if (read_varint(p, end, &key) < 0)
		return -1;
	out->number = key >> 3;
	out->bytes = NULL;
	out->len = 0;
	switch (key & 7) {
	case 0:
		out->varint = 1;
		return read_varint(p, end, &out->value) < 0 ? -1 : 1;
	case 1:
		n = 8;
		break;
	case 5:
		n = 4;
		break;
	case 2:
		if (read_varint(p, end, &n) < 0)
			return -1;
		break;
	default:
		return -1; /* groups: in no message of ffc's */
	}
	if (n > (uint64_t)(end - *p))
		return -1;
	out->varint = 0;
	if ((key & 7) == 2) {
		out->bytes = *p;
		out->len = (size_t)n;
	}
	*p += n;
	return 1;
}

/* ffc.store.Child's merged_into (proto/ffc_store.proto). */
#define CHILD_MERGED_INTO_FIELD 3

int wire_child_merged_into(const void *buf, size_t len, uint64_t *merged_into)
{
	const uint8_t *p = buf, *end = p + len;
	struct wire_field f;
	int rc;
	*merged_into = 0;
	/* The last one read is the field's value, as protobuf-c decodes it. */
	while ((rc = wire_field_next(&p, end, &f)) > 0)
		if (f.number == CHILD_MERGED_INTO_FIELD && f.varint)
			*merged_into = f.value;
	return rc;
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
		/* The i-th of a repeated field is named "name[i]", once found. */
		size_t at = (size_t)(f - d->fields), index = SIZE_MAX;
		if (f->label == PROTOBUF_C_LABEL_REPEATED && at < NUL_FIELDS_MAX)
			index = seen[at]++;
		char sub[160] = "";
		int found = f->type == PROTOBUF_C_TYPE_STRING
		                ? memchr(v, 0, (size_t)n) != NULL
		                : f->type == PROTOBUF_C_TYPE_MESSAGE && depth < NUL_DEPTH_MAX &&
		                      nul_walk(v, v + n, f->descriptor, depth + 1, sub, sizeof sub);
		if (!found)
			continue;
		char name[96];
		if (index != SIZE_MAX)
			snprintf(name, sizeof name, "%s[%zu]", f->name, index);
		else
			snprintf(name, sizeof name, "%s", f->name);
		snprintf(path, pathlen, "%s%s%s", name, sub[0] ? "." : "", sub);
		return 1;
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
	pb->concern_id = wire_unconst(c->concern_id);
	pb->agency = (Ffc__V1__Agency)c->agency;
	pb->source_system = wire_unconst(c->source_system);
	pb->category = (Ffc__V1__Category)c->category;
	pb->severity = (Ffc__V1__Severity)c->severity;
	pb->occurred_at_ms = c->occurred_at_ms;
	pb->reported_at_ms = c->reported_at_ms;
	pb->summary = wire_unconst(c->summary);
	pb->reporter = wire_unconst(c->reporter);
	pb->school_urn = wire_unconst(c->school_urn);
	pb->domestic_incident = c->domestic_incident != 0;
	pb->child_present = c->child_present != 0;
	for (size_t i = 0; i < c->n_children; i++) {
		wire_identity_to_pb(&ids[i], &c->children[i]);
		ptrs[i] = &ids[i];
	}
	pb->n_children = c->n_children;
	pb->children = ptrs;
}

/* ---- receipts ---- */

int wire_receipt_pack(const struct receipt *r, uint8_t **out, size_t *len)
{
	Ffc__V1__Receipt pb = FFC__V1__RECEIPT__INIT;
	char ids[CONCERN_CHILDREN_MAX][WIRE_ID_MAX];
	char *ptrs[CONCERN_CHILDREN_MAX];
	pb.concern_id = wire_unconst(r->concern_id);
	pb.status = (Ffc__V1__Receipt__Status)r->status;
	pb.error = wire_unconst(r->error);
	pb.seq = r->seq;
	for (size_t i = 0; i < r->n_child_ids && i < CONCERN_CHILDREN_MAX; i++) {
		wire_child_id(r->child_ids[i], ids[i]);
		ptrs[i] = ids[i];
	}
	pb.n_child_ids = r->n_child_ids;
	pb.child_ids = ptrs;
	pb.status_id = wire_unconst(r->status_id);
	return wire_pack_message(&pb.base, out, len);
}

/* ---- stored concerns ---- */

/* The field number of StoredConcern.concern, from the schema itself. */
static unsigned stored_concern_field(void)
{
	static unsigned number;
	if (!number) {
		const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(
		    &ffc__store__stored_concern__descriptor, "concern");
		number = f ? f->id : 0;
	}
	return number;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

int wire_stored_concern_pack(const struct concern *c, const void *encoded, size_t encoded_len,
                             uint64_t seq, int64_t received_at_ms, const uint64_t *child_ids,
                             size_t n_child_ids, uint8_t **out, size_t *len)
{
	Ffc__V1__ChildIdentity ids[CONCERN_CHILDREN_MAX];
	Ffc__V1__ChildIdentity *ptrs[CONCERN_CHILDREN_MAX];
	Ffc__V1__Concern concern;
	Ffc__Store__StoredConcern pb = FFC__STORE__STORED_CONCERN__INIT;
	if (c->n_children > CONCERN_CHILDREN_MAX || n_child_ids > CONCERN_CHILDREN_MAX)
		return -1;
	pb.seq = seq;
	pb.received_at_ms = received_at_ms;
	pb.n_child_ids = n_child_ids;
	pb.child_ids = (uint64_t *)(uintptr_t)child_ids;
	unsigned field = stored_concern_field();
	if (!encoded || !field) {
		concern_to_pb(&concern, c, ids, ptrs);
		pb.concern = &concern;
		return wire_pack_message(&pb.base, out, len);
	}
	/* The record without its concern, then the concern's own bytes as
	 * its field: fields may come in any order, and these are the bytes
	 * packing c would give (wire_concern's `encoded`). */
	size_t head = protobuf_c_message_get_packed_size(&pb.base);
	uint8_t *buf = malloc(head + 20 + encoded_len);
	if (!buf)
		return -1;
	size_t n = protobuf_c_message_pack(&pb.base, buf);
	n += put_varint(buf + n, (uint64_t)field << 3 | PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED);
	n += put_varint(buf + n, encoded_len);
	memcpy(buf + n, encoded, encoded_len);
	*out = buf;
	*len = n + encoded_len;
	return 0;
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
	if (pb->n_child_ids)
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
	int rc = wire_pack_message(&pb->base, out, out_len);
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
