/*
 * ffc-metrics - serves ffcd's figures to Prometheus and a health answer to
 * load balancers, over HTTP on a loopback address. Each scrape asks the
 * control socket for status and stats as a viewer (ffcd's own loop does
 * no HTTP), and answers within the control timeout however the daemon
 * fares: ffc_up 0 or a 503 when it does not answer.
 *
 * Owns the command line, the HTTP side (libmicrohttpd, one internal
 * thread) and the short cache that bounds what scrapes cost the daemon;
 * the text served is ffc_metrics_text.c's.
 */
#define _GNU_SOURCE /* getopt_long */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "common.h"
#include "ffc_metrics_text.h"

const char *tool_name = "ffc-metrics";

#define DEFAULT_LISTEN    "127.0.0.1:9740"
#define DEFAULT_SCRAPE_MS 2000
/* Scrapes within this long of the last answer share it: however many
 * clients ask, the daemon answers at most a few requests a second. */
#define CACHE_MS 1000
/* HTTP connections at once, and how long an idle one is kept. */
#define CONNECTIONS_MAX   16
#define CONNECTION_IDLE_S 10

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: ffc-metrics [OPTION]...\n"
	        "Serve ffcd's figures to Prometheus, and a health answer, over HTTP.\n"
	        "\n"
	        "Each request to /metrics asks ffcd's control socket for its status and stats\n"
	        "(as a viewer: the least role) and answers in the Prometheus text format;\n"
	        "/health answers 200 when ffcd answers and its store has no fault, 503\n"
	        "otherwise, with a one-line reason, for a load balancer or a monitoring agent\n"
	        "that has no access to the control socket. Requests within a second of the\n"
	        "last share its answer. It listens on loopback only: to serve other hosts,\n"
	        "put a proxy with TLS and authentication in front.\n"
	        "\n"
	        "Options:\n"
	        "  -l, --listen=ADDR:PORT   where to serve HTTP: 127.0.0.1:PORT (any 127.x.y.z),\n"
	        "                           localhost:PORT or [::1]:PORT (default\n"
	        "                           $FFC_METRICS_LISTEN or " DEFAULT_LISTEN ")\n"
	        "  -c, --control=EP         ffcd's control endpoint (default $FFC_CONTROL or\n"
	        "                           " DEFAULT_CONTROL ")\n"
	        "  -o, --operator=NAME      on an ipc:// control socket, the operator to ask as:\n"
	        "                           one of this Unix user's security.operators, a viewer\n"
	        "                           is enough (default $FFC_OPERATOR, else $USER)\n"
	        "  -k, --key=FILE           CURVE, on a tcp:// control socket: this program's\n"
	        "                           secret certificate, of a key with the viewer role\n"
	        "                           (default $FFC_KEY)\n"
	        "  -K, --server-key=FILE    CURVE: the daemon's public certificate (default\n"
	        "                           $FFC_SERVER_KEY)\n"
	        "  -t, --timeout=MS         how long to wait for ffcd on each scrape, 100 to\n"
	        "                           60000 (default 2000); keep it under Prometheus's\n"
	        "                           scrape_timeout\n"
	        "  -h, --help               this help, then exit\n"
	        "  -V, --version            the version, then exit\n"
	        "\n"
	        "Paths:\n"
	        "  /metrics   the Prometheus text format (version 0.0.4): ffc_up, ffc_info,\n"
	        "             concerns stored by agency, receipts by status, rejects by reason,\n"
	        "             alerts raised by level and by rule, alerts overdue, the batch size\n"
	        "             and commit time histograms, the last batch's time and age,\n"
	        "             consoles and adapters connected, CURVE handshakes refused by\n"
	        "             reason, the store's size, map and maximum, store faults\n"
	        "  /health    200 \"ok: ...\" or 503 and the reason, as text/plain\n"
	        "\n"
	        "Exit status: 0 after SIGINT or SIGTERM, 1 when it cannot serve (the\n"
	        "address is in use, a key cannot be read), 2 for a bad option.\n"
	        "\n"
	        "Example:\n"
	        "  ffc-metrics --listen 127.0.0.1:9740 --control ipc:///var/lib/ffc/control.sock\n"
	        "and in prometheus.yml a job scraping 127.0.0.1:9740, with the alerting rules\n"
	        "of ffc-alerts.yml (conf/prometheus/, installed under share/ffc/prometheus/).\n");
}

/* ---- the address ---- */

struct listen_addr {
	struct sockaddr_storage sa;
	int ipv6;
};

_Noreturn static void not_loopback(const char *host)
{
	tool_exit(EXIT_USAGE,
	          "--listen: %s is not a loopback address (127.0.0.0/8, ::1, localhost); put a "
	          "proxy with TLS and authentication in front to serve other hosts",
	          host);
}

/* ADDR:PORT on loopback only, or exit 2 naming what is wrong. */
static void parse_listen(const char *text, struct listen_addr *out)
{
	char host[64];
	const char *colon;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof host)
			tool_exit(EXIT_USAGE, "--listen: '%s' is not [ADDR]:PORT", text);
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon || (size_t)(colon - text) >= sizeof host)
			tool_exit(EXIT_USAGE, "--listen: '%s' is not ADDR:PORT", text);
		memcpy(host, text, (size_t)(colon - text));
		host[colon - text] = '\0';
	}
	long long port = tool_number("--listen: port", colon + 1, 1, 65535);
	memset(out, 0, sizeof *out);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		if ((ntohl(v4->sin_addr.s_addr) >> 24) != 127)
			not_loopback(host);
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		return;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr))
			not_loopback(host);
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		out->ipv6 = 1;
		return;
	}
	tool_exit(EXIT_USAGE, "--listen: '%s' is not an IP address or localhost", host);
}

/* ---- asking the daemon ---- */

struct scraper {
	const char *control;
	const char *operator_name;
	int timeout_ms;
	/* The last answer (both NULL when the daemon did not answer) and
	 * when it came, on the monotonic clock. */
	Ffc__V1__ControlReply *status, *stats;
	char error[256];
	int64_t at_ms;
	int was_up; /* -1 at start: the first outcome is logged */
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One request; NULL with sc->error set when it fails. */
static Ffc__V1__ControlReply *ask(struct scraper *sc, Ffc__V1__ControlRequest *req)
{
	Ffc__V1__ControlReply *r = NULL;
	req->operator_ = (char *)(uintptr_t)sc->operator_name;
	int rc = ffc_control_call(sc->control, req, &r, sc->timeout_ms);
	if (rc == FFC_ETIMEOUT)
		snprintf(sc->error, sizeof sc->error, "ffcd: no answer on %s within %d ms",
		         sc->control, sc->timeout_ms);
	else if (rc == FFC_ENODAEMON)
		snprintf(sc->error, sizeof sc->error, "ffcd: no such socket: %s", sc->control);
	else if (rc != FFC_OK)
		snprintf(sc->error, sizeof sc->error, "ffcd: %s: %s", sc->control,
		         ffc_strerror(rc));
	else if (r->error[0])
		snprintf(sc->error, sizeof sc->error, "ffcd refused: %s", r->error);
	else if (!r->status && !r->stats)
		snprintf(sc->error, sizeof sc->error, "ffcd: an empty reply");
	else
		return r;
	if (r)
		ffc__v1__control_reply__free_unpacked(r, NULL);
	return NULL;
}

static void forget(struct scraper *sc)
{
	if (sc->status)
		ffc__v1__control_reply__free_unpacked(sc->status, NULL);
	if (sc->stats)
		ffc__v1__control_reply__free_unpacked(sc->stats, NULL);
	sc->status = sc->stats = NULL;
}

/* Ask for status and stats unless the last answer is fresh. A change
 * between answering and not is logged, once. */
static void refresh(struct scraper *sc)
{
	int64_t now = monotonic_ms();
	if (sc->at_ms && now - sc->at_ms < CACHE_MS)
		return;
	forget(sc);
	sc->error[0] = '\0';
	Ffc__V1__StatusRequest status = FFC__V1__STATUS_REQUEST__INIT;
	Ffc__V1__StatsRequest stats = FFC__V1__STATS_REQUEST__INIT;
	Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
	req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_STATUS;
	req.status = &status;
	sc->status = ask(sc, &req);
	if (sc->status) {
		req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_STATS;
		req.stats = &stats;
		sc->stats = ask(sc, &req);
		if (!sc->stats)
			forget(sc);
	}
	sc->at_ms = monotonic_ms();
	int up = sc->status != NULL;
	if (up != sc->was_up) {
		if (up)
			fprintf(stderr, "ffc-metrics: ffcd answers on %s\n", sc->control);
		else
			fprintf(stderr, "ffc-metrics: %s\n", sc->error);
		sc->was_up = up;
	}
}

/* ---- HTTP ---- */

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned code, const char *type,
                               const char *body, size_t len)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result text(struct MHD_Connection *conn, unsigned code, const char *line)
{
	char body[320];
	int n = snprintf(body, sizeof body, "%s\n", line);
	size_t len = n < 0 ? 0 : (size_t)n < sizeof body ? (size_t)n : sizeof body - 1;
	return respond(conn, code, "text/plain; charset=utf-8", body, len);
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **con_cls)
{
	(void)version;
	(void)upload;
	struct scraper *sc = cls;
	/* The first call announces the request; answer on the second, once
	 * any body has been read (and refused below). */
	if (!*con_cls) {
		*con_cls = sc;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD");
	if (!strcmp(url, "/metrics")) {
		refresh(sc);
		struct metrics_buf b = {0};
		metrics_render(&b, sc->status ? sc->status->status : NULL,
		               sc->stats ? sc->stats->stats : NULL);
		enum MHD_Result rc =
		    b.failed
		        ? text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory")
		        : respond(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
		                  b.text ? b.text : "", b.len);
		metrics_buf_release(&b);
		return rc;
	}
	if (!strcmp(url, "/health")) {
		refresh(sc);
		char reason[300];
		int code = metrics_health(sc->status ? sc->status->status : NULL, sc->error, reason,
		                          sizeof reason);
		return text(conn, (unsigned)code, reason);
	}
	if (!strcmp(url, "/"))
		return text(conn, MHD_HTTP_OK, "ffc-metrics: /metrics (Prometheus), /health");
	return text(conn, MHD_HTTP_NOT_FOUND, "not found: /metrics or /health");
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fprintf(stderr, "ffc-metrics: http: ");
	vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"control", required_argument, NULL, 'c'},
	    {"operator", required_argument, NULL, 'o'},
	    {"key", required_argument, NULL, 'k'},
	    {"server-key", required_argument, NULL, 'K'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	const char *listen = tool_env("FFC_METRICS_LISTEN", DEFAULT_LISTEN);
	const char *key = tool_env("FFC_KEY", NULL), *server_key = tool_env("FFC_SERVER_KEY", NULL);
	struct scraper sc = {
	    .control = tool_env("FFC_CONTROL", DEFAULT_CONTROL),
	    .operator_name = tool_env("FFC_OPERATOR", tool_env("USER", "")),
	    .timeout_ms = DEFAULT_SCRAPE_MS,
	    .was_up = -1,
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "l:c:o:k:K:t:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'l':
			listen = optarg;
			break;
		case 'c':
			sc.control = optarg;
			break;
		case 'o':
			sc.operator_name = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'K':
			server_key = optarg;
			break;
		case 't':
			sc.timeout_ms = (int)tool_number("--timeout", optarg, 100, 60000);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ffc-metrics %s\n", FFC_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "unexpected argument '%s' (try --help)", argv[optind]);
	if (strncmp(sc.control, "ipc://", 6) && strncmp(sc.control, "tcp://", 6))
		tool_exit(EXIT_USAGE, "--control: '%s' is not ipc://PATH or tcp://HOST:PORT",
		          sc.control);
	struct listen_addr addr;
	parse_listen(listen, &addr);
	tool_curve(key, server_key);

	/* Signals are taken by sigwait() below; the HTTP thread started
	 * after this inherits the mask. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	if (addr.ipv6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	struct MHD_Daemon *http = MHD_start_daemon(
	    flags, 0, NULL, NULL, serve, &sc, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr.sa, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_IDLE_S,
	    MHD_OPTION_END);
	if (!http)
		tool_exit(EXIT_FAIL, "cannot serve HTTP on %s%s%s", listen, errno ? ": " : "",
		          errno ? strerror(errno) : "");
	fprintf(stderr, "ffc-metrics %s: serving http://%s/metrics and /health for %s\n",
	        FFC_VERSION, listen, sc.control);
	int sig = 0;
	while (sigwait(&stop, &sig) != 0)
		;
	MHD_stop_daemon(http);
	forget(&sc);
	fprintf(stderr, "ffc-metrics: signal %d: stopped\n", sig);
	return 0;
}
