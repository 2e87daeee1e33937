/*
 * control_table.h - the control commands' table: per command its name,
 * least role, whether it reads a child's record, whether it writes, and
 * its handler, one row each, expanded from control_commands.h.
 *
 * The dispatcher (control.c) finds a request's row here and calls its
 * handler; the decision whether the caller may ask is authz.c's, over the
 * same list. Rows are static and live as long as the program.
 */
#ifndef FFC_CONTROL_TABLE_H
#define FFC_CONTROL_TABLE_H

#include <stddef.h>

#include "access.h"
#include "control_int.h"

struct control_command {
	int command;            /* the ControlRequest oneof case */
	const char *name;       /* "rules test" */
	enum access_role least; /* the least role that may ask */
	int reads;              /* the reply names children's records: purpose, audit */
	int writes;             /* runs in control_write(): no read transaction */
	const char *(*handler)(struct control_call *call);
};

/* The row of a ControlRequest's command (its oneof case), or NULL for a
 * command not in the table (none set, or one this ffcd does not know). */
const struct control_command *control_command_find(int command);

/* The table's rows in order, *n of them: for tests and listings. */
const struct control_command *control_commands(size_t *n);

#endif
