/*
 * ffcctl.h - what the parts of ffcctl share: the global options, one
 * control request/reply that exits with a clear message on any failure,
 * and the one-line form of an alert. Each group of commands lives in its
 * own client/tools/ffcctl_*.c and is listed in ffcctl.c's command table.
 */
#ifndef FFC_TOOLS_FFCCTL_H
#define FFC_TOOLS_FFCCTL_H

#include <getopt.h>

#include "common.h"

struct opts {
	const char *control;
	const char *operator_name;
	const char *purpose; /* why records are read: --purpose, $FFC_PURPOSE */
	int json;
	int timeout_ms;
	const char *key, *server_key; /* CURVE: --key, --server-key */
};

/* getopt_long over a command's own arguments (argv[0] is the command;
 * set optind = 0 before the first call) with the global options merged
 * in, so that a global option given after the command (`ffcctl child C1
 * --json`) applies as if given before it. Returns the command's own
 * options as getopt_long does; the globals are applied and not returned. */
int ctl_getopt(int argc, char **argv, const struct option *own);

/* A command without options of its own: its arguments with the global
 * options taken out and applied. Sets *n to the number of positional
 * arguments and returns them; exits 2 on an option the command does not
 * take. */
char **ctl_positionals(int argc, char **argv, int *n);

/* Send req (operator filled in from o) and return the reply, which the
 * caller frees with ffc__v1__control_reply__free_unpacked(). Exits with a
 * message naming the problem when there is no daemon, no answer in time,
 * or the daemon answers with an error. */
Ffc__V1__ControlReply *ctl_call(const struct opts *o, Ffc__V1__ControlRequest *req);

/* "  A00000007  2026-03-02 14:05  RED  multi-agency  C00000001  Ella Smith: reason" */
void ctl_print_alert_row(const Ffc__V1__Alert *a);

/* ffcctl_rules.c: reload, rules test FILE. */
int ctl_cmd_reload(const struct opts *o, int argc, char **argv);
int ctl_cmd_rules(const struct opts *o, int argc, char **argv);
/* Commands defined in their own files (ffcctl_<area>.c). */
int cmd_child(const struct opts *o, int argc, char **argv);
int cmd_matches(const struct opts *o, int argc, char **argv);
/* One identity event (merge, split or conflict) on one readable line. */
void ctl_print_identity_event(const Ffc__V1__IdentityEvent *e);
/* The same line without its time ("MERGED    C2 merged into C1 by ..."). */
void ctl_identity_event_text(const Ffc__V1__IdentityEvent *e, char *buf, size_t len);

/* Identity review commands (ffcctl_identity.c). */
int cmd_conflicts(const struct opts *o, int argc, char **argv);
int cmd_identities(const struct opts *o, int argc, char **argv);
int cmd_link(const struct opts *o, int argc, char **argv);
int cmd_unlink(const struct opts *o, int argc, char **argv);
/* keygen NAME [--dir DIR] (ffcctl_keys.c): needs no daemon. */
int ctl_cmd_keygen(const struct opts *o, int argc, char **argv);

/* ---- working alerts (ffcctl_alerts.c) ---- */

/* Under an alert's row: its state (who has it, the outcome), due time,
 * whether it is overdue, and the lead practitioner. */
void ctl_print_alert_state(const Ffc__V1__Alert *a);
/* The same, its line indented by `indent` spaces (ctl_print_alert_state's
 * is 13). */
void ctl_print_alert_state_at(const Ffc__V1__Alert *a, int indent);
/* The state line, then every change oldest first: when, what, who, the
 * outcome and any note. */
void ctl_print_alert_history(const Ffc__V1__Alert *a);
/* The child's lead practitioner and every assignment, oldest first. */
void ctl_print_practitioners(const Ffc__V1__ChildReply *c);

/* "open", "acknowledged", "closed", "superseded" (case ignored) as an
 * AlertState; 0 when it is none of them. */
Ffc__V1__AlertState ctl_alert_state_parse(const char *s);

/* ack, close, note and assign (argv[0] is the command name). */
int ctl_cmd_ack(const struct opts *o, int argc, char **argv);
int ctl_cmd_close(const struct opts *o, int argc, char **argv);
int ctl_cmd_note(const struct opts *o, int argc, char **argv);
int ctl_cmd_assign(const struct opts *o, int argc, char **argv);

/* retention, correction and backup (ffcctl_keep.c). */
int ctl_cmd_purge(const struct opts *o, int argc, char **argv);
int ctl_cmd_withdraw(const struct opts *o, int argc, char **argv);
int ctl_cmd_backup(const struct opts *o, int argc, char **argv);

/* ---- the family (ffcctl_family.c) ---- */

/* Children's display names by id, as a reply sent them. */
#define CTL_NAMES_MAX 256
struct ctl_names {
	size_t n;
	char id[CTL_NAMES_MAX][24];
	char name[CTL_NAMES_MAX][260];
};
/* Note child_id's display name (nothing when id has none, or is known). */
void ctl_names_add(struct ctl_names *n, const char *child_id, const Ffc__V1__ChildIdentity *id);
/* The name noted for child_id, "" when none (n may be NULL). */
const char *ctl_name_of(const struct ctl_names *n, const char *child_id);
/* "timeline (N entries, oldest first[, since DATE])" and one entry a line
 * (with what belongs to it indented below): concerns, alerts, changes to
 * them, identity and household events, children named by names. */
void ctl_print_timeline(Ffc__V1__FamilyEntry *const *tl, size_t n, const struct ctl_names *names,
                        const char *since);
/* family CHILD|HOUSEHOLD [--since DATE]; household link|unlink. */
int cmd_family(const struct opts *o, int argc, char **argv);
int cmd_household(const struct opts *o, int argc, char **argv);

/* ---- the audit trail (ffcctl_audit.c) ---- */

/* "  2026-03-02 14:05  j.doe (practitioner)  child C00000001  purpose" on
 * one line; with_child 0 leaves the child out (printed under a child). */
void ctl_print_audit_entry(const Ffc__V1__AuditEntry *e, int with_child);
int ctl_cmd_audit(const struct opts *o, int argc, char **argv);

/* ---- social care status and point-of-contact lookups (ffcctl_lookup.c) ---- */

/* lookup --nhs N | --upn U --setting WHERE [--asked-by WHO]; accesses. */
int ctl_cmd_lookup(const struct opts *o, int argc, char **argv);
int ctl_cmd_accesses(const struct opts *o, int argc, char **argv);
/* A child's social care statuses and the lookups of it, for `child`. */
void ctl_print_social(const Ffc__V1__ChildReply *c);
/* ---- schools and the partnership (ffcctl_notices.c) ---- */

/* An Operation Encompass notice: the school, the child, the incident,
 * when it is due and whether (and by whom) it was acknowledged. */
void ctl_print_notice(const Ffc__V1__SchoolNotice *n);
/* notices, notice ack, feedback, contact, report (argv[0] says which). */
int ctl_cmd_partnership(const struct opts *o, int argc, char **argv);

#endif
