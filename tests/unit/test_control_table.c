/*
 * Unit tests for control_table.c: every command of the contract's
 * ControlRequest has one row with a handler, and the table agrees with
 * the decisions authz.c makes from the same list (name, least role,
 * reads a record), so dispatch and authorisation cannot drift apart.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"
#include "control_table.h"
#include "ffc.pb-c.h"

/* The fields of ControlRequest's oneof command, from the descriptor
 * protoc generated: a command added to proto/ffc.proto shows up here. */
static int is_command(const ProtobufCFieldDescriptor *f)
{
	return (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
	       f->quantifier_offset == offsetof(Ffc__V1__ControlRequest, command_case);
}

static void test_every_command_of_the_contract_has_a_row(void **state)
{
	(void)state;
	const ProtobufCMessageDescriptor *d = &ffc__v1__control_request__descriptor;
	size_t n_commands = 0, n_rows;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		if (!is_command(f))
			continue;
		n_commands++;
		const struct control_command *row = control_command_find((int)f->id);
		if (!row)
			fail_msg("ControlRequest.%s (%u) has no row in the command table", f->name,
			         f->id);
		assert_non_null(row->handler);
	}
	control_commands(&n_rows);
	assert_int_equal(n_rows, n_commands);
	assert_null(control_command_find(FFC__V1__CONTROL_REQUEST__COMMAND__NOT_SET));
	assert_null(control_command_find(100000));
}

static void test_rows_agree_with_authz(void **state)
{
	(void)state;
	size_t n;
	const struct control_command *rows = control_commands(&n);
	for (size_t i = 0; i < n; i++) {
		const struct control_command *k = &rows[i];
		assert_ptr_equal(control_command_find(k->command), k);
		assert_string_equal(authz_command_name(k->command), k->name);
		assert_int_equal(authz_least_role(k->command), k->least);
		/* An admin with a purpose is allowed everything; the decision
		 * says whether the read is audited. "alerts" reads only with
		 * history, which this request does not ask for. */
		struct authz_caller c = {.name = "j.doe", .role = ACCESS_ADMIN};
		struct authz_request r = {.command = k->command, .purpose = "a reason"};
		struct authz_decision dec;
		assert_int_equal(authz_decide(&c, &r, &dec), 1);
		assert_int_equal(dec.reads_record, k->reads);
		assert_string_equal(dec.command, k->name);
		/* A writing command is given no read transaction, so its reply
		 * cannot be a read audited per child. */
		if (k->writes)
			assert_int_equal(k->reads, 0);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(rows[j].name, k->name) || rows[j].command == k->command)
				fail_msg("rows %zu and %zu both name %s", j, i, k->name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_command_of_the_contract_has_a_row),
	    cmocka_unit_test(test_rows_agree_with_authz),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
