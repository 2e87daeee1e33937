/*
 * judge_apply.h - judging a child inside a write transaction: read its
 * timeline and the alerts open for it, let the judge decide (judge.h),
 * store the alerts raised and queue them on the outbox, which is published
 * only once the transaction commits.
 *
 * A concern for a child with an alert open of a rule that counts it is
 * added to that alert's evidence and announced (judge.h); whether it
 * reopens an acknowledged alert is the policy's the outbox carries
 * (out->policy, alerts.reopen_on; never without one).
 *
 * Every function returns STORE_OK or the store's error (STORE_ERROR when
 * out of memory); on an error the caller abandons the transaction (or the
 * savepoint) and truncates the outbox back to where it was.
 */
#ifndef FFC_JUDGE_APPLY_H
#define FFC_JUDGE_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "merge.h"
#include "outbox.h"
#include "rules.h"
#include "store.h"

/* Judge every rule of one child's own (scope "child") for `child` in the
 * windows around the concern `seq` just filed under it (occurred at
 * `at`); for a child in no household, its household rules too (it is a
 * household of one: judge_household_concern() need not be called). */
int judge_concern(struct store_txn *t, uint64_t child, uint64_t seq, int64_t at,
                  const struct rule *rules, size_t n_rules, int64_t now_ms, struct outbox *out);

/* Judge every household rule for the household of `child` (the child
 * alone when it is in none) in the windows around the concern `seq` just
 * filed under it: the concerns of every child of the household together,
 * each once, raising for (or adding the concern to the open alert of)
 * every child of the household. Once per household, however many of its
 * children the concern names. */
int judge_household_concern(struct store_txn *t, uint64_t child, uint64_t seq, int64_t at,
                            const struct rule *rules, size_t n_rules, int64_t now_ms,
                            struct outbox *out);

/* Judge over the whole stored history (every window, not only those
 * holding the newest concern): the child's own rules for `child`
 * (judge_child_history), the household rules for its household
 * (judge_household_history), or both (judge_history). Used after a merge
 * joins two histories, after a split, and when a household gains
 * children, so alerts neither part raised alone are raised now; `note`
 * (may be NULL or "") is appended to each reason in parentheses. */
int judge_history(struct store_txn *t, uint64_t child, const struct rule *rules, size_t n_rules,
                  const char *note, int64_t now_ms, struct outbox *out);
int judge_child_history(struct store_txn *t, uint64_t child, const struct rule *rules,
                        size_t n_rules, const char *note, int64_t now_ms, struct outbox *out);
int judge_household_history(struct store_txn *t, uint64_t child, const struct rule *rules,
                            size_t n_rules, const char *note, int64_t now_ms, struct outbox *out);

/* After the child's social care statuses changed (a ChildStatus filed):
 * judge each rule with a status condition (when_status, unless_status)
 * around every concern that it counts now and did not count in `before`
 * (the child's whole timeline as store_timeline() read it just before the
 * change) and that no alert of the rule cites yet. So a concern sent
 * before the plan it happened under is judged once the plan arrives, and
 * nothing already raised is raised again. */
int judge_status_change(struct store_txn *t, uint64_t child, const struct concern_ref *before,
                        size_t n_before, const struct rule *rules, size_t n_rules, int64_t now_ms,
                        struct outbox *out);

/* "after C00000002 was merged into C00000001" (or "after C2 and C3 were
 * merged into C1") for the merges in log that `child` survived, into buf
 * (len bytes); "" when it survived none. */
int judge_merge_note(struct store_txn *t, const struct merge_log *log, uint64_t child, char *buf,
                     size_t len);

#endif
