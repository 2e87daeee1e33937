/*
 * control_commands.h - every command the control socket knows, once: the
 * list that the command table (control_table.c, for dispatch) and the
 * authorisation (authz.c, for the decision and the audit trail's names)
 * are both expanded from, as Redis builds its command table from one
 * commands.def. Adding a command is one row here and its handler.
 *
 * One row per command:
 *   X(CASE, "name", least, reads, writes, handler)
 * CASE     the ControlRequest oneof case, FFC__V1__CONTROL_REQUEST__COMMAND_<CASE>
 * name     the command in messages and audit entries ("rules test")
 * least    the least role that may ask (enum access_role)
 * reads    1: the reply names children with their record (chronology,
 *          identities, the evidence of conflicts and matches, the children
 *          a rules test would alert on, the audit trail itself), so it
 *          needs a purpose and leaves an audit entry per child. "alerts"
 *          reads only when it asks for history (authz.c decides that).
 * writes   1: the handler changes the store in control_write(), with the
 *          request's audit entry in the same transaction, and is given no
 *          read transaction (a write may grow the map, which no open
 *          transaction may see). Purge's dry run opens its own.
 * handler  const char *handler(struct control_call *) (control_int.h)
 *
 * A command not listed needs the admin role (authz.c) and is answered as
 * unknown (control.c), so a command added to the contract is safe until
 * it has a row. Only the X macro a file defines sees the handler names:
 * authz.c expands the rows without them and so depends on no handler.
 */
#ifndef FFC_CONTROL_COMMANDS_H
#define FFC_CONTROL_COMMANDS_H

/* clang-format off */
#define CONTROL_COMMANDS(X)                                                                   \
	X(STATUS,        "status",          ACCESS_VIEWER,       0, 0, control_status)        \
	X(STATS,         "stats",           ACCESS_VIEWER,       0, 0, control_stats)         \
	X(CHILD,         "child",           ACCESS_PRACTITIONER, 1, 0, control_child)         \
	X(ALERTS,        "alerts",          ACCESS_PRACTITIONER, 0, 0, control_alerts)        \
	X(IDENTITIES,    "identities",      ACCESS_PRACTITIONER, 1, 0, control_identities)    \
	X(CONFLICTS,     "conflicts",       ACCESS_PRACTITIONER, 1, 0, control_conflicts)     \
	X(MATCHES,       "matches",         ACCESS_PRACTITIONER, 1, 0, control_matches)       \
	X(ACK,           "ack",             ACCESS_PRACTITIONER, 0, 1, control_ack)           \
	X(CLOSE,         "close",           ACCESS_PRACTITIONER, 0, 1, control_close)         \
	X(NOTE,          "note",            ACCESS_PRACTITIONER, 0, 1, control_note)          \
	X(ASSIGN,        "assign",          ACCESS_PRACTITIONER, 0, 1, control_assign)        \
	X(LINK,          "link",            ACCESS_ADMIN,        0, 1, control_link)          \
	X(UNLINK,        "unlink",          ACCESS_ADMIN,        0, 1, control_unlink)        \
	X(DISMISS_MATCH, "matches dismiss", ACCESS_ADMIN,        0, 1, control_dismiss_match) \
	X(RELOAD,        "reload",          ACCESS_ADMIN,        0, 0, control_reload)        \
	X(RULES_TEST,    "rules test",      ACCESS_ADMIN,        1, 0, control_rules_test)    \
	X(SHUTDOWN,      "shutdown",        ACCESS_ADMIN,        0, 0, control_shutdown)      \
	X(AUDIT,         "audit",           ACCESS_ADMIN,        1, 0, control_audit_query)   \
	X(PURGE,         "purge",           ACCESS_ADMIN,        0, 1, control_purge)         \
	X(WITHDRAW,      "withdraw",        ACCESS_ADMIN,        0, 1, control_withdraw)      \
	X(BACKUP,        "backup",          ACCESS_ADMIN,        0, 1, control_backup)        \
	X(FAMILY,        "family",          ACCESS_PRACTITIONER, 1, 0, control_family)        \
	X(HOUSEHOLD_LINK,   "household link",   ACCESS_ADMIN,        0, 1, control_household_link)   \
	X(HOUSEHOLD_UNLINK, "household unlink", ACCESS_ADMIN,        0, 1, control_household_unlink) \
	X(HOUSEHOLD_ALERTS, "household alerts", ACCESS_PRACTITIONER, 0, 1, control_household_alerts) \
	X(LOOKUP,        "lookup",          ACCESS_PRACTITIONER, 0, 1, control_lookup)        \
	X(ACCESSES,      "accesses",        ACCESS_PRACTITIONER, 1, 0, control_accesses) \
	X(NOTICES,       "notices",         ACCESS_PRACTITIONER, 0, 0, control_notices)       \
	X(NOTICE_ACK,    "notice ack",      ACCESS_PRACTITIONER, 0, 1, control_notice_ack)    \
	X(FEEDBACK,      "feedback",        ACCESS_PRACTITIONER, 0, 0, control_feedback)      \
	X(CONTACT,       "contact",         ACCESS_PRACTITIONER, 0, 1, control_contact)       \
	X(REPORT,        "report",          ACCESS_ADMIN,        1, 0, control_report)
/* clang-format on */

#endif
