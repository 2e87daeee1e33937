/*
 * alert.c - the pure helpers over struct alert (see alert.h).
 *
 * Owns the display copy and the outside view of the state only; state
 * changes are lifecycle.c's, encoding wire_alert.c's.
 */
#include "alert.h"

#include "wire.h"

void wire_alert_child_set(struct alert_child *dst, const struct child_identity *src)
{
	wire_copy_str(dst->nhs_number, sizeof dst->nhs_number, src->nhs_number);
	wire_copy_str(dst->upn, sizeof dst->upn, src->upn);
	wire_copy_str(dst->local_id, sizeof dst->local_id, src->local_id);
	wire_copy_str(dst->given_name, sizeof dst->given_name, src->given_name);
	wire_copy_str(dst->family_name, sizeof dst->family_name, src->family_name);
	wire_copy_str(dst->date_of_birth, sizeof dst->date_of_birth, src->date_of_birth);
	wire_copy_str(dst->postcode, sizeof dst->postcode, src->postcode);
}

enum alert_view wire_alert_view(const struct alert *a)
{
	switch (a->state) {
	case ALERT_CLOSED:
		return ALERT_VIEW_CLOSED;
	case ALERT_SUPERSEDED:
		return ALERT_VIEW_SUPERSEDED;
	case ALERT_OPEN:
	default:
		return a->acknowledged_at_ms ? ALERT_VIEW_ACKNOWLEDGED : ALERT_VIEW_OPEN;
	}
}
