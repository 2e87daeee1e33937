/*
 * ffc_metrics_text.c - the Prometheus text exposition of ffcd's status and
 * stats, and the health answer (ffc_metrics_text.h). Owns the metric names,
 * their help and types; where the figures come from is the daemon's
 * (proto/ffc.proto, StatusReply and StatsReply).
 *
 * Counters stored since the store was created are exposed as _total
 * counters where they only grow (alerts raised, reminders), as gauges where
 * a purge takes them down (concerns stored, children); those kept since
 * the daemon started are counters that reset with it, as Prometheus
 * expects of a restarted process.
 */
#include "ffc_metrics_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void metrics_buf_release(struct metrics_buf *b)
{
	free(b->text);
	memset(b, 0, sizeof *b);
}

static void put(struct metrics_buf *b, const char *fmt, ...) TOOL_PRINTF(2, 3);
static void put(struct metrics_buf *b, const char *fmt, ...)
{
	if (b->failed)
		return;
	for (;;) {
		size_t room = b->cap - b->len;
		va_list ap;
		va_start(ap, fmt);
		int n = b->text ? vsnprintf(b->text + b->len, room, fmt, ap) : -2;
		va_end(ap);
		if (n == -1) {
			b->failed = 1;
			return;
		}
		if (n >= 0 && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t need = b->len + (n > 0 ? (size_t)n : 0) + 1;
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < need)
			cap *= 2;
		char *p = realloc(b->text, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->text = p;
		b->cap = cap;
	}
}

/* A label value as the format wants it: \ " and line feed escaped. A
 * rejection's reason may carry bytes a peer chose: anything but printable
 * ASCII becomes '?', so the exposition is always valid UTF-8. */
static void put_label(struct metrics_buf *b, const char *v)
{
	for (const char *p = v ? v : ""; *p; p++) {
		if (*p == '\\')
			put(b, "\\\\");
		else if (*p == '"')
			put(b, "\\\"");
		else if (*p == '\n')
			put(b, "\\n");
		else if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			put(b, "?");
		else
			put(b, "%c", *p);
	}
}

static void head(struct metrics_buf *b, const char *name, const char *type, const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(struct metrics_buf *b, const char *name, const char *type, const char *help,
                unsigned long long v)
{
	head(b, name, type, help);
	put(b, "%s %llu\n", name, v);
}

static void seconds(struct metrics_buf *b, const char *name, const char *help, long long ms)
{
	head(b, name, "gauge", help);
	put(b, "%s %lld.%03lld\n", name, ms / 1000, ms % 1000);
}

/* One sample per counter of a list, the counter's name as the label. */
static void labelled(struct metrics_buf *b, const char *name, const char *type, const char *help,
                     const char *label, Ffc__V1__Counter *const *c, size_t n)
{
	head(b, name, type, help);
	for (size_t i = 0; i < n; i++) {
		put(b, "%s{%s=\"", name, label);
		put_label(b, c[i]->name);
		put(b, "\"} %llu\n", (unsigned long long)c[i]->count);
	}
}

static void histogram(struct metrics_buf *b, const char *name, const char *help,
                      const Ffc__V1__Histogram *h)
{
	head(b, name, "histogram", help);
	size_t n = h && h->n_bounds == h->n_at_most ? h->n_bounds : 0;
	for (size_t i = 0; i < n; i++)
		put(b, "%s_bucket{le=\"%g\"} %llu\n", name, h->bounds[i],
		    (unsigned long long)h->at_most[i]);
	unsigned long long count = h ? (unsigned long long)h->count : 0;
	put(b, "%s_bucket{le=\"+Inf\"} %llu\n", name, count);
	put(b, "%s_sum %.9g\n%s_count %llu\n", name, h ? h->sum : 0.0, name, count);
}

/* The peers list names ZAP's temporary bans with the other refusals; the
 * metrics put it with the handshakes refused, where it belongs. */
static uint64_t banned(const Ffc__V1__StatsReply *s)
{
	for (size_t i = 0; i < s->n_peers; i++)
		if (!strcmp(s->peers[i]->name, "refused_banned"))
			return s->peers[i]->count;
	return 0;
}

static void render_status(struct metrics_buf *b, const Ffc__V1__StatusReply *s)
{
	head(b, "ffc_info", "gauge",
	     "The running ffcd: its version, security mode and store format.");
	put(b, "ffc_info{version=\"");
	put_label(b, s->version);
	put(b, "\",security_mode=\"");
	put_label(b, s->security_mode);
	put(b, "\",store_format=\"%u\"} 1\n", s->store_format);
	seconds(b, "ffc_start_time_seconds", "When this ffcd started (Unix time).",
	        s->started_at_ms);
	one(b, "ffc_rules", "gauge", "Correlation rules in force.", s->rules);
	one(b, "ffc_store_used_bytes", "gauge", "Bytes in use in the store.", s->store_bytes);
	one(b, "ffc_store_map_bytes", "gauge", "The store's current map size (it grows as needed).",
	    s->store_map_bytes);
	one(b, "ffc_store_map_max_bytes", "gauge",
	    "The most the map may grow to (store.map_size_max): the store is full there.",
	    s->store_map_max_bytes);
	one(b, "ffc_store_fault", "gauge",
	    "1 while the last write failed for a full disk or an I/O error (concerns are refused).",
	    s->store_fault[0] ? 1 : 0);
	one(b, "ffc_store_disk_full_total", "counter",
	    "Writes refused for a full disk since this ffcd started.", s->disk_full);
}

static void render_stats(struct metrics_buf *b, const Ffc__V1__StatsReply *s, int64_t now_ms,
                         int64_t started_at_ms)
{
	labelled(b, "ffc_concerns_stored", "gauge", "Concerns stored, by agency.", "agency",
	         s->concerns_by_agency, s->n_concerns_by_agency);
	one(b, "ffc_children", "gauge", "Children known.", s->children);
	labelled(b, "ffc_receipts_total", "counter",
	         "Receipts sent since this ffcd started, by status.", "status",
	         s->receipts_by_status, s->n_receipts_by_status);
	labelled(b, "ffc_rejects_total", "counter",
	         "Concerns rejected since this ffcd started, by reason (numbers taken out).",
	         "reason", s->rejects_by_reason, s->n_rejects_by_reason);
	labelled(b, "ffc_alerts_raised_total", "counter", "Alerts raised, by level.", "level",
	         s->alerts_by_level, s->n_alerts_by_level);
	labelled(b, "ffc_alerts_raised_by_rule_total", "counter", "Alerts raised, by rule.", "rule",
	         s->alerts_by_rule, s->n_alerts_by_rule);
	one(b, "ffc_alerts_overdue", "gauge",
	    "Open alerts nobody acknowledged within their response time, now.", s->overdue);
	one(b, "ffc_overdue_reminders_total", "counter", "Overdue reminders published.",
	    s->reminders);
	one(b, "ffc_batches_total", "counter", "Ingest batches committed since this ffcd started.",
	    s->batches);
	histogram(b, "ffc_batch_size", "Concerns per ingest batch.", s->batch_sizes);
	histogram(b, "ffc_batch_commit_seconds",
	          "Seconds from an ingest batch in hand to its synced commit.", s->batch_seconds);
	seconds(b, "ffc_last_batch_timestamp_seconds",
	        "When the last ingest batch was committed (Unix time; 0: none since start).",
	        s->last_batch_at_ms);
	int64_t since = s->last_batch_at_ms ? s->last_batch_at_ms : started_at_ms;
	seconds(b, "ffc_last_batch_age_seconds",
	        "Seconds since the last ingest batch was committed (since the start when none).",
	        now_ms > since ? now_ms - since : 0);
	one(b, "ffc_consoles_connected", "gauge", "Connections open on the alerts socket.",
	    s->consoles);
	one(b, "ffc_adapters_connected", "gauge", "Connections open on the ingest socket.",
	    s->adapters);
	head(b, "ffc_zap_refused_total", "counter",
	     "CURVE handshakes refused since this ffcd started, by reason.");
	const struct {
		const char *reason;
		uint64_t n;
	} zap[] = {{"unknown_key", s->refused_unknown_key},
	           {"role", s->refused_role},
	           {"malformed", s->refused_malformed},
	           {"banned", banned(s)}};
	for (size_t i = 0; i < sizeof zap / sizeof zap[0]; i++)
		put(b, "ffc_zap_refused_total{reason=\"%s\"} %llu\n", zap[i].reason,
		    (unsigned long long)zap[i].n);
	head(b, "ffc_peer_refused_total", "counter",
	     "What peers sent that the sockets refused or could not answer, since this ffcd "
	     "started, by kind.");
	for (size_t i = 0; i < s->n_peers; i++) {
		if (!strcmp(s->peers[i]->name, "refused_banned"))
			continue;
		put(b, "ffc_peer_refused_total{kind=\"");
		put_label(b, s->peers[i]->name);
		put(b, "\"} %llu\n", (unsigned long long)s->peers[i]->count);
	}
	labelled(b, "ffc_possible_matches", "gauge", "Possible matches found, by kind.", "kind",
	         s->matches_by_kind, s->n_matches_by_kind);
	one(b, "ffc_identity_merges_total", "counter", "Children merged.", s->merges);
	one(b, "ffc_identity_splits_total", "counter", "Operators' unlinks.", s->splits);
	one(b, "ffc_identity_conflicts_total", "counter", "Identity conflicts recorded.",
	    s->identity_conflicts);
	one(b, "ffc_control_refused_total", "counter",
	    "Control requests refused for the caller's role or a missing purpose.",
	    s->control_refused);
	one(b, "ffc_audit_entries", "gauge", "Entries in the audit trail.", s->audit_entries);
}

void metrics_render(struct metrics_buf *b, const Ffc__V1__StatusReply *status,
                    const Ffc__V1__StatsReply *stats)
{
	int up = status && stats;
	one(b, "ffc_up", "gauge", "1 when ffcd answered this scrape on its control socket.", up);
	if (!up)
		return;
	render_status(b, status);
	render_stats(b, stats, status->now_ms, status->started_at_ms);
}

int metrics_health(const Ffc__V1__StatusReply *status, const char *error, char *reason, size_t len)
{
	if (!status) {
		snprintf(reason, len, "%s", error && error[0] ? error : "ffcd: no answer");
		return 503;
	}
	if (status->store_fault[0]) {
		char at[40];
		ffc_format_time(status->store_fault_at_ms, at, sizeof at);
		snprintf(reason, len, "store: %s since %s UTC", status->store_fault, at);
		return 503;
	}
	snprintf(reason, len, "ok: ffcd %s up %llu s", status->version,
	         (unsigned long long)status->uptime_s);
	return 200;
}
