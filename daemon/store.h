/*
 * store.h - the durable store: concerns, children, identities and alerts
 * in one LMDB environment inside the data directory.
 *
 * store.c keeps the environment and transactions; each family of tables
 * has its own file (store_concerns.c, store_children.c, store_alerts.c,
 * store_audit.c, store_matches.c, store_counters.c, store_households.c),
 * sharing the private
 * store_int.h. Only those files include lmdb.h. Layout (all integers
 * big-endian so keys sort numerically):
 *
 *   concerns      seq                              -> StoredConcern
 *   concern_ids   agency(1) concern_id             -> seq
 *   children      child                            -> Child
 *   identities    "N..." | "U..." | "L..."         -> child            (strong keys)
 *   demographics  "D..."                (dupsort)  -> child postcode
 *   timeline      child occurred(biased) seq       -> agency category severity flags concern_id NUL
 *   alerts        seq                              -> StoredAlert       (the alert log)
 *   open_alerts   child rule                       -> alert seq
 *   child_alerts  child seq                        -> (empty)
 *   identity_events seq                            -> IdentityEvent
 *   child_events  child seq                        -> (empty)
 *   household_records household                 -> StoredHousehold  (store format 3)
 *   child_households  child                     -> household
 *   household_events  seq                       -> HouseholdEvent
 *   child_household_events child seq            -> (empty)
 *   audit         seq                              -> AuditEntry     (append only)
 *   child_audit   child seq                        -> (empty)
 *   counters      name                             -> u64
 *   match_names   "FAMILY|YYYY-MM-DD"   (dupsort)  -> child given-parts NUL postcode
 *                 "given:GIVEN|YYYY-MM-DD" (dupsort) -> child family NUL postcode
 *   matches       child(lower) child(higher)       -> StoredMatch       (possible matches)
 *   alert_events  alert-seq n(4)                   -> AlertEvent        (an alert's history)
 *   alerts_due    level(1) raised(biased) seq      -> (empty)   open, unacknowledged, not reminded
 *   alerts_overdue seq                             -> (empty)   open, unacknowledged, reminded
 *   assignments   child n(4)                       -> PractitionerAssignment (the last is current)
 *   statuses      seq                              -> StoredChildStatus (store_status.h)
 *   status_ids    status_id                        -> seq               (its latest version)
 *   child_statuses child seq                       -> kind category legal flags from to
 *   lookups       seq                              -> AccessRecord      (a lookup of a known child)
 *   child_lookups child seq                        -> (empty)
 *   notices, notice_dest, notices_waiting, feedback, feedback_agency,
 *   contacts, tallies: schools and the partnership (store_notices.h)
 *
 * A child's concerns in a time window are one range scan of `timeline`,
 * whatever the size of the store. A child merged into another keeps its
 * Child record with merged_into set, so its id still resolves.
 *
 * Every write happens inside a write transaction; nothing is durable until
 * store_commit() returns 0 (the environment syncs on commit). A write that
 * finds the map full returns STORE_FULL: the whole transaction is aborted,
 * the map grown (store_grow()) and the transaction run again, which
 * store_write() does for its caller.
 *
 * Memory returned through `const void **` stays valid until the
 * transaction ends.
 */
#ifndef FFC_STORE_H
#define FFC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "audit.h"
#include "child_record.h"
#include "concern.h"
#include "household_record.h"
#include "identity.h"

enum {
	STORE_OK = 0,
	STORE_NOTFOUND = 1,
	STORE_EXISTS = 2, /* a key written with no-overwrite was there */
	STORE_ERROR = -1,
	STORE_FULL = -2, /* the map is full: abort, store_grow(), retry */
	/* The disk said ENOSPC (or EDQUOT): nothing of the transaction is
	 * stored; an operator must free space. Said apart from an I/O error
	 * (EIO: a failing disk) in the log and in store_fault(). */
	STORE_DISK_FULL = -3,
	STORE_IO_ERROR = -4,
};

struct store;
struct store_txn;

/* Open (creating if needed, mode 0700 / 0600) the store in `dir`. Takes an
 * exclusive flock on the directory itself so two daemons never share a
 * store (deleting a file cannot defeat it); dir/ffcd.lock only notes the
 * holder's pid.
 * Returns NULL with a message in err on failure. */
struct store *store_open(const char *dir, uint64_t map_size, uint64_t map_size_max, char *err,
                         size_t errlen);
void store_close(struct store **s);

/* Take the lock of dir (which must exist) ahead of opening the store: the
 * daemon locks as root, binds, drops to its user, then opens. The pid
 * file ffcd.lock is given to owner_uid:owner_gid unless owner_uid is -1. Returns
 * the lock's descriptor, or -1 with a message. */
int store_lock(const char *dir, long owner_uid, long owner_gid, char *err, size_t errlen);
/* store_open() with the lock already taken by store_lock(): the store
 * owns lock_fd from now on, whatever the outcome. */
struct store *store_open_locked(const char *dir, int lock_fd, uint64_t map_size,
                                uint64_t map_size_max, char *err, size_t errlen);

/* Can the process map size bytes more (a limit such as RLIMIT_AS may say
 * not)? Tried with a PROT_NONE mapping, taken and given back: LMDB unmaps
 * an old map before mapping a new one, and an environment whose new map
 * failed has none left, so a size is tried before LMDB is given it. */
int store_map_fits(uint64_t size);
/* How many read transactions are open now, in any thread (a backup, a
 * report or a rules test beside the loop). While one is, the pages each
 * commit replaces cannot be reused: the file grows by every page written. */
unsigned store_readers(struct store *s);
/* Double the map size, up to the maximum. Returns 0, or -1 when already at
 * the maximum (the store is full for good) or LMDB refuses. The caller
 * has no transaction open; a read transaction open in another thread (a
 * copy or a rules test beside the loop) is waited for, as LMDB moves the
 * map only when none is open in the process. */
int store_grow(struct store *s);
/* Before a read beside the loop (a backup, a report, a rules test): the
 * map is made as large as map_size_max now, while nothing reads, so that
 * the writes going on beside the read never need store_grow(), which
 * would wait for the read to end, however long it takes and however much
 * is written meanwhile. The map is address space only: the file grows as
 * pages are written, as before. 0 when the map is at its maximum, -1 when
 * a reader is open (nothing changed) or the address space is not there
 * (said in the log). Called with no transaction open. */
int store_room_ahead(struct store *s);

/* The data directory the store was opened in (borrowed: valid until
 * store_close). Cannot fail. */
const char *store_path(const struct store *s);
/* The map's current size in bytes (grown by store_grow). Cannot fail. */
uint64_t store_map_size(const struct store *s);
/* The most store_grow() may make it (map_size_max). Cannot fail. */
uint64_t store_map_size_max(const struct store *s);
/* The format an open store is in: this build's (an older store was
 * migrated on opening, a newer one refused). Cannot fail. */
unsigned store_format(const struct store *s);
/* Bytes in use (pages in use times page size); 0 when LMDB cannot say
 * (logged). */
uint64_t store_used_bytes(struct store *s);

/* Begin a transaction (write: 1 for the one writer, 0 for a reader) and
 * set *t; the caller ends it with store_commit, store_abort or (a reader)
 * store_release. A reader may be begun and used in a thread beside the
 * loop (beside.h), each thread its own; writes are the loop's. Returns STORE_OK, STORE_ERROR when
 * memory runs out or LMDB refuses (logged), STORE_FULL / STORE_DISK_FULL as LMDB says; *t is then
 * untouched. Writes normally go through store_write(), not here. */
int store_begin(struct store *s, int write, struct store_txn **t);
/* Commit and free the transaction (whatever the outcome). */
int store_commit(struct store_txn **t);
void store_abort(struct store_txn **t);

/* The work of one write transaction: STORE_OK to commit it, anything else
 * to abort it (that result is store_write()'s). */
typedef int (*store_work_fn)(struct store_txn *t, void *arg);
/* Told that an attempt did not commit, with its result: drop what the
 * attempt made for the outside (receipts, alerts in an outbox), as none of
 * its writes stand. Return non-zero to run the work again at once (the
 * work will go differently now), 0 to leave it to store_write(). */
typedef int (*store_abort_fn)(int rc, void *arg);

/* The one way to write: begin a write transaction, run work(t, arg) in it
 * and commit. When the attempt fails, on_abort (may be NULL) is told; on
 * STORE_FULL the map is grown and the work run again from the start, until
 * it commits or the map is at its maximum. Returns STORE_OK once committed,
 * else the failing attempt's result (STORE_FULL when the map cannot grow;
 * a result of store_begin() is returned at once, nothing having run). No
 * transaction of s may be open. The work must not keep anything read
 * from t past its return. */
int store_write(struct store *s, store_work_fn work, store_abort_fn on_abort, void *arg);

/* Savepoints: a nested LMDB transaction inside write transaction t, so
 * one piece of work can fail alone. After store_savepoint() every call on
 * t writes into the savepoint; store_release() keeps those writes as part
 * of t, store_rollback() forgets them and t is as it was before. One at a
 * time. A savepoint left open is released by store_commit() and dropped
 * by store_abort(). STORE_FULL or STORE_DISK_FULL inside a savepoint
 * still means the whole transaction must be aborted. */
int store_savepoint(struct store_txn *t);
int store_release(struct store_txn *t);
void store_rollback(struct store_txn *t);

/* The store's health since it opened, for `ffcctl status`. */
struct store_fault {
	int last;                /* STORE_OK, or the fault of the last failed write */
	int64_t at_ms;           /* when that write failed (0: never) */
	uint64_t disk_full;      /* writes refused for a full disk */
	int64_t disk_full_at_ms; /* the last one (0: never) */
};
/* Borrowed: valid, and updated in place, until store_close. */
const struct store_fault *store_fault(const struct store *s);

/* For tests only: the next n writes (puts and commits of write
 * transactions) fail with errno err as if the disk had returned it. */
void store_inject_error(struct store *s, int err, unsigned n);

/* ---- concerns ---- */

/* The seq of (agency, concern_id), or STORE_NOTFOUND. */
int store_concern_find(struct store_txn *t, int agency, const char *concern_id, uint64_t *seq);
/* The raw StoredConcern record of seq. */
int store_concern_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len);
/* Store a new concern filed under child_ids: assigns the next seq, indexes
 * it by id and on each child's timeline, counts it. encoded, when not
 * NULL, is c's own ffc.v1.Concern encoding as received (wire.h), kept in
 * the record as it is. */
int store_concern_add(struct store_txn *t, const struct concern *c, const void *encoded,
                      size_t encoded_len, int64_t received_at_ms, const uint64_t *child_ids,
                      size_t n_child_ids, uint64_t *seq);
uint64_t store_last_concern_seq(struct store_txn *t);

/* ---- children and identities ---- */

/* A new child id (one more than the highest). */
int store_child_next(struct store_txn *t, uint64_t *id);
int store_child_get(struct store_txn *t, uint64_t id, struct child_record *out);
int store_child_put(struct store_txn *t, const struct child_record *ch);
/* store_child_put for a record read in this transaction: it exists, so
 * the write needs no look first. */
int store_child_update(struct store_txn *t, const struct child_record *ch);
/* Follow merged_into to the surviving child. */
int store_child_resolve(struct store_txn *t, uint64_t id, uint64_t *live);
/* Each child record in id order: fn(id, merged_into, arg), merged_into 0
 * for a live child; stop early when fn returns non-zero. */
typedef int (*store_child_fn)(uint64_t child, uint64_t merged_into, void *arg);
int store_child_each(struct store_txn *t, store_child_fn fn, void *arg);

/* The child an identity key (identity.h's key text) is filed under:
 * STORE_OK with *child, STORE_NOTFOUND, or STORE_ERROR when LMDB fails or
 * the value is malformed (logged). key is only read. */
int store_identity_get(struct store_txn *t, const char *key, uint64_t *child);
/* File identity key under child, replacing what it pointed at. Returns
 * STORE_OK, or STORE_FULL / STORE_DISK_FULL / STORE_ERROR as any write
 * (the transaction must then be aborted). */
int store_identity_put(struct store_txn *t, const char *key, uint64_t child);

/* Children recorded under a demographic key: for each (child, postcode)
 * pair call fn; stop early when fn returns non-zero. */
typedef int (*store_demographic_fn)(uint64_t child, const char *postcode, void *arg);
int store_demographic_each(struct store_txn *t, const char *key, store_demographic_fn fn,
                           void *arg);
int store_demographic_put(struct store_txn *t, const char *key, uint64_t child,
                          const char *postcode);

/* Forget that `child` (or an id resolving to it: the caller says which
 * ids) was recorded under a demographic key, whatever the postcode. */
int store_demographic_del(struct store_txn *t, const char *key, uint64_t child);

/* ---- merging and splitting children ---- */

/* Move every per-child index entry of `from` to `to`: timeline,
 * child_alerts, child_events, child_household_events, child_statuses and
 * child_lookups, so a merged child's window is still one range scan.
 * open_alerts are the caller's to reconcile (two open alerts of one rule
 * cannot share a key), and so is the household (household.h). */
int store_child_rekey(struct store_txn *t, uint64_t from, uint64_t to);

/* Move one concern's timeline entry from one child to another; with
 * keep_from the entry stays under `from` too. */
int store_timeline_move(struct store_txn *t, uint64_t from, uint64_t to, int64_t occurred_at_ms,
                        uint64_t seq, int keep_from);

/* Rewrite the child ids a stored concern is filed under (a split moved
 * some of its children to a new child). */
int store_concern_refile(struct store_txn *t, uint64_t seq, const uint64_t *child_ids, size_t n);

/* ---- a child's timeline ---- */

/* The child's concerns with occurred_at_ms in [from, to], sorted by time
 * then seq, into a malloc'd array (*refs, caller frees; NULL when none),
 * each with the social care statuses in force when it happened
 * (concern_ref.status, store_status.h). */
int store_timeline(struct store_txn *t, uint64_t child, int64_t from_ms, int64_t to_ms,
                   struct concern_ref **refs, size_t *n);

/* The same including concerns withdrawn by an operator (the chronology
 * shows them; the rules, through store_timeline(), do not count them). */
int store_chronology(struct store_txn *t, uint64_t child, int64_t from_ms, int64_t to_ms,
                     struct concern_ref **refs, size_t *n);

/* ---- retention, correction and backup ---- */

/* Mark concern seq withdrawn (by, reason, at_ms kept in its record) and
 * take it off the rules' view of every timeline it is on: the entry stays,
 * marked, for the chronology. STORE_EXISTS when it already is withdrawn. */
int store_concern_withdraw(struct store_txn *t, uint64_t seq, int64_t at_ms, const char *by,
                           const char *reason);
/* Delete concern seq from every index: its record, its (agency,
 * concern_id) entry (so the id may be sent again, as a new concern), its
 * timeline entries under each child it was filed under, as filed and as
 * resolved now; the counters follow. */
int store_concern_purge(struct store_txn *t, uint64_t seq);
/* Each concern with seq >= from_seq in seq order, with its raw
 * StoredConcern (borrowed until the transaction ends; fn must not write).
 * Stop early when fn returns non-zero. */
typedef int (*store_concern_fn)(uint64_t seq, const void *data, size_t len, void *arg);
int store_concern_each(struct store_txn *t, uint64_t from_seq, store_concern_fn fn, void *arg);

/* Copy the store, compacted, into the directory `path`, which must not
 * exist (created 0700; the copy data.mdb 0600). A consistent snapshot
 * taken while the daemon runs, meant to run beside the loop: it writes
 * nothing to the store and holds a reader while it copies. rate: the
 * most bytes a second written to the copy, each MiB pushed to the disk
 * before the next, so that the loop's commits do not wait behind the
 * copy; 0: as fast as the disks go. Returns 0 with the copy's size, or
 * -1 with a message in err (nothing left at path). */
int store_backup(struct store *s, const char *path, uint64_t rate, uint64_t *bytes, char *err,
                 size_t errlen);

/* ---- alerts ---- */

/* The highest alert seq stored; 0 when there is none, and also when LMDB
 * cannot open a cursor (store_alert_add appends, so it fails then rather
 * than overwrite an alert). */
uint64_t store_last_alert_seq(struct store_txn *t);
/* Store a new alert: a->seq must be store_last_alert_seq() + 1. Indexes it
 * under its child and counts it. */
int store_alert_add(struct store_txn *t, const struct alert *a);
/* Rewrite an existing alert (state changes). */
int store_alert_update(struct store_txn *t, const struct alert *a);
/* Alert seq in full. Its evidence is the record's (the concerns that
 * raised it, and those added before evidence was kept in the history)
 * followed by each concern its history's EVIDENCE entries added, each
 * once, up to RULE_EVIDENCE_MAX: store_alert_evidence_join(). */
int store_alert_get(struct store_txn *t, uint64_t seq, struct alert *out);
/* Add to a->evidence the concerns alert a->seq's history added. For an
 * alert decoded from its raw record (store_alert_each()). */
int store_alert_evidence_join(struct store_txn *t, struct alert *a);
/* Alert seq's head alone (wire_stored_alert_head()): enough to publish a
 * change to it, without decoding its names and evidence. */
int store_alert_head(struct store_txn *t, uint64_t seq, struct alert *out);
/* Alert seq's level alone (no decode of the rest). */
int store_alert_level(struct store_txn *t, uint64_t seq, enum level *level);
int store_alert_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len);
/* The open alert of (child, rule), or STORE_NOTFOUND. */
int store_open_alert(struct store_txn *t, uint64_t child, const char *rule, uint64_t *seq);
/* Each open alert of child in one walk: fn(rule, seq, arg) for each,
 * rule names in order; fn returns non-zero to stop. */
typedef int (*store_open_alert_fn)(const char *rule, uint64_t seq, void *arg);
int store_open_alerts(struct store_txn *t, uint64_t child, store_open_alert_fn fn, void *arg);
int store_open_alert_set(struct store_txn *t, uint64_t child, const char *rule, uint64_t seq);

/* Alert seqs of a child, oldest first, into a malloc'd array. */
int store_child_alerts(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n);

/* ---- working alerts: history, response times, lead practitioners ---- */

/* The most notes one alert, and assignments one child, keep: adding more
 * returns STORE_EXISTS. */
#define STORE_ALERT_EVENTS_MAX 1000
#define STORE_ASSIGNMENTS_MAX  1000

/* Called with each seq; stop early when it returns non-zero. */
typedef int (*store_seq_fn)(uint64_t seq, void *arg);
/* Called with each raw record (borrowed until the transaction ends). */
typedef int (*store_record_fn)(const void *data, size_t len, void *arg);

/* Append one entry to alert seq's history. */
int store_alert_event_add(struct store_txn *t, uint64_t seq, const struct alert_event *e);
/* Alert seq's history, oldest first, as raw ffc.v1.AlertEvent records. */
int store_alert_events(struct store_txn *t, uint64_t seq, store_record_fn fn, void *arg);
/* Each stored alert record (raw StoredAlert), in seq order; fn must not
 * write. Stop early when fn returns non-zero. */
int store_alert_each(struct store_txn *t, store_record_fn fn, void *arg);

/* store_alert_add() and store_alert_update() keep two indexes of the
 * alerts nobody has acknowledged yet (state OPEN, acknowledged_at_ms 0):
 * those not yet reminded, by level and raise time (so, within a level, by
 * due time), and those reminded (overdue_at_ms set). */
/* Unreminded waiting alerts of `level` raised at or before raised_by_ms,
 * oldest first. Costs only the alerts visited. */
int store_alert_due_each(struct store_txn *t, int level, int64_t raised_by_ms, store_seq_fn fn,
                         void *arg);
/* Reminded alerts still waiting, with seq > after_seq, in seq order. */
int store_alert_overdue_each(struct store_txn *t, uint64_t after_seq, store_seq_fn fn, void *arg);
uint64_t store_alert_overdue_count(struct store_txn *t);

/* Record a child's lead practitioner; the last one recorded is current. */
int store_assignment_add(struct store_txn *t, uint64_t child, const struct assignment *as);
/* Every assignment of child, oldest first (raw ffc.v1.PractitionerAssignment). */
int store_assignments(struct store_txn *t, uint64_t child, store_record_fn fn, void *arg);
/* A merge: when `to` has no lead practitioner yet, it takes over every
 * assignment of `from` (in order, so the current one stays current); a
 * child that has one keeps it. from's records stay under its own id. */
int store_assignments_adopt(struct store_txn *t, uint64_t from, uint64_t to);
/* The current lead practitioner into out ("" when none). */
int store_lead_practitioner(struct store_txn *t, uint64_t child, char *out, size_t size);

/* ---- identity events ---- */

/* Record an event: e->seq is set to the next event seq, and the event is
 * indexed under e->child and, when set, e->other, so both chronologies
 * show it. */
int store_identity_event_add(struct store_txn *t, struct identity_event *e);
int store_identity_event_get(struct store_txn *t, uint64_t seq, struct identity_event *out);
int store_identity_event_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len);
uint64_t store_last_identity_event_seq(struct store_txn *t);
/* Event seqs indexed under a child, oldest first, into a malloc'd array. */
int store_child_events(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n);

/* ---- households ---- */

/* A new household id (one more than the highest). */
int store_household_next(struct store_txn *t, uint64_t *id);
/* The record of household id as stored (an alias has merged_into set);
 * release it with household_record_release(). */
int store_household_get(struct store_txn *t, uint64_t id, struct household_record *out);
int store_household_put(struct store_txn *t, const struct household_record *h);
/* Follow merged_into to the household it became part of. */
int store_household_resolve(struct store_txn *t, uint64_t id, uint64_t *live);
/* The household live child is in: STORE_OK with *household, 0 when none. */
int store_child_household(struct store_txn *t, uint64_t child, uint64_t *household);

/* What store_household_union() did. */
enum household_change {
	HOUSEHOLD_SAME,   /* already one household (or one child): nothing */
	HOUSEHOLD_FORMED, /* neither was in one: household formed of child and other */
	HOUSEHOLD_JOINED, /* child joined other's household */
	HOUSEHOLD_MERGED, /* other_household became part of household */
	HOUSEHOLD_FULL    /* refused: more than HOUSEHOLD_MEMBERS_MAX children */
};
struct household_union {
	enum household_change change;
	uint64_t household, other_household;
	uint64_t child, other;
};

/* Put live children a and b in one household: a new one, the one either
 * is in, or, when each is in one, the two joined (the lower id stays, the
 * other becomes its alias and its children its members). Writes no event
 * (household.c does). */
int store_household_union(struct store_txn *t, uint64_t a, uint64_t b, int64_t now_ms,
                          struct household_union *u);
/* Live child, in no household, enters household (u->change
 * HOUSEHOLD_JOINED, or HOUSEHOLD_FULL and nothing written). */
int store_household_enter(struct store_txn *t, uint64_t household, uint64_t child,
                          struct household_union *u);
/* Take child out of its household (*was, 0 when it was in none). */
int store_household_remove(struct store_txn *t, uint64_t child, uint64_t *was);

/* Record an event: e->seq is set to the next household event seq, and the
 * event is indexed under e->child and e->other (when set). */
int store_household_event_add(struct store_txn *t, struct household_event *e);
int store_household_event_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len);
/* Household event seqs indexed under a child, oldest first, into a
 * malloc'd array. */
int store_child_household_events(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n);

/* ---- possible matches ---- */

/* Children recorded under a folded family name and date of birth
 * (match_key()), with the given name's folded parts and normalised
 * postcode they were named with, or under a folded given name and date of
 * birth (match_given_key()), with the folded family name instead: for each call fn; stop early when
 * fn returns non-zero. One lookup whatever the number of children known. */
typedef int (*store_match_name_fn)(uint64_t child, const char *given, const char *postcode,
                                   void *arg);
int store_match_name_each(struct store_txn *t, const char *key, store_match_name_fn fn, void *arg);
int store_match_name_put(struct store_txn *t, const char *key, uint64_t child, const char *given,
                         const char *postcode);
/* Record the pair (a, b) once, in either order: STORE_EXISTS when it is
 * already recorded (nothing written). rec is a packed StoredMatch. */
int store_match_add(struct store_txn *t, uint64_t a, uint64_t b, const void *rec, size_t len);
/* Rewrite the record of a recorded pair (a, b), in either order. */
int store_match_put(struct store_txn *t, uint64_t a, uint64_t b, const void *rec, size_t len);
/* Each recorded pair (child < other, ids as recorded) in id order; the
 * record is borrowed until the transaction ends, and fn must not write to
 * the store. Stop early when fn returns non-zero. */
typedef int (*store_match_fn)(uint64_t child, uint64_t other, const void *rec, size_t len,
                              void *arg);
int store_match_each(struct store_txn *t, store_match_fn fn, void *arg);

/* ---- the audit trail ---- */

/* Append an entry: e->seq is set to the next audit seq, and the entry is
 * indexed under e->child when set. There is deliberately no function that
 * changes or deletes an entry. */
int store_audit_add(struct store_txn *t, struct audit_entry *e);
int store_audit_raw(struct store_txn *t, uint64_t seq, const void **data, size_t *len);
uint64_t store_last_audit_seq(struct store_txn *t);
/* Audit seqs indexed under a child, oldest first, into a malloc'd array. */
int store_child_audit(struct store_txn *t, uint64_t child, uint64_t **seqs, size_t *n);

/* ---- counters ---- */

/* Counters are named "concerns", "children", "alerts", "agency.POLICE",
 * "level.RED", "rule.multi-agency", ... */
int store_counter_add(struct store_txn *t, const char *name, uint64_t delta);
/* Take delta from a counter. A counter holding less than delta disagrees
 * with the records it counts: that is logged as an error naming the
 * counter, and the counter is set to 0 (the write goes on: the records,
 * not the counters, are the truth). */
int store_counter_sub(struct store_txn *t, const char *name, uint64_t delta);
uint64_t store_counter_get(struct store_txn *t, const char *name);
/* Each counter whose name starts with prefix, in name order. */
typedef void (*store_counter_fn)(const char *name, uint64_t value, void *arg);
int store_counter_each(struct store_txn *t, const char *prefix, store_counter_fn fn, void *arg);

#endif
