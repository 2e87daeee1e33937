/*
 * json.c - any protobuf-c message to JSON and back, by walking the
 * generated descriptors, so every message of proto/ffc.proto (and any
 * added later) has a JSON form with no code per message.
 *
 * Written: field names are the proto's; enums are their value names;
 * 64-bit integers are JSON integers. Read: that form, and the protobuf
 * standard JSON mapping (what json_format.MessageToJson, JsonFormat and
 * protojson write): lowerCamelCase field names, integers as decimal
 * strings, null for a field left unset, "NaN" and "Infinity" for floats.
 * Owns the mapping rules; the only file of libffc that includes jansson.h.
 * bytes fields are not used by ffc.v1 and are refused.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ffc/ffc.h"

/* ---- message to JSON ---- */

static json_t *message_to_json(const ProtobufCMessage *msg);

static json_t *value_to_json(const ProtobufCFieldDescriptor *f, const void *p)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return json_integer(*(const int32_t *)p);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return json_integer(*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return json_integer(*(const int64_t *)p);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return json_integer((json_int_t) * (const uint64_t *)p);
	case PROTOBUF_C_TYPE_FLOAT:
		return json_real(*(const float *)p);
	case PROTOBUF_C_TYPE_DOUBLE:
		return json_real(*(const double *)p);
	case PROTOBUF_C_TYPE_BOOL:
		return json_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;
		const ProtobufCEnumValue *ev =
		    protobuf_c_enum_descriptor_get_value(f->descriptor, v);
		return ev ? json_string(ev->name) : json_integer(v);
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;
		return json_string(s ? s : "");
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
		return m ? message_to_json(m) : json_null();
	}
	case PROTOBUF_C_TYPE_BYTES:
	default:
		return json_null();
	}
}

static size_t type_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return 8;
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(int);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return 4;
	}
}

static json_t *message_to_json(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	const char *base = (const char *)msg;
	json_t *obj = json_object();
	if (!obj)
		return NULL;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const void *member = base + f->offset;
		if (f->type == PROTOBUF_C_TYPE_BYTES)
			continue;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			if (*(const uint32_t *)(base + f->quantifier_offset) != f->id)
				continue;
		}
		json_t *v;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + f->quantifier_offset);
			const char *arr = *(const char *const *)member;
			v = json_array();
			for (size_t k = 0; v && k < n; k++)
				json_array_append_new(
				    v, value_to_json(f, arr + k * type_size(f->type)));
		} else {
			if (f->type == PROTOBUF_C_TYPE_MESSAGE && !*(void *const *)member)
				continue;
			v = value_to_json(f, member);
		}
		json_object_set_new(obj, f->name, v);
	}
	return obj;
}

char *ffc_json_from_message(const ProtobufCMessage *msg)
{
	if (!msg)
		return NULL;
	json_t *j = message_to_json(msg);
	if (!j)
		return NULL;
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

/* ---- JSON to message ---- */

struct jerr {
	char *buf;
	size_t len;
	int set;
};

static int FFC_JSON_PRINTF(struct jerr *e, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int FFC_JSON_PRINTF(struct jerr *e, const char *path, const char *fmt, ...)
{
	if (e->set || !e->buf || !e->len)
		return FFC_EJSON;
	e->set = 1;
	int n = snprintf(e->buf, e->len, "%s: ", path[0] ? path : "(message)");
	if (n >= 0 && (size_t)n < e->len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->buf + n, e->len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return FFC_EJSON;
}
#define jfail FFC_JSON_PRINTF

/* Enum names compare case-insensitively with '-' and '_' alike. */
static int enum_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : (char)toupper((unsigned char)*a);
		char y = *b == '-' ? '_' : (char)toupper((unsigned char)*b);
		if (x != y)
			return 0;
	}
	return *a == *b;
}

static ProtobufCMessage *message_from_json(const ProtobufCMessageDescriptor *d, json_t *obj,
                                           const char *path, struct jerr *e);

/* A whole number as the mapping allows it: a JSON integer, a float with
 * no fraction, or a string of decimal digits (how 64-bit integers are
 * written, past what a double holds). *neg for a negative one, *mag its
 * magnitude. Returns 0, or -1 with the reason in e. */
static int whole_number(json_t *v, int *neg, uint64_t *mag, const char *path, struct jerr *e)
{
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);
		*neg = x < 0;
		*mag = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		/* 2^64: past it no integer field can hold the value. */
		if (d != floor(d) || fabs(d) >= 18446744073709551616.0)
			return jfail(e, path, "expected a whole number"), -1;
		*neg = d < 0;
		*mag = (uint64_t)fabs(d);
		return 0;
	}
	if (!json_is_string(v))
		return jfail(e, path, "expected a whole number"), -1;
	const char *s = json_string_value(v);
	*neg = s[0] == '-';
	const char *digits = s + *neg;
	if (!isdigit((unsigned char)digits[0]) || json_string_length(v) > 21)
		return jfail(e, path, "'%.32s' is not a whole number", s), -1;
	char *end;
	errno = 0;
	uintmax_t x = strtoumax(digits, &end, 10);
	if (*end)
		return jfail(e, path, "'%.32s' is not a whole number", s), -1;
	if (errno == ERANGE || x > UINT64_MAX)
		return jfail(e, path, "out of range"), -1;
	*mag = (uint64_t)x;
	return 0;
}

/* A float as the mapping allows it: a number, "NaN", "Infinity",
 * "-Infinity" or a number in a string. */
static int real_number(json_t *v, double *out, const char *path, struct jerr *e)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return jfail(e, path, "expected a number"), -1;
	const char *s = json_string_value(v);
	if (!strcmp(s, "NaN")) {
		*out = NAN;
		return 0;
	}
	if (!strcmp(s, "Infinity") || !strcmp(s, "-Infinity")) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	json_error_t je;
	json_t *n = json_loads(s, JSON_DECODE_ANY, &je);
	int ok = n && json_is_number(n);
	if (ok)
		*out = json_number_value(n);
	json_decref(n);
	return ok ? 0 : (jfail(e, path, "'%.32s' is not a number", s), -1);
}

static int value_from_json(const ProtobufCFieldDescriptor *f, json_t *v, void *p, const char *path,
                           struct jerr *e)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: {
		int neg;
		uint64_t mag;
		if (whole_number(v, &neg, &mag, path, e) < 0)
			return FFC_EJSON;
		int unsig = f->type == PROTOBUF_C_TYPE_UINT32 ||
		            f->type == PROTOBUF_C_TYPE_FIXED32 ||
		            f->type == PROTOBUF_C_TYPE_UINT64 || f->type == PROTOBUF_C_TYPE_FIXED64;
		if (unsig && neg && mag)
			return jfail(e, path, "must not be negative");
		/* The most a positive and a negative value may be. */
		uint64_t most = type_size(f->type) == 4 ? (unsig ? UINT32_MAX : INT32_MAX)
		                                        : (unsig ? UINT64_MAX : INT64_MAX);
		if (mag > most + (uint64_t)(neg && !unsig))
			return jfail(e, path, "out of range");
		uint64_t bits = neg ? (uint64_t)0 - mag : mag;
		if (type_size(f->type) == 4)
			*(uint32_t *)p = (uint32_t)bits;
		else
			*(uint64_t *)p = bits;
		return FFC_OK;
	}
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_DOUBLE: {
		double d;
		if (real_number(v, &d, path, e) < 0)
			return FFC_EJSON;
		if (f->type == PROTOBUF_C_TYPE_FLOAT)
			*(float *)p = (float)d;
		else
			*(double *)p = d;
		return FFC_OK;
	}
	case PROTOBUF_C_TYPE_BOOL:
		if (!json_is_boolean(v))
			return jfail(e, path, "expected true or false");
		*(protobuf_c_boolean *)p = json_is_true(v);
		return FFC_OK;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *ed = f->descriptor;
		if (json_is_integer(v)) {
			json_int_t x = json_integer_value(v);
			if (x < INT32_MIN || x > INT32_MAX)
				return jfail(e, path, "out of range");
			*(int *)p = (int)x;
			return FFC_OK;
		}
		if (!json_is_string(v))
			return jfail(e, path, "expected a %s name", ed->short_name);
		for (unsigned k = 0; k < ed->n_values; k++)
			if (enum_name_eq(json_string_value(v), ed->values[k].name)) {
				*(int *)p = ed->values[k].value;
				return FFC_OK;
			}
		return jfail(e, path, "'%s' is not a value of %s", json_string_value(v),
		             ed->short_name);
	}
	case PROTOBUF_C_TYPE_STRING: {
		if (!json_is_string(v))
			return jfail(e, path, "expected a string");
		char *s = strdup(json_string_value(v));
		if (!s)
			return FFC_ENOMEM;
		*(char **)p = s;
		return FFC_OK;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		if (!json_is_object(v))
			return jfail(e, path, "expected an object");
		ProtobufCMessage *m = message_from_json(f->descriptor, v, path, e);
		if (!m)
			return e->set ? FFC_EJSON : FFC_ENOMEM;
		*(ProtobufCMessage **)p = m;
		return FFC_OK;
	}
	case PROTOBUF_C_TYPE_BYTES:
	default:
		return jfail(e, path, "bytes fields are not supported");
	}
}

/* Whether key is field name's lowerCamelCase JSON name: each '_' left out
 * and the letter after it upper case ("concern_id" -> "concernId"). */
static int json_name_eq(const char *key, const char *name)
{
	for (; *name; name++, key++) {
		if (*name == '_' && name[1]) {
			name++;
			if (*key != (char)toupper((unsigned char)*name))
				return 0;
		} else if (*key != *name) {
			return 0;
		}
	}
	return *key == '\0';
}

/* The field a key names: the proto's field name, or its JSON name. */
static const ProtobufCFieldDescriptor *field_named(const ProtobufCMessageDescriptor *d,
                                                   const char *key)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, key);
	for (unsigned i = 0; !f && i < d->n_fields; i++)
		if (json_name_eq(key, d->fields[i].name))
			f = &d->fields[i];
	return f;
}

static ProtobufCMessage *message_from_json(const ProtobufCMessageDescriptor *d, json_t *obj,
                                           const char *path, struct jerr *e)
{
	ProtobufCMessage *msg = calloc(1, d->sizeof_message);
	/* Which fields were given: a field named both ways is given twice. */
	uint8_t *given = calloc(d->n_fields ? d->n_fields : 1, 1);
	if (!msg || !given) {
		free(msg);
		free(given);
		return NULL;
	}
	d->message_init(msg);
	char *base = (char *)msg;
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		char sub[512];
		snprintf(sub, sizeof sub, "%s%s%s", path, path[0] ? "." : "", key);
		const ProtobufCFieldDescriptor *f = field_named(d, key);
		if (!f) {
			jfail(e, sub, "unknown field");
			goto fail;
		}
		if (given[f - d->fields]++) {
			jfail(e, sub, "given twice (as %s and as its JSON name)", f->name);
			goto fail;
		}
		void *member = base + f->offset;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			if (json_is_null(v))
				continue;
			if (!json_is_array(v)) {
				jfail(e, sub, "expected an array");
				goto fail;
			}
			size_t n = json_array_size(v);
			char *arr = calloc(n ? n : 1, type_size(f->type));
			if (!arr)
				goto fail;
			*(void **)member = arr;
			size_t *count = (size_t *)(base + f->quantifier_offset);
			for (size_t k = 0; k < n; k++) {
				char item[540];
				snprintf(item, sizeof item, "%s[%zu]", sub, k);
				if (value_from_json(f, json_array_get(v, k),
				                    arr + k * type_size(f->type), item,
				                    e) != FFC_OK)
					goto fail;
				*count = k + 1; /* only what is set is freed */
			}
			continue;
		}
		if (json_is_null(v))
			continue;
		if (value_from_json(f, v, member, sub, e) != FFC_OK)
			goto fail;
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			*(uint32_t *)(base + f->quantifier_offset) = f->id;
	}
	free(given);
	return msg;
fail:
	free(given);
	protobuf_c_message_free_unpacked(msg, NULL);
	return NULL;
}

int ffc_message_from_json(const ProtobufCMessageDescriptor *desc, const char *text,
                          ProtobufCMessage **out, char *err, size_t errlen)
{
	struct jerr e = {err, errlen, 0};
	if (err && errlen)
		err[0] = '\0';
	if (!desc || !text || !out)
		return FFC_EINVAL;
	*out = NULL;
	json_error_t je;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		char where[64];
		snprintf(where, sizeof where, "column %d", je.column);
		return jfail(&e, where, "%s", je.text);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return jfail(&e, "", "expected a JSON object");
	}
	ProtobufCMessage *m = message_from_json(desc, j, "", &e);
	json_decref(j);
	if (!m)
		return e.set ? FFC_EJSON : FFC_ENOMEM;
	*out = m;
	return FFC_OK;
}
