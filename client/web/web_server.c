/*
 * web_server.c - ffc-web's HTTP side: listening (libmicrohttpd, one thread
 * per connection; TLS with the configured certificate), the security
 * headers on every response, the static assets compiled in, the pages,
 * signing in and out, sessions carried by cookie, and the CSRF token every
 * change must carry. The only file, with web_stream.c, that includes
 * microhttpd.h.
 *
 * Owns who is asking and whether they may ask at all. What ffcd is asked
 * for them is web_api.c's; the live stream is web_stream.c's.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "web.h"
#include "web_assets.h"

/* ---- log and clock ---- */

void web_log(const char *level, const char *fmt, ...)
{
	char when[32];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_list ap;
	va_start(ap, fmt);
	flockfile(stderr);
	fprintf(stderr, "%s ffc-web %s: ", when, level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	funlockfile(stderr);
	va_end(ap);
}

int64_t web_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t web_monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- replies ---- */

int web_error(struct web_reply *out, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_t *o = json_pack("{s:s}", "error", msg);
	out->status = status;
	out->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	out->type = NULL;
	json_decref(o);
	return 0;
}

const char *web_query(const struct web_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_header(const struct web_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

/* The browser may run only this program's own scripts and styles, load
 * nothing from elsewhere, and never frame a page. */
#define CSP                                                                                        \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "                \
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

static void security_headers(const struct web *w, struct MHD_Response *r)
{
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(r, "Permissions-Policy",
	                        "camera=(), microphone=(), geolocation=()");
	if (w->cfg.transport != WEB_DEV_HTTP)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

/* The session cookie's name: with TLS (here or at a proxy) the __Host-
 * prefix, which browsers accept only Secure, for this host and path /. */
static const char *cookie_name(const struct web *w, int login)
{
	if (w->cfg.transport == WEB_DEV_HTTP)
		return login ? "ffc_login" : "ffc_session";
	return login ? "__Host-ffc_login" : "__Host-ffc_session";
}

static void set_cookie(const struct web *w, struct MHD_Response *r, int login, const char *value,
                       int64_t max_age_s)
{
	char c[256];
	snprintf(c, sizeof c, "%s=%s; Path=/; Max-Age=%lld; HttpOnly;%s SameSite=Strict",
	         cookie_name(w, login), value, (long long)max_age_s,
	         w->cfg.transport == WEB_DEV_HTTP ? "" : " Secure;");
	MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, c);
}

static enum MHD_Result send_response(struct web *w, struct MHD_Connection *c, int status,
                                     char *body, const char *type, const char *location,
                                     struct MHD_Response *ready)
{
	struct MHD_Response *r = ready ? ready
	                               : MHD_create_response_from_buffer(
	                                     body ? strlen(body) : 0, body,
	                                     body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	security_headers(w, r);
	if (!ready) {
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        type ? type : "application/json; charset=utf-8");
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	}
	if (location)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return rc;
}

/* ---- accounts, read again when the file changes ---- */

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* With w->mu held. A file that changed is read again; a bad one is
 * reported and the accounts read before stay. Sessions of accounts no
 * longer listed end. */
static void accounts_refresh(struct web *w)
{
	struct stat st;
	if (stat(w->cfg.accounts, &st) < 0)
		memset(&st, 0, sizeof st);
	if (same_file(&st, &w->accounts_stat))
		return;
	w->accounts_stat = st;
	struct web_accounts fresh = {0};
	char err[512];
	if (web_accounts_load(w->cfg.accounts, 1, &fresh, err, sizeof err) < 0) {
		web_log("ERROR", "%s; the accounts read before stay in force", err);
		return;
	}
	for (size_t i = 0; i < SESSIONS_MAX; i++) {
		const char *name = w->sessions.s[i].name;
		if (w->sessions.s[i].token[0] && !web_accounts_find(&fresh, name)) {
			web_log("INFO", "%s: no longer an account; signed out", name);
			sessions_end_named(&w->sessions, name);
		}
	}
	web_accounts_free(&w->accounts);
	w->accounts = fresh;
	web_log("INFO", "%s: %zu accounts", w->cfg.accounts, w->accounts.n);
}

enum web_role web_current_role(struct web *w, const char *name)
{
	pthread_mutex_lock(&w->mu);
	accounts_refresh(w);
	const struct web_account *a = web_accounts_find(&w->accounts, name);
	enum web_role r = a ? a->role : 0;
	pthread_mutex_unlock(&w->mu);
	return r;
}

/* The session this request's cookie names, copied into *who. touch: the
 * person made this request. 1 found, 0 none. */
static int session_of(struct web *w, struct MHD_Connection *c, int touch, struct web_session *who)
{
	const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, cookie_name(w, 0));
	if (!token)
		return 0;
	pthread_mutex_lock(&w->mu);
	accounts_refresh(w);
	struct web_session *s = sessions_find(&w->sessions, token, web_now_ms(), touch);
	const struct web_account *a = s ? web_accounts_find(&w->accounts, s->name) : NULL;
	if (s && a) {
		s->role = a->role; /* as the file says now */
		*who = *s;
	}
	pthread_mutex_unlock(&w->mu);
	return s && a;
}

/* ---- pages ---- */

static const struct web_asset *asset(const char *path)
{
	for (size_t i = 0; i < web_n_assets; i++)
		if (!strcmp(web_assets[i].path, path))
			return &web_assets[i];
	return NULL;
}

static char *html_escape(const char *s)
{
	size_t n = 1;
	for (const char *p = s; *p; p++)
		n += strchr("<>&\"'", *p) ? 6 : 1;
	char *out = malloc(n), *o = out;
	if (!out)
		return NULL;
	for (; *s; s++) {
		const char *e = *s == '<'    ? "&lt;"
		                : *s == '>'  ? "&gt;"
		                : *s == '&'  ? "&amp;"
		                : *s == '"'  ? "&quot;"
		                : *s == '\'' ? "&#39;"
		                             : NULL;
		if (e)
			o += sprintf(o, "%s", e);
		else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

/* An asset with each {{key}} of keys replaced by values[i] (as given:
 * the caller escapes), other text as it is. NULL when out of memory. */
static char *fill(const struct web_asset *t, const char *const *keys, const char *const *values,
                  size_t n)
{
	size_t cap = t->len + 1;
	for (size_t i = 0; i < n; i++)
		cap += strlen(values[i]);
	char *out = malloc(cap), *o = out;
	const char *p = (const char *)t->data, *end = p + t->len;
	while (out && p < end) {
		const char *next = memmem(p, (size_t)(end - p), "{{", 2);
		size_t len = next ? (size_t)(next - p) : (size_t)(end - p);
		memcpy(o, p, len);
		o += len;
		p += len;
		if (!next)
			break;
		size_t i = 0;
		while (i < n && !(!strncmp(p + 2, keys[i], strlen(keys[i])) &&
		                  !strncmp(p + 2 + strlen(keys[i]), "}}", 2)))
			i++;
		if (i < n) {
			o = stpcpy(o, values[i]);
			p += strlen(keys[i]) + 4;
		} else {
			*o++ = *p++;
		}
	}
	if (out)
		*o = '\0';
	return out;
}

/* The sign-in page with its form token and a message (text, escaped
 * here). */
static char *login_page(const char *token, const char *message)
{
	const struct web_asset *t = asset("login.html");
	char *msg = html_escape(message ? message : "");
	static const char *const keys[] = {"csrf", "message"};
	const char *values[] = {token, msg};
	char *out = t && msg ? fill(t, keys, values, 2) : NULL;
	free(msg);
	return out;
}

static enum MHD_Result show_login(struct web *w, struct MHD_Connection *c, int status,
                                  const char *message)
{
	char token[WEB_TOKEN_LEN + 1];
	web_token_new(token);
	char *page = login_page(token, message);
	if (!page)
		return MHD_NO;
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(page), page, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	set_cookie(w, r, 1, token, 3600);
	return send_response(w, c, status, NULL, NULL, NULL, r);
}

static enum MHD_Result redirect(struct web *w, struct MHD_Connection *c, const char *to)
{
	return send_response(w, c, MHD_HTTP_SEE_OTHER, NULL, "text/plain", to, NULL);
}

/* A script or style sheet. The pages' HTML is served only as pages,
 * behind a sign-in (serve_page, show_login). */
static enum MHD_Result serve_asset(struct web *w, struct MHD_Connection *c, const char *path)
{
	const struct web_asset *a = asset(path);
	size_t n = strlen(path);
	if (!a || (n >= 5 && !strcmp(path + n - 5, ".html")))
		return send_response(w, c, MHD_HTTP_NOT_FOUND, strdup("not found\n"), "text/plain",
		                     NULL, NULL);
	struct MHD_Response *r = MHD_create_response_from_buffer(a->len, (void *)(uintptr_t)a->data,
	                                                         MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
	/* Scripts and styles change with the program only. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "private, max-age=300");
	return send_response(w, c, MHD_HTTP_OK, NULL, NULL, NULL, r);
}

/* ---- signing in and out ---- */

static void minutes_text(int64_t ms, char *buf, size_t len)
{
	long m = (long)((ms + 59999) / 60000);
	snprintf(buf, len, "%ld minute%s", m, m == 1 ? "" : "s");
}

static enum MHD_Result sign_in(struct web *w, struct MHD_Connection *c, const struct web_form *f)
{
	const char *name = web_form_get(f, "name"), *password = web_form_get(f, "password");
	const char *form_token = web_form_get(f, "csrf");
	const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, cookie_name(w, 1));
	if (!form_token || !cookie || !web_token_same(form_token, cookie))
		return show_login(w, c, MHD_HTTP_FORBIDDEN,
		                  "The sign-in form had expired. Please sign in again.");
	if (!name || !password || !name[0] || !password[0])
		return show_login(w, c, MHD_HTTP_BAD_REQUEST, "Give your name and password.");
	if (!web_name_valid(name) || strlen(password) > WEB_PASSWORD_MAX)
		return show_login(w, c, MHD_HTTP_UNAUTHORIZED, "Wrong name or password.");
	char why[160], wait[32];
	pthread_mutex_lock(&w->mu);
	int64_t locked = lockout_remaining(&w->lockout, name, web_now_ms());
	accounts_refresh(w);
	const struct web_account *a = web_accounts_find(&w->accounts, name);
	struct web_account acct = a ? *a : (struct web_account){.role = 0};
	if (!a)
		snprintf(acct.hash, sizeof acct.hash, "%s", w->dummy_hash);
	pthread_mutex_unlock(&w->mu);
	if (locked > 0) {
		minutes_text(locked, wait, sizeof wait);
		snprintf(why, sizeof why,
		         "Too many failed sign-ins: this account is locked. Try again in %s.",
		         wait);
		web_log("WARN", "sign-in refused for %s: locked", name);
		return show_login(w, c, MHD_HTTP_TOO_MANY_REQUESTS, why);
	}
	/* A name with no account is checked against a dummy hash: the same
	 * time, and counted the same, so nobody learns who has an account. */
	sem_wait(&w->verify_slots);
	int good = web_password_verify(acct.hash, password) && a;
	sem_post(&w->verify_slots);
	pthread_mutex_lock(&w->mu);
	int left = 0;
	int64_t now_locked = 0;
	const struct web_session *s = NULL;
	struct web_session copy;
	if (good) {
		lockout_succeeded(&w->lockout, name);
		s = sessions_begin(&w->sessions, name, acct.role, web_now_ms());
		copy = *s;
	} else {
		now_locked = lockout_failed(&w->lockout, name, web_now_ms(), &left);
	}
	pthread_mutex_unlock(&w->mu);
	sodium_memzero(&acct, sizeof acct);
	if (!good) {
		if (now_locked > 0) {
			minutes_text(now_locked, wait, sizeof wait);
			web_log("WARN", "sign-in refused for %s: wrong password; locked for %s",
			        name, wait);
			snprintf(
			    why, sizeof why,
			    "Too many failed sign-ins: this account is locked. Try again in %s.",
			    wait);
			return show_login(w, c, MHD_HTTP_TOO_MANY_REQUESTS, why);
		}
		web_log("WARN",
		        "sign-in refused for %s: wrong name or password (%d more before a lock)",
		        name, left);
		return show_login(w, c, MHD_HTTP_UNAUTHORIZED, "Wrong name or password.");
	}
	web_log("INFO", "%s signed in (%s)", name, web_role_name(copy.role));
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	set_cookie(w, r, 0, copy.token, w->cfg.session_ms / 1000);
	set_cookie(w, r, 1, "", 0);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	sodium_memzero(&copy, sizeof copy);
	return send_response(w, c, MHD_HTTP_SEE_OTHER, NULL, NULL, "/alerts", r);
}

static enum MHD_Result sign_out(struct web *w, struct MHD_Connection *c,
                                const struct web_session *who)
{
	pthread_mutex_lock(&w->mu);
	sessions_end(&w->sessions, who->token);
	pthread_mutex_unlock(&w->mu);
	web_log("INFO", "%s signed out", who->name);
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	set_cookie(w, r, 0, "", 0);
	return send_response(w, c, MHD_HTTP_SEE_OTHER, NULL, NULL, "/login", r);
}

/* ---- one request ---- */

/* A request's body as it arrives; freed when the request completes. */
struct body {
	size_t len;
	int too_big;
	char data[WEB_FORM_MAX];
};

/* The pages: each its own main content (static/NAME.html) and script,
 * served in the one shell (static/shell.html) with the navigation made
 * here, the page's own entry marked current. In the order of the
 * navigation; admin: offered to admins only (common.js hides it; ffcd
 * refuses the rest anyway). */
static const struct page {
	const char *path, *content, *title, *script;
	int admin;
} pages[] = {
    {"/alerts", "alerts.html", "Open alerts", "alerts.js", 0},
    {"/family", "family.html", "A child or a family", "family.js", 0},
    {"/notices", "notices.html", "Notices and feedback", "notices.js", 0},
    {"/figures", "figures.html", "Figures", "figures.js", 0},
    {"/admin", "admin.html", "Operators", "admin.js", 1},
};
#define N_PAGES (sizeof pages / sizeof pages[0])

static const struct page *page_of(const char *url)
{
	/* /child: the page's earlier name, still in people's links. */
	if (!strcmp(url, "/child"))
		url = "/family";
	for (size_t i = 0; i < N_PAGES; i++)
		if (!strcmp(url, pages[i].path))
			return &pages[i];
	return NULL;
}

static enum MHD_Result serve_page(struct web *w, struct MHD_Connection *c, const struct page *pg)
{
	char nav[1024];
	size_t at = 0;
	for (size_t i = 0; i < N_PAGES && at < sizeof nav; i++)
		at += (size_t)snprintf(
		    nav + at, sizeof nav - at, "      <li%s><a href=\"%s\"%s>%s</a></li>\n",
		    pages[i].admin ? " data-role=\"admin\" hidden" : "", pages[i].path,
		    &pages[i] == pg ? " aria-current=\"page\"" : "", pages[i].title);
	const struct web_asset *shell = asset("shell.html"), *content = asset(pg->content);
	char *main_html = content ? strndup((const char *)content->data, content->len) : NULL;
	static const char *const keys[] = {"title", "script", "nav", "main"};
	const char *values[] = {pg->title, pg->script, nav, main_html};
	char *body = shell && main_html && at < sizeof nav ? fill(shell, keys, values, 4) : NULL;
	free(main_html);
	if (!body)
		return MHD_NO;
	/* Pages are behind a sign-in: never kept (send_response's no-store). */
	return send_response(w, c, MHD_HTTP_OK, body, "text/html; charset=utf-8", NULL, NULL);
}

static enum MHD_Result handle(struct web *w, struct MHD_Connection *c, const char *url, int post,
                              struct body *b)
{
	char err[160];
	struct web_form *form = NULL;
	if (post) {
		const char *type =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (b->too_big)
			return send_response(w, c, MHD_HTTP_CONTENT_TOO_LARGE,
			                     strdup("{\"error\":\"request: too large\"}"), NULL,
			                     NULL, NULL);
		if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0)
			return send_response(
			    w, c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			    strdup(
			        "{\"error\":\"request: send application/x-www-form-urlencoded\"}"),
			    NULL, NULL, NULL);
		form = malloc(sizeof *form);
		if (!form)
			return MHD_NO;
		if (web_form_parse(b->data, b->len, form, err, sizeof err) < 0) {
			free(form);
			struct web_reply e = {0};
			web_error(&e, MHD_HTTP_BAD_REQUEST, "%s", err);
			return send_response(w, c, e.status, e.body, NULL, NULL, NULL);
		}
	}
	enum MHD_Result rc;
	if (!strcmp(url, "/login") && post) {
		rc = sign_in(w, c, form);
		free(form);
		return rc;
	}
	if (!post && !strncmp(url, "/static/", 8))
		return serve_asset(w, c, url + 8);
	struct web_session who;
	int signed_in = session_of(w, c, 1, &who);
	if (!post && !strcmp(url, "/login"))
		return signed_in ? redirect(w, c, "/alerts")
		                 : show_login(w, c, MHD_HTTP_OK,
		                              MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
		                                                          "ended")
		                                  ? "Your session ended. Please sign in again."
		                                  : "");
	if (!post && (!strcmp(url, "/") || page_of(url))) {
		if (!signed_in)
			return redirect(w, c, "/login");
		if (!strcmp(url, "/"))
			return redirect(w, c, "/alerts");
		return serve_page(w, c, page_of(url));
	}
	if (!signed_in) {
		free(form);
		struct web_reply e = {0};
		web_error(&e, MHD_HTTP_UNAUTHORIZED,
		          "session: not signed in, or the session ended");
		return send_response(w, c, e.status, e.body, NULL, NULL, NULL);
	}
	/* Every change carries the session's CSRF token, as a header (the
	 * pages' scripts) or a form field (the sign-out form). */
	if (post) {
		const char *token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
		if (!token)
			token = web_form_get(form, "csrf");
		if (!token || !web_token_same(token, who.csrf)) {
			web_log("WARN", "%s: POST %s refused: no valid CSRF token", who.name, url);
			free(form);
			sodium_memzero(&who, sizeof who);
			struct web_reply e = {0};
			web_error(
			    &e, MHD_HTTP_FORBIDDEN,
			    "csrf: the request did not carry this session's token; reload the "
			    "page");
			return send_response(w, c, e.status, e.body, NULL, NULL, NULL);
		}
		if (!strcmp(url, "/logout")) {
			rc = sign_out(w, c, &who);
			free(form);
			sodium_memzero(&who, sizeof who);
			return rc;
		}
	}
	struct web_request rq = {w, c, url, post, who, form};
	struct web_reply out = {0};
	if (web_api(&rq, &out) < 0)
		web_error(&out, MHD_HTTP_NOT_FOUND, "%s: no such page", url);
	free(form);
	sodium_memzero(&rq.who, sizeof rq.who);
	sodium_memzero(&who, sizeof who);
	if (!out.body && !out.response)
		return MHD_NO;
	return send_response(w, c, out.status, out.body, out.type, NULL, out.response);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
	struct web *w = cls;
	(void)version;
	int post = !strcmp(method, MHD_HTTP_METHOD_POST);
	if (!post && strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		struct MHD_Response *r =
		    MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD, POST");
		return send_response(w, c, MHD_HTTP_METHOD_NOT_ALLOWED, NULL, NULL, NULL, r);
	}
	if (!*con_cls) {
		/* First call: the headers. A POST's body follows in pieces;
		 * one announced too large is refused before it is read. */
		const char *length =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (post && length && strtoull(length, NULL, 10) > WEB_FORM_MAX)
			return send_response(w, c, MHD_HTTP_CONTENT_TOO_LARGE,
			                     strdup("{\"error\":\"request: too large\"}"), NULL,
			                     NULL, NULL);
		struct body *b = post ? calloc(1, sizeof *b) : NULL;
		if (post && !b)
			return MHD_NO;
		*con_cls = post ? (void *)b : (void *)w;
		return MHD_YES;
	}
	if (!post && *upload_size) {
		*upload_size = 0; /* a body with a GET: not read */
		return MHD_YES;
	}
	struct body *b = post ? *con_cls : NULL;
	if (w->cfg.verbose && (!post || !*upload_size))
		web_log("INFO", "%s %s", method, url);
	if (post && *upload_size) {
		if (b->len + *upload_size > sizeof b->data)
			b->too_big = 1;
		else
			memcpy(b->data + b->len, upload_data, *upload_size);
		if (!b->too_big)
			b->len += *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	return handle(w, c, url, post, b);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
	struct web *w = cls;
	(void)c;
	(void)why;
	if (*con_cls && *con_cls != (void *)w) {
		sodium_memzero(*con_cls, sizeof(struct body));
		free(*con_cls);
	}
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	web_log("WARN", "http: %s", msg);
}

/* ---- listening ---- */

/* "HOST:PORT" or "[V6]:PORT" into addr. 0, or -1 with the reason. */
static int listen_address(const char *spec, struct sockaddr_storage *addr, char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec || strlen(spec) >= sizeof host) {
		snprintf(err, errlen, "--listen %s: expected HOST:PORT, e.g. 127.0.0.1:7480", spec);
		return -1;
	}
	size_t hlen = (size_t)(colon - spec);
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535) {
		snprintf(err, errlen, "--listen %s: '%s' is not a port (1 to 65535)", spec,
		         colon + 1);
		return -1;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
	int rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "--listen %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	memset(addr, 0, sizeof *addr);
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

static int loopback(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
	if (a->ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)a)->sin6_addr);
	return 0;
}

/* A PEM file's text, NUL-terminated, malloc'd; NULL with the reason. */
static char *read_pem(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(65537);
	size_t n = buf ? fread(buf, 1, 65536, f) : 0;
	int too_big = buf && n == 65536 && fgetc(f) != EOF;
	fclose(f);
	if (!buf || too_big || n == 0) {
		snprintf(err, errlen, "%s: %s", path,
		         !buf      ? "out of memory"
		         : too_big ? "over 64 KiB"
		                   : "empty");
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (!strstr(buf, "-----BEGIN ")) {
		snprintf(err, errlen, "%s: not a PEM file", path);
		sodium_memzero(buf, n);
		free(buf);
		return NULL;
	}
	return buf;
}

int web_server_start(struct web *w, char *err, size_t errlen)
{
	const struct web_config *cfg = &w->cfg;
	struct sockaddr_storage addr;
	if (listen_address(cfg->listen, &addr, err, errlen) < 0)
		return -1;
	if (cfg->transport != WEB_TLS && !loopback(&addr)) {
		snprintf(
		    err, errlen,
		    "--listen %s: plain HTTP only on loopback (127.0.0.1, ::1); give --tls-cert "
		    "and --tls-key to serve others",
		    cfg->listen);
		return -1;
	}
	/* The accounts must be readable and good now: a mistake is found at
	 * start, not at the first sign-in. */
	if (web_accounts_load(cfg->accounts, 0, &w->accounts, err, errlen) < 0)
		return -1;
	stat(cfg->accounts, &w->accounts_stat);
	if (w->accounts.n == 0)
		web_log("WARN", "%s: no accounts yet (ffc-web passwd NAME --role ROLE)",
		        cfg->accounts);
	char *key = NULL, *cert = NULL;
	if (cfg->transport == WEB_TLS) {
		if (!(cert = read_pem(cfg->tls_cert, err, errlen)) ||
		    !(key = read_pem(cfg->tls_key, err, errlen))) {
			free(cert);
			return -1;
		}
	}
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	                 MHD_USE_ERROR_LOG | (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
	                 (cfg->transport == WEB_TLS ? MHD_USE_TLS : 0);
	/* Behind a proxy every connection comes from it: no limit per address. */
	unsigned per_ip = cfg->transport == WEB_PROXY ? 0 : 32;
	struct MHD_OptionItem tls[] = {
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
	    {MHD_OPTION_HTTPS_MEM_CERT, 0, cert},
	    {MHD_OPTION_END, 0, NULL},
	};
	w->mhd = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, w, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)WEB_CONNECTIONS_MAX, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
	    MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, w, MHD_OPTION_ARRAY,
	    cfg->transport == WEB_TLS ? tls : tls + 2, MHD_OPTION_END);
	/* Kept as long as the daemon runs: libmicrohttpd holds the pointers. */
	w->tls_key = key;
	w->tls_cert = cert;
	if (!w->mhd) {
		snprintf(err, errlen, "--listen %s: cannot listen there (in use, or not allowed)",
		         cfg->listen);
		return -1;
	}
	return 0;
}

void web_server_stop(struct web *w)
{
	if (w->mhd)
		MHD_stop_daemon(w->mhd);
	w->mhd = NULL;
	if (w->tls_key)
		sodium_memzero(w->tls_key, strlen(w->tls_key));
	free(w->tls_key);
	free(w->tls_cert);
	w->tls_key = w->tls_cert = NULL;
}
