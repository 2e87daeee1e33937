/*
 * config_security.c - the config module's reading of security = { ... }:
 * the mode, the daemon's own key file, the keys it accepts (adapters,
 * consoles, operators on tcp://) and the operators of the ipc control
 * socket by Unix user. Part of the config module, so it includes
 * libconfig.h (config_read.h).
 *
 * Owns the checks of a key entry (name, role, agency, levels, public key
 * or certificate file) and of an operator entry, each at its own line.
 * Does not own the access list's lookups (access.c), the check that curve
 * mode has a key (config.c) or the ZAP decision (zap.c).
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "config_read.h"
#include "ffc/cert.h"
#include "school.h"

/* ---- operators ---- */

/* An operator's name as it is given on the command line and recorded in
 * the audit trail: letters, digits and . _ - @, nothing to misread. */
static int valid_operator_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._-@", *s)))
			return 0;
	return 1;
}

static int operator_role_parse(const char *s)
{
	enum access_role r = access_role_parse(s);
	return r == ACCESS_VIEWER || r == ACCESS_PRACTITIONER || r == ACCESS_ADMIN ? (int)r : -1;
}

/* delegate = true: the entry speaks for the people signed in to it
 * (ffc-web), up to its own role (access.h). */
static int delegate_flag(struct conf_ctx *c, const config_setting_t *e, struct access_key *k)
{
	char path[CONF_PATH_LEN];
	if (config_setting_type(e) != CONFIG_TYPE_BOOL) {
		conf_fail(c, e, "%s: expected true or false", conf_path_of(e, path, sizeof path));
		return -1;
	}
	k->delegate = config_setting_get_bool(e);
	return 0;
}

/* An operator's unix_user: a user name of this system, or a uid. Resolved
 * here, so that ffcd -n finds a user that does not exist. */
static int unix_user(struct conf_ctx *c, const config_setting_t *e, struct access_key *k)
{
	char path[CONF_PATH_LEN], name[ACCESS_NAME_MAX];
	int type = config_setting_type(e);
	if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
		long long uid;
		if (conf_get_int(c, e, 0, UINT32_MAX - 1, &uid) < 0)
			return -1;
		k->unix_uid = (unsigned)uid;
	} else {
		if (conf_get_string(c, e, name, sizeof name, 0) < 0)
			return -1;
		struct passwd pw, *found = NULL;
		char buf[1024];
		if (getpwnam_r(name, &pw, buf, sizeof buf, &found) != 0 || !found) {
			conf_fail(c, e, "%s: no user '%s' on this system",
			          conf_path_of(e, path, sizeof path), name);
			return -1;
		}
		k->unix_uid = (unsigned)found->pw_uid;
	}
	k->has_unix_uid = 1;
	return 0;
}

/* security.operators = ( { name = "j.doe"; role = "practitioner";
 * unix_user = "jdoe"; }, ... ): who may use the ipc control socket, as
 * which Unix user (the kernel's word for the caller), with which role. */
static void operators(struct conf_ctx *c, const config_setting_t *s, struct access_list *l)
{
	char path[CONF_PATH_LEN];
	const config_setting_t *line[ACCESS_KEYS_MAX];
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_fail(c, s,
		          "%s: expected a list ( { name = \"...\"; role = \"...\"; unix_user = "
		          "\"...\"; }, ... )",
		          conf_path_of(s, path, sizeof path));
		return;
	}
	int n = config_setting_length(s);
	if (n > ACCESS_KEYS_MAX) {
		conf_fail(c, s, "%s: %d operators, at most %d", conf_path_of(s, path, sizeof path),
		          n, ACCESS_KEYS_MAX);
		return;
	}
	l->n_operators = 0;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		if (conf_expect_group(c, g) < 0)
			continue;
		struct access_key k;
		memset(&k, 0, sizeof k);
		const config_setting_t *name = NULL;
		int bad = 0;
		for (int j = 0; j < config_setting_length(g); j++) {
			const config_setting_t *e = config_setting_get_elem(g, (unsigned)j);
			if (!strcmp(config_setting_name(e), "name")) {
				name = e;
				if (conf_get_string(c, e, k.name, sizeof k.name, 0) < 0) {
					bad = 1;
				} else if (!valid_operator_name(k.name)) {
					conf_fail(
					    c, e,
					    "%s: '%s' may hold only letters, digits and . _ - @",
					    conf_path_of(e, path, sizeof path), k.name);
					bad = 1;
				}
			} else if (!strcmp(config_setting_name(e), "role")) {
				int r =
				    conf_get_enum(c, e, operator_role_parse, "an operator's role",
				                  "viewer, practitioner or admin");
				if (r > 0)
					k.role = (enum access_role)r;
				else
					bad = 1;
			} else if (!strcmp(config_setting_name(e), "unix_user")) {
				if (unix_user(c, e, &k) < 0)
					bad = 1;
			} else if (!strcmp(config_setting_name(e), "delegate")) {
				if (delegate_flag(c, e, &k) < 0)
					bad = 1;
			} else {
				conf_unknown(c, e, "name, role, unix_user, delegate");
				bad = 1;
			}
		}
		if (!name || !k.role || (!k.has_unix_uid && !bad)) {
			if (!bad)
				conf_fail(c, g,
				          "%s: give name, role and unix_user (the Unix user, by "
				          "name or uid, who acts as this operator on the ipc "
				          "control socket)",
				          conf_path_of(g, path, sizeof path));
			continue;
		}
		if (bad)
			continue;
		const struct access_key *dup = access_operator_named(l, k.name);
		if (dup) {
			conf_fail(c, name, "%s: '%s' is already listed at line %d",
			          conf_path_of(name, path, sizeof path), k.name,
			          (int)config_setting_source_line(line[dup - l->operators]));
			continue;
		}
		line[l->n_operators] = name;
		l->operators[l->n_operators++] = k;
	}
}

/* ---- security: the mode, the daemon's key, the keys it accepts ---- */

static int mode_parse(const char *s)
{
	return conf_same_name(s, "insecure") ? SECURITY_INSECURE + 1
	       : conf_same_name(s, "curve")  ? SECURITY_CURVE + 1
	                                     : -1;
}

static int role_parse(const char *s)
{
	int r = (int)access_role_parse(s);
	return r > 0 ? r : -1;
}

static int valid_key_name(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' || *p == '@'))
			return 0;
	return s[0] != '\0';
}

/* A school's key is bound to its school's URN (which schools.list must
 * name: checked once the whole file is read, conf_check_schools). */
static void key_urn(struct conf_ctx *c, const config_setting_t *g, const char *path, int role,
                    const config_setting_t *urn, struct access_key *k)
{
	if (role == ACCESS_SCHOOL) {
		if (!urn)
			conf_fail(
			    c, g,
			    "%s: a school's key needs its school's URN, e.g. urn = \"100001\"",
			    path);
		else if (conf_get_string(c, urn, k->urn, sizeof k->urn, 0) == 0 &&
		         !school_urn_valid(k->urn))
			conf_fail(c, urn,
			          "%s.urn: '%s' is not a URN (six digits, 100000 to 999999)", path,
			          k->urn);
	} else if (urn && role > 0) {
		conf_fail(c, urn, "%s.urn: only a school's key is bound to a URN", path);
	}
}

/* One entry of security.keys. Each field's error at its own line; the
 * entry is only kept when all of it is good. */
static int one_key(struct conf_ctx *c, const config_setting_t *g, struct access_key *k)
{
	char path[CONF_PATH_LEN];
	memset(k, 0, sizeof *k);
	if (conf_expect_group(c, g) < 0)
		return -1;
	const config_setting_t *name = NULL, *role = NULL, *agency = NULL, *levels = NULL,
	                       *key = NULL, *key_file = NULL, *delegate = NULL, *urn = NULL;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *n = config_setting_name(s);
		if (!strcmp(n, "name"))
			name = s;
		else if (!strcmp(n, "role"))
			role = s;
		else if (!strcmp(n, "agency"))
			agency = s;
		else if (!strcmp(n, "levels"))
			levels = s;
		else if (!strcmp(n, "public_key"))
			key = s;
		else if (!strcmp(n, "public_key_file"))
			key_file = s;
		else if (!strcmp(n, "delegate"))
			delegate = s;
		else if (!strcmp(n, "urn"))
			urn = s;
		else
			conf_unknown(
			    c, s,
			    "name, role, agency, levels, urn, public_key, public_key_file, "
			    "delegate");
	}
	const size_t before = c->total;
	conf_path_of(g, path, sizeof path);
	if (!name)
		conf_fail(c, g, "%s: needs a name", path);
	else if (conf_get_string(c, name, k->name, sizeof k->name, 0) == 0 &&
	         !valid_key_name(k->name))
		conf_fail(c, name,
		          "%s.name: '%s' may hold only letters, digits, '.', '_', '-' and '@'",
		          path, k->name);
	int r = -1;
	if (!role)
		conf_fail(c, g,
		          "%s: needs a role (adapter, console, school or lookup, or an operator's)",
		          path);
	else
		r = conf_get_enum(
		    c, role, role_parse, "a role",
		    "adapter, console, school, lookup, viewer, practitioner or admin");
	if (r > 0)
		k->role = (enum access_role)r;
	if (r == ACCESS_ADAPTER) {
		uint32_t set = 0;
		if (!agency)
			conf_fail(c, g,
			          "%s: an adapter needs its one agency, e.g. agency = \"police\"",
			          path);
		else if (config_setting_type(agency) == CONFIG_TYPE_STRING) {
			int a = conf_get_enum(c, agency, agency_parse, "an agency",
			                      "police, health, education, social-care or other");
			if (a > 0)
				k->agency = a;
		} else if (conf_name_set(c, agency, agency_parse, "agency", "police", &set) == 0) {
			if (!set || (set & (set - 1)))
				conf_fail(c, agency,
				          "%s.agency: an adapter sends for exactly one agency",
				          path);
			for (int a = 1; a < 32; a++)
				if (set == (UINT32_C(1) << a))
					k->agency = a;
		}
	} else if (agency && r > 0) {
		conf_fail(c, agency, "%s.agency: only an adapter is bound to an agency", path);
	}
	if (r == ACCESS_CONSOLE) {
		uint32_t set = 0;
		if (!levels)
			conf_fail(c, g,
			          "%s: a console needs the levels it may receive, e.g. levels = "
			          "[\"red\"]",
			          path);
		else if (conf_name_set(c, levels, level_parse, "level", "red", &set) == 0)
			k->levels = set;
	} else if (levels && r > 0) {
		conf_fail(c, levels, "%s.levels: only a console is given levels", path);
	}
	if (delegate && delegate_flag(c, delegate, k) == 0 && k->delegate && r > 0 &&
	    r != ACCESS_VIEWER && r != ACCESS_PRACTITIONER && r != ACCESS_ADMIN)
		conf_fail(c, delegate,
		          "%s.delegate: only an operator's role (viewer, practitioner or admin) "
		          "speaks for others",
		          path);
	key_urn(c, g, path, r, urn, k);
	char z85[CONFIG_KEY_Z85_LEN + 8] = "";
	if (key && key_file) {
		conf_fail(c, key_file, "%s: give public_key or public_key_file, not both", path);
	} else if (key) {
		if (conf_get_string(c, key, z85, sizeof z85, 0) == 0 && !ffc_key_valid(z85))
			conf_fail(c, key,
			          "%s.public_key: not a CURVE public key (40 characters of Z85)",
			          path);
	} else if (key_file) {
		char file[CONFIG_PATH_MAX], err[CONFIG_ERROR_LEN - 64];
		struct ffc_cert cert;
		if (conf_get_string(c, key_file, file, sizeof file, 0) == 0) {
			if (ffc_cert_load(file, &cert, err, sizeof err) < 0)
				conf_fail(c, key_file, "%s.public_key_file: %s", path, err);
			else if (cert.secret_key[0])
				conf_fail(
				    c, key_file,
				    "%s.public_key_file: %s holds a secret key; give the public "
				    "certificate (NAME.key)",
				    path, file);
			else
				memcpy(z85, cert.public_key, sizeof cert.public_key);
			explicit_bzero(&cert, sizeof cert); /* the secret: kept nowhere */
		}
	} else {
		conf_fail(c, g, "%s: needs public_key or public_key_file", path);
	}
	if (c->total != before)
		return -1;
	return ffc_key_decode(z85, k->key);
}

static void security_keys(struct conf_ctx *c, const config_setting_t *s, struct config *cfg)
{
	char path[CONF_PATH_LEN];
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_fail(c, s, "security.keys: expected a list ( { ... }, ... )");
		return;
	}
	struct access_list *l = &cfg->access;
	l->n_keys = 0;
	int n = config_setting_length(s);
	if (n > ACCESS_KEYS_MAX) {
		conf_fail(c, s, "security.keys: %d keys, at most %d", n, ACCESS_KEYS_MAX);
		return;
	}
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		struct access_key k;
		if (one_key(c, g, &k) < 0)
			continue;
		conf_path_of(g, path, sizeof path);
		const struct access_key *same = access_key_named(l, k.name);
		if (same) {
			conf_fail(c, g, "%s: the name '%s' is already given to another key", path,
			          k.name);
			continue;
		}
		if (access_key_find(l, k.key)) {
			conf_fail(c, g, "%s (%s): the same public key is already listed as '%s'",
			          path, k.name, access_key_find(l, k.key)->name);
			continue;
		}
		l->keys[l->n_keys++] = k;
	}
}

void conf_section_security(struct conf_ctx *c, const config_setting_t *g, struct config *cfg,
                           struct conf_where *w)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(s);
		if (!strcmp(name, "mode")) {
			w->security_mode = s;
			int m =
			    conf_get_enum(c, s, mode_parse, "a security mode", "curve or insecure");
			if (m > 0)
				cfg->security_mode = (enum security_mode)(m - 1);
		} else if (!strcmp(name, "secret_key_file")) {
			w->secret_key_file = s;
			if (conf_get_string(c, s, cfg->secret_key_file, sizeof cfg->secret_key_file,
			                    0) < 0)
				continue;
			/* Read here for its public key and to refuse a bad file at
			 * its line; the secret itself is dropped at once. */
			char err[CONFIG_ERROR_LEN - 64];
			struct ffc_cert cert;
			if (ffc_cert_load(cfg->secret_key_file, &cert, err, sizeof err) < 0)
				conf_fail(c, s, "security.secret_key_file: %s", err);
			else if (!cert.secret_key[0])
				conf_fail(
				    c, s,
				    "security.secret_key_file: %s holds no secret-key (give the "
				    "NAME.key_secret file)",
				    cfg->secret_key_file);
			else
				memcpy(cfg->public_key, cert.public_key, sizeof cfg->public_key);
			explicit_bzero(&cert, sizeof cert); /* the secret: kept nowhere */
		} else if (!strcmp(name, "keys")) {
			security_keys(c, s, cfg);
		} else if (!strcmp(name, "operators")) {
			operators(c, s, &cfg->access);
		} else {
			conf_unknown(c, s, "mode, secret_key_file, keys, operators");
		}
	}
}
