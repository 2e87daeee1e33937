/*
 * control_table.c - the control commands' table (control_table.h): the
 * rows of control_commands.h with their handlers.
 *
 * Owns finding a command's row. It calls no handler itself: the
 * dispatcher (control.c) does, after authz.c has allowed the request.
 */
#include "control_table.h"

#include "control_commands.h"

#define ROW(cmd, name, least, reads, writes, fn)                                                   \
	{FFC__V1__CONTROL_REQUEST__COMMAND_##cmd, name, least, reads, writes, fn},

static const struct control_command table[] = {CONTROL_COMMANDS(ROW)};

#undef ROW

#define N_ROWS (sizeof table / sizeof table[0])

const struct control_command *control_command_find(int command)
{
	for (size_t i = 0; i < N_ROWS; i++)
		if (table[i].command == command)
			return &table[i];
	return NULL;
}

const struct control_command *control_commands(size_t *n)
{
	*n = N_ROWS;
	return table;
}
