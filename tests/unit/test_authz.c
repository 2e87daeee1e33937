/*
 * Unit tests for authz.c: the decision for every command and every role
 * (least role, consoles limited to alerts of their levels without
 * history, commands not in the table needing admin), the purpose a read
 * of a child's record needs, and the messages naming role and caller.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"
#include "ffc.pb-c.h"

#define CMD(x) FFC__V1__CONTROL_REQUEST__COMMAND_##x

/* Every command this ffcd knows, with the least role and whether it
 * reads a child's record: written out again here, independently of the
 * table, so that a change to the table must be a change to this too. */
static const struct {
	int command;
	enum access_role least;
	int reads;
} expected[] = {
    {CMD(STATUS), ACCESS_VIEWER, 0},
    {CMD(STATS), ACCESS_VIEWER, 0},
    {CMD(CHILD), ACCESS_PRACTITIONER, 1},
    {CMD(ALERTS), ACCESS_PRACTITIONER, 0},
    {CMD(IDENTITIES), ACCESS_PRACTITIONER, 1},
    {CMD(CONFLICTS), ACCESS_PRACTITIONER, 1},
    {CMD(MATCHES), ACCESS_PRACTITIONER, 1},
    {CMD(ACK), ACCESS_PRACTITIONER, 0},
    {CMD(CLOSE), ACCESS_PRACTITIONER, 0},
    {CMD(NOTE), ACCESS_PRACTITIONER, 0},
    {CMD(ASSIGN), ACCESS_PRACTITIONER, 0},
    {CMD(LINK), ACCESS_ADMIN, 0},
    {CMD(UNLINK), ACCESS_ADMIN, 0},
    {CMD(DISMISS_MATCH), ACCESS_ADMIN, 0},
    {CMD(RELOAD), ACCESS_ADMIN, 0},
    {CMD(RULES_TEST), ACCESS_ADMIN, 1},
    {CMD(SHUTDOWN), ACCESS_ADMIN, 0},
    {CMD(AUDIT), ACCESS_ADMIN, 1},
    {CMD(LOOKUP), ACCESS_PRACTITIONER, 0},
    {CMD(ACCESSES), ACCESS_PRACTITIONER, 1},
};

static int decide(enum access_role role, unsigned levels, int command, const char *purpose,
                  struct authz_decision *d)
{
	struct authz_caller c = {.name = "j.doe", .role = role, .levels = levels};
	struct authz_request r = {.command = command, .purpose = purpose};
	return authz_decide(&c, &r, d);
}

static void test_every_command_every_role(void **state)
{
	(void)state;
	static const enum access_role roles[] = {ACCESS_NONE, ACCESS_ADAPTER, ACCESS_VIEWER,
	                                         ACCESS_PRACTITIONER, ACCESS_ADMIN};
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		assert_int_equal(authz_least_role(expected[i].command), expected[i].least);
		for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++) {
			struct authz_decision d;
			int allowed = decide(roles[k], 0, expected[i].command, "a reason", &d);
			int should = roles[k] >= expected[i].least && roles[k] != ACCESS_ADAPTER;
			if (allowed != should)
				fail_msg("%s as %s: allowed %d, expected %d (%s)",
				         authz_command_name(expected[i].command),
				         access_role_name(roles[k]), allowed, should, d.why);
			assert_int_equal(d.allowed, allowed);
			assert_string_equal(d.command, authz_command_name(expected[i].command));
			if (allowed) {
				assert_int_equal(d.reads_record, expected[i].reads);
				assert_string_equal(d.why, "");
			} else {
				assert_int_equal(d.reads_record, 0);
				assert_non_null(strstr(d.why, "j.doe"));
			}
		}
	}
}

static void test_refusal_names_role_needed_and_callers_role(void **state)
{
	(void)state;
	struct authz_decision d;
	assert_int_equal(decide(ACCESS_VIEWER, 0, CMD(CHILD), "a reason", &d), 0);
	assert_string_equal(d.why, "child: needs the practitioner role; j.doe is a viewer");
	assert_int_equal(decide(ACCESS_PRACTITIONER, 0, CMD(LINK), "", &d), 0);
	assert_string_equal(d.why, "link: needs the admin role; j.doe is a practitioner");
	assert_int_equal(decide(ACCESS_NONE, 0, CMD(STATUS), "", &d), 0);
	assert_string_equal(d.why, "status: j.doe is not a known operator or key");
	assert_int_equal(decide(ACCESS_ADAPTER, 0, CMD(STATUS), "", &d), 0);
	assert_string_equal(d.why, "status: needs the viewer role; j.doe is an adapter");
}

static void test_unlisted_commands_need_admin(void **state)
{
	(void)state;
	/* Numbers the table does not hold: commands added later, or not
	 * known at all. */
	static const int unlisted[] = {0, 1, 49, 99, 100000};
	for (size_t i = 0; i < sizeof unlisted / sizeof unlisted[0]; i++) {
		struct authz_decision d;
		assert_int_equal(authz_least_role(unlisted[i]), ACCESS_ADMIN);
		assert_string_equal(authz_command_name(unlisted[i]), "unknown");
		assert_int_equal(decide(ACCESS_PRACTITIONER, 0, unlisted[i], "x", &d), 0);
		assert_string_equal(d.why,
		                    "unknown: needs the admin role; j.doe is a practitioner");
		assert_int_equal(decide(ACCESS_VIEWER, 0, unlisted[i], "x", &d), 0);
		assert_int_equal(decide(ACCESS_CONSOLE, ~0u, unlisted[i], "x", &d), 0);
		assert_int_equal(decide(ACCESS_ADMIN, 0, unlisted[i], "", &d), 1);
		assert_int_equal(d.reads_record, 0);
	}
}

/* Retention, correction and backup change or copy every child's record:
 * admin only, and they record their own audit entries. */
static void test_retention_commands_need_admin(void **state)
{
	(void)state;
	static const int keep[] = {CMD(PURGE), CMD(WITHDRAW), CMD(BACKUP)};
	static const char *const names[] = {"purge", "withdraw", "backup"};
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		struct authz_decision d;
		assert_int_equal(authz_least_role(keep[i]), ACCESS_ADMIN);
		assert_string_equal(authz_command_name(keep[i]), names[i]);
		assert_int_equal(decide(ACCESS_PRACTITIONER, 0, keep[i], "x", &d), 0);
		assert_int_equal(decide(ACCESS_ADMIN, 0, keep[i], "", &d), 1);
		assert_int_equal(d.reads_record, 0);
	}
}

/* A point of contact's key looks children up, nothing else: no status,
 * no record, no alert, whatever the purpose it gives. */
static void test_lookup_key_only_looks_up(void **state)
{
	(void)state;
	struct authz_decision d;
	struct authz_caller c = {.name = "city-ed", .role = ACCESS_LOOKUP};
	struct authz_request r = {.command = CMD(LOOKUP), .purpose = "attended ED"};
	assert_int_equal(authz_decide(&c, &r, &d), 1);
	assert_int_equal(d.reads_record, 0); /* it records its own entries */
	assert_string_equal(d.command, "lookup");
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		if (expected[i].command == CMD(LOOKUP))
			continue;
		r.command = expected[i].command;
		assert_int_equal(authz_decide(&c, &r, &d), 0);
		assert_int_equal(d.reads_record, 0);
		char want[AUTHZ_WHY_MAX];
		snprintf(want, sizeof want,
		         "%s: a lookup key may only look a child up; city-ed is a lookup key",
		         authz_command_name(r.command));
		assert_string_equal(d.why, want);
	}
	static const int unlisted[] = {0, 49, 52, 100000};
	for (size_t i = 0; i < sizeof unlisted / sizeof unlisted[0]; i++) {
		r.command = unlisted[i];
		assert_int_equal(authz_decide(&c, &r, &d), 0);
	}
	/* Operators may look up too (ffcctl lookup), consoles may not. */
	assert_int_equal(decide(ACCESS_PRACTITIONER, 0, CMD(LOOKUP), "x", &d), 1);
	assert_int_equal(decide(ACCESS_VIEWER, 0, CMD(LOOKUP), "x", &d), 0);
	assert_int_equal(decide(ACCESS_CONSOLE, ~0u, CMD(LOOKUP), "x", &d), 0);
	assert_int_equal(decide(ACCESS_ADAPTER, 0, CMD(LOOKUP), "x", &d), 0);
	assert_string_equal(access_role_name(ACCESS_LOOKUP), "lookup");
	assert_int_equal(access_role_parse("Lookup"), ACCESS_LOOKUP);
}

static void test_console_only_alerts_of_its_levels(void **state)
{
	(void)state;
	const unsigned red = 1u << FFC__V1__LEVEL__RED;
	struct authz_caller c = {.name = "macpt-1", .role = ACCESS_CONSOLE, .levels = red};
	struct authz_decision d;
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		struct authz_request r = {.command = expected[i].command, .purpose = "x"};
		int allowed = authz_decide(&c, &r, &d);
		assert_int_equal(allowed, expected[i].command == CMD(ALERTS));
		if (!allowed)
			assert_non_null(strstr(d.why, "a console may only fetch alerts"));
	}
	struct authz_request r = {.command = CMD(ALERTS), .purpose = ""};
	assert_int_equal(authz_decide(&c, &r, &d), 1);
	assert_int_equal(d.reads_record, 0);
	r.alerts_level = FFC__V1__LEVEL__RED;
	assert_int_equal(authz_decide(&c, &r, &d), 1);
	r.alerts_level = FFC__V1__LEVEL__AMBER;
	assert_int_equal(authz_decide(&c, &r, &d), 0);
	assert_string_equal(d.why, "alerts: that level is not given to it; macpt-1 is a console");
	r.alerts_level = 40;
	assert_int_equal(authz_decide(&c, &r, &d), 0);
	r.alerts_level = -1;
	assert_int_equal(authz_decide(&c, &r, &d), 0);
	r.alerts_level = 0;
	r.alerts_history = 1;
	assert_int_equal(authz_decide(&c, &r, &d), 0);
	assert_string_equal(d.why,
	                    "alerts: a console may not read alert history; macpt-1 is a console");
}

static void test_alerts_with_history_need_a_purpose(void **state)
{
	(void)state;
	struct authz_caller c = {.name = "j.doe", .role = ACCESS_PRACTITIONER};
	struct authz_request r = {.command = CMD(ALERTS), .purpose = "", .alerts_history = 1};
	struct authz_decision d;
	assert_int_equal(authz_decide(&c, &r, &d), 0);
	assert_non_null(strstr(d.why, "alerts: purpose: required"));
	r.purpose = "strategy meeting";
	assert_int_equal(authz_decide(&c, &r, &d), 1);
	assert_int_equal(d.reads_record, 1);
	r.alerts_history = 0;
	r.purpose = "";
	assert_int_equal(authz_decide(&c, &r, &d), 1);
	assert_int_equal(d.reads_record, 0);
}

static void test_reads_need_a_valid_purpose(void **state)
{
	(void)state;
	char why[128], long_purpose[AUTHZ_PURPOSE_MAX + 2];
	assert_int_equal(authz_check_purpose("section 47 enquiry", why, sizeof why), 0);
	assert_int_equal(authz_check_purpose("réunion d'équipe", why, sizeof why), 0);
	assert_int_equal(authz_check_purpose("", why, sizeof why), -1);
	assert_non_null(strstr(why, "purpose: required"));
	assert_int_equal(authz_check_purpose("bad \xff utf-8", why, sizeof why), -1);
	assert_string_equal(why, "purpose: not valid UTF-8");
	assert_int_equal(authz_check_purpose("two\nlines", why, sizeof why), -1);
	assert_string_equal(why, "purpose: contains a control character");
	memset(long_purpose, 'x', AUTHZ_PURPOSE_MAX);
	long_purpose[AUTHZ_PURPOSE_MAX] = '\0';
	assert_int_equal(authz_check_purpose(long_purpose, why, sizeof why), 0);
	long_purpose[AUTHZ_PURPOSE_MAX] = 'x';
	long_purpose[AUTHZ_PURPOSE_MAX + 1] = '\0';
	assert_int_equal(authz_check_purpose(long_purpose, why, sizeof why), -1);
	assert_string_equal(why, "purpose: longer than 512 bytes");

	/* Through the decision: every read refused without one, with the
	 * command named; nothing else needs one. */
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
		struct authz_decision d;
		int allowed = decide(ACCESS_ADMIN, 0, expected[i].command, "", &d);
		assert_int_equal(allowed, !expected[i].reads);
		if (!allowed) {
			char want[128];
			snprintf(want, sizeof want, "%s: purpose: required",
			         authz_command_name(expected[i].command));
			assert_memory_equal(d.why, want, strlen(want));
		}
		assert_int_equal(decide(ACCESS_ADMIN, 0, expected[i].command, NULL, &d),
		                 !expected[i].reads);
	}
}

static void test_audit_command_names(void **state)
{
	(void)state;
	assert_int_equal(authz_name_reads("child"), 1);
	assert_int_equal(authz_name_reads("alerts"), 1); /* audited only with history */
	assert_int_equal(authz_name_reads("rules test"), 1);
	assert_int_equal(authz_name_reads("ack"), 0);
	assert_int_equal(authz_name_reads("link"), 0);
	assert_int_equal(authz_name_reads("nonsense"), 0);
}

/* ---- who an ipc caller is ---- */

static void test_peer_uid_from_peer_address(void **state)
{
	(void)state;
	unsigned uid = 7;
	/* libzmq 4.3 on Linux: "<host>:<uid>:<gid>:<pid>"; older: ":uid:gid:pid". */
	assert_int_equal(authz_peer_uid("localhost:0:0:14102", &uid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(authz_peer_uid(":65534:65533:9", &uid), 0);
	assert_int_equal(uid, 65534);
	assert_int_equal(authz_peer_uid("localhost:4294967294:1:1", &uid), 0);
	assert_int_equal(uid, 4294967294u);
	/* Anything else names no Unix user. */
	const char *bad[] = {NULL,
	                     "",
	                     "127.0.0.1",
	                     "::1",
	                     "localhost:0:0",
	                     ":0:0:",
	                     "x:4294967296:0:1",
	                     "x:0:a:1",
	                     "0:0:1",
	                     "x:00000000001:0:1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uid = 7;
		assert_int_equal(authz_peer_uid(bad[i], &uid), -1);
		assert_int_equal(uid, 7);
	}
}

static void add(struct access_list *l, const char *name, enum access_role role, unsigned uid)
{
	struct access_key *k = &l->operators[l->n_operators++];
	memset(k, 0, sizeof *k);
	snprintf(k->name, sizeof k->name, "%s", name);
	k->role = role;
	k->has_unix_uid = 1;
	k->unix_uid = uid;
}

static void test_ipc_operator_is_its_unix_users(void **state)
{
	(void)state;
	static struct access_list l;
	memset(&l, 0, sizeof l);
	add(&l, "a.dmin", ACCESS_ADMIN, 1000);
	add(&l, "j.doe", ACCESS_PRACTITIONER, 1000);
	add(&l, "v.iewer", ACCESS_VIEWER, 1001);
	add(&l, "boss", ACCESS_ADMIN, 0);
	int unknown = 1;
	/* The name chooses among the user's own operators. */
	assert_ptr_equal(authz_ipc_operator(&l, 1000, "a.dmin", &unknown), &l.operators[0]);
	assert_int_equal(unknown, 0);
	assert_ptr_equal(authz_ipc_operator(&l, 1000, "j.doe", &unknown), &l.operators[1]);
	/* No name names no operator. */
	assert_null(authz_ipc_operator(&l, 1000, "", &unknown));
	assert_int_equal(unknown, 1);
	/* Another user's operator, however strong, is not claimed: the
	 * caller is its own. */
	assert_ptr_equal(authz_ipc_operator(&l, 1001, "boss", &unknown), &l.operators[2]);
	assert_int_equal(unknown, 0);
	assert_ptr_equal(authz_ipc_operator(&l, 1001, "a.dmin", &unknown), &l.operators[2]);
	/* A user with no operator is none, whatever it names. */
	assert_null(authz_ipc_operator(&l, 1002, "boss", &unknown));
	assert_int_equal(unknown, 0);
	/* A name listed nowhere is refused as unknown. */
	assert_null(authz_ipc_operator(&l, 1000, "mallory", &unknown));
	assert_int_equal(unknown, 1);
	/* An operator given no Unix user (not from the configuration) is
	 * nobody's, not uid 0's. */
	l.operators[3].has_unix_uid = 0;
	assert_null(authz_ipc_operator(&l, 0, "boss", &unknown));
}

/* A delegate speaks for a person, never beyond its own role. */
static void test_delegate_speaks_for_a_person_up_to_its_role(void **state)
{
	(void)state;
	static const enum access_role ops[] = {ACCESS_VIEWER, ACCESS_PRACTITIONER, ACCESS_ADMIN};
	for (size_t i = 0; i < 3; i++) {
		for (size_t j = 0; j < 3; j++) {
			struct authz_caller c = {.name = "ffc-web", .role = ops[i]};
			authz_on_behalf(&c, 1, "sam.jones", access_role_name(ops[j]));
			assert_string_equal(c.refused, "");
			assert_string_equal(c.name, "sam.jones");
			assert_string_equal(c.via, "ffc-web");
			assert_int_equal(c.role, ops[i] < ops[j] ? ops[i] : ops[j]);
		}
	}
	/* The person decides as the role it was given: a viewer is refused
	 * a child's record, by its own name. */
	struct authz_caller c = {.name = "ffc-web", .role = ACCESS_ADMIN};
	authz_on_behalf(&c, 1, "v.iewer", "Viewer");
	struct authz_request r = {.command = CMD(CHILD), .purpose = "a reason"};
	struct authz_decision d;
	assert_int_equal(authz_decide(&c, &r, &d), 0);
	assert_string_equal(d.why, "child: needs the practitioner role; v.iewer is a viewer");
	/* Nothing named: the caller as it was. */
	struct authz_caller same = {.name = "ffc-web", .role = ACCESS_ADMIN};
	authz_on_behalf(&same, 1, "", "");
	assert_string_equal(same.name, "ffc-web");
	assert_string_equal(same.via, "");
	assert_string_equal(same.refused, "");
	assert_int_equal(same.role, ACCESS_ADMIN);
}

static void test_delegation_refused(void **state)
{
	(void)state;
	static const struct {
		int may;
		const char *person, *role, *why;
	} cases[] = {
	    {0, "sam.jones", "practitioner",
	     "child: on_behalf_of: j.doe may not speak for anyone (not a delegate)"},
	    {1, "", "admin", "child: on_behalf_of: required with on_behalf_role"},
	    {1, "sam jones", "viewer", "child: on_behalf_of: 1 to 63 letters, digits and . _ - @"},
	    {1,
	     "s\xc3\xa9"
	     "b",
	     "viewer", "child: on_behalf_of: 1 to 63 letters, digits and . _ - @"},
	    {1, "a234567890123456789012345678901234567890123456789012345678901234", "viewer",
	     "child: on_behalf_of: 1 to 63 letters, digits and . _ - @"},
	    {1, "sam.jones", "", "child: on_behalf_role: '' is not viewer, practitioner or admin"},
	    {1, "sam.jones", "console",
	     "child: on_behalf_role: 'console' is not viewer, practitioner or admin"},
	    {1, "sam.jones", "adapter",
	     "child: on_behalf_role: 'adapter' is not viewer, practitioner or admin"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct authz_caller c = {.name = "j.doe", .role = ACCESS_ADMIN};
		authz_on_behalf(&c, cases[i].may, cases[i].person, cases[i].role);
		assert_string_equal(c.name, "j.doe");
		assert_string_equal(c.via, "");
		assert_int_equal(c.role, ACCESS_ADMIN);
		/* Refused whatever it asks, even what the caller itself may. */
		struct authz_request r = {.command = CMD(CHILD), .purpose = "a reason"};
		struct authz_decision d;
		assert_int_equal(authz_decide(&c, &r, &d), 0);
		assert_string_equal(d.why, cases[i].why);
		r.command = CMD(STATUS);
		assert_int_equal(authz_decide(&c, &r, &d), 0);
	}
	/* A 63-byte name is the longest. */
	struct authz_caller c = {.name = "ffc-web", .role = ACCESS_PRACTITIONER};
	authz_on_behalf(&c, 1, "a23456789012345678901234567890123456789012345678901234567890123",
	                "admin");
	assert_string_equal(c.refused, "");
	assert_int_equal(c.role, ACCESS_PRACTITIONER);
}

/* Schools and the partnership: a school's key fetches and acknowledges
 * its notices, an adapter's its feedback, a console the notices too;
 * operators by the table; the report is admin's and reads (a purpose,
 * an audit entry). */
static void test_schools_and_partnership(void **state)
{
	(void)state;
	struct authz_decision d;
	assert_int_equal(decide(ACCESS_SCHOOL, 0, CMD(NOTICES), "", &d), 1);
	assert_int_equal(d.reads_record, 0);
	assert_int_equal(decide(ACCESS_SCHOOL, 0, CMD(NOTICE_ACK), "", &d), 1);
	assert_string_equal(d.command, "notice ack");
	static const int not_for_schools[] = {CMD(FEEDBACK), CMD(STATUS), CMD(CHILD),
	                                      CMD(ALERTS),   CMD(REPORT), CMD(CONTACT)};
	for (size_t i = 0; i < sizeof not_for_schools / sizeof not_for_schools[0]; i++)
		assert_int_equal(decide(ACCESS_SCHOOL, 0, not_for_schools[i], "x", &d), 0);
	assert_string_equal(d.why, "contact: needs the practitioner role; j.doe is a school");
	assert_int_equal(decide(ACCESS_ADAPTER, 0, CMD(FEEDBACK), "", &d), 1);
	assert_int_equal(decide(ACCESS_ADAPTER, 0, CMD(NOTICES), "", &d), 0);
	assert_string_equal(d.why, "notices: needs the practitioner role; j.doe is an adapter");
	assert_int_equal(decide(ACCESS_ADAPTER, 0, CMD(NOTICE_ACK), "", &d), 0);
	assert_int_equal(decide(ACCESS_CONSOLE, 1u << 2, CMD(NOTICES), "", &d), 1);
	assert_int_equal(decide(ACCESS_CONSOLE, 1u << 2, CMD(FEEDBACK), "", &d), 0);
	assert_string_equal(d.why,
	                    "feedback: a console may only fetch alerts and notices; j.doe is a "
	                    "console");
	assert_int_equal(decide(ACCESS_CONSOLE, 1u << 2, CMD(NOTICE_ACK), "", &d), 0);
	/* Operators, by the table. */
	static const struct {
		int command;
		enum access_role least;
		int reads;
		const char *name;
	} rows[] = {
	    {CMD(NOTICES), ACCESS_PRACTITIONER, 0, "notices"},
	    {CMD(NOTICE_ACK), ACCESS_PRACTITIONER, 0, "notice ack"},
	    {CMD(FEEDBACK), ACCESS_PRACTITIONER, 0, "feedback"},
	    {CMD(CONTACT), ACCESS_PRACTITIONER, 0, "contact"},
	    {CMD(REPORT), ACCESS_ADMIN, 1, "report"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(authz_least_role(rows[i].command), rows[i].least);
		assert_string_equal(authz_command_name(rows[i].command), rows[i].name);
		assert_int_equal(decide(ACCESS_VIEWER, 0, rows[i].command, "x", &d), 0);
		assert_int_equal(decide(ACCESS_ADMIN, 0, rows[i].command, "a reason", &d), 1);
		assert_int_equal(d.reads_record, rows[i].reads);
	}
	assert_int_equal(decide(ACCESS_PRACTITIONER, 0, CMD(REPORT), "x", &d), 0);
	assert_string_equal(d.why, "report: needs the admin role; j.doe is a practitioner");
	assert_int_equal(decide(ACCESS_ADMIN, 0, CMD(REPORT), "", &d), 0);
	assert_non_null(strstr(d.why, "report: purpose: required"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_command_every_role),
	    cmocka_unit_test(test_refusal_names_role_needed_and_callers_role),
	    cmocka_unit_test(test_unlisted_commands_need_admin),
	    cmocka_unit_test(test_retention_commands_need_admin),
	    cmocka_unit_test(test_lookup_key_only_looks_up),
	    cmocka_unit_test(test_console_only_alerts_of_its_levels),
	    cmocka_unit_test(test_alerts_with_history_need_a_purpose),
	    cmocka_unit_test(test_reads_need_a_valid_purpose),
	    cmocka_unit_test(test_audit_command_names),
	    cmocka_unit_test(test_peer_uid_from_peer_address),
	    cmocka_unit_test(test_ipc_operator_is_its_unix_users),
	    cmocka_unit_test(test_delegate_speaks_for_a_person_up_to_its_role),
	    cmocka_unit_test(test_delegation_refused),
	    cmocka_unit_test(test_schools_and_partnership),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
