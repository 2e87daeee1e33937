/*
 * access.c - lookups in the list of keys and operators (see access.h).
 *
 * Owns nothing but the lookups and role names: the list is filled by
 * config.c, and what each role may do is decided where it is enforced.
 */
#include "access.h"

#include <string.h>
#include <strings.h>

static const char *const role_names[] = {
    [ACCESS_NONE] = "none",       [ACCESS_ADAPTER] = "adapter",
    [ACCESS_CONSOLE] = "console", [ACCESS_SCHOOL] = "school",
    [ACCESS_VIEWER] = "viewer",   [ACCESS_PRACTITIONER] = "practitioner",
    [ACCESS_ADMIN] = "admin",     [ACCESS_LOOKUP] = "lookup",
};

static const struct access_key *named(const struct access_key *v, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

const struct access_key *access_key_named(const struct access_list *l, const char *name)
{
	return named(l->keys, l->n_keys, name);
}

const struct access_key *access_operator_named(const struct access_list *l, const char *name)
{
	return named(l->operators, l->n_operators, name);
}

const struct access_key *access_key_find(const struct access_list *l, const uint8_t key[32])
{
	for (size_t i = 0; i < l->n_keys; i++)
		if (!memcmp(l->keys[i].key, key, 32))
			return &l->keys[i];
	return NULL;
}

int access_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= ACCESS_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-@", *s)))
			return 0;
	return 1;
}

const char *access_role_name(enum access_role role)
{
	return (unsigned)role < sizeof role_names / sizeof role_names[0] ? role_names[role]
	                                                                 : "none";
}

enum access_role access_role_parse(const char *s)
{
	for (int r = ACCESS_ADAPTER; r <= ACCESS_LOOKUP; r++)
		if (!strcasecmp(s, role_names[r]))
			return (enum access_role)r;
	return ACCESS_NONE;
}
