/*
 * ffc-web - the MACPT console in a browser: live alerts, a child's story,
 * working an alert, the operators' review and the partnership's figures,
 * for people signed in from its accounts file, each speaking to ffcd
 * through it under their own name and role (see web.h).
 *
 *   ffc-web [--listen ADDR:PORT] [--accounts FILE] (--tls-cert F --tls-key F
 *           | --behind-proxy | --dev-http) [--control EP] [--alerts EP] ...
 *   ffc-web passwd NAME --role viewer|practitioner|admin [--accounts FILE]
 *   ffc-web passwd NAME --remove [--accounts FILE]
 *
 * Owns the command line, start-up and shutdown order, and `passwd`.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common.h"
#include "web.h"

const char *tool_name = "ffc-web";

#define DEFAULT_LISTEN   "127.0.0.1:7480"
#define DEFAULT_ACCOUNTS "var/web-accounts"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ffc-web [--listen ADDR:PORT] [--accounts FILE]\n"
	        "               (--tls-cert FILE --tls-key FILE | --behind-proxy | --dev-http)\n"
	        "               [--control EP] [--alerts EP] [--operator NAME]\n"
	        "               [--key FILE --server-key FILE] [--session-hours N]\n"
	        "               [--idle-minutes N] [--lockout-after N] [--lockout-minutes N]\n"
	        "       ffc-web passwd NAME --role viewer|practitioner|admin [--accounts FILE]\n"
	        "       ffc-web passwd NAME --remove [--accounts FILE]\n"
	        "\n"
	        "The MACPT console in a browser: open alerts live, a child's record for a\n"
	        "purpose, working an alert, operators' review, the partnership's figures.\n"
	        "Every request is ffcd's to decide, as the person signed in (up to the role\n"
	        "ffc-web's own entry in ffcd's security config has: delegate = true).\n"
	        "\n"
	        "  --listen ADDR:PORT  where to serve (default $FFC_WEB_LISTEN or " DEFAULT_LISTEN
	        ")\n"
	        "  --accounts FILE     the accounts (default $FFC_WEB_ACCOUNTS or " DEFAULT_ACCOUNTS
	        ")\n"
	        "  --tls-cert FILE     HTTPS with this certificate (PEM, the chain) and\n"
	        "  --tls-key FILE      its private key (PEM)\n"
	        "  --behind-proxy      plain HTTP on loopback for a TLS reverse proxy in front\n"
	        "                      (cookies are Secure: the browser sees HTTPS)\n"
	        "  --dev-http          plain HTTP on loopback, cookies not Secure: development\n"
	        "                      on one machine only\n"
	        "  --control EP        ffcd's control socket (default $FFC_CONTROL or\n"
	        "                      " DEFAULT_CONTROL ")\n"
	        "  --alerts EP         ffcd's alerts socket (default $FFC_ALERTS or " DEFAULT_ALERTS
	        ")\n"
	        "  --operator NAME     ffc-web's own operator name on ipc (default ffc-web)\n"
	        "  --key FILE          CURVE: ffc-web's secret certificate (default $FFC_KEY)\n"
	        "  --server-key FILE   CURVE: ffcd's public certificate (default $FFC_SERVER_KEY)\n"
	        "  --session-hours N   a session ends after N hours whatever happens (default 10)\n"
	        "  --idle-minutes N    ... or after N minutes without a request (default 30)\n"
	        "  --lockout-after N   wrong passwords within the lockout time that lock an\n"
	        "                      account (default 5)\n"
	        "  --lockout-minutes N how long (default 15)\n"
	        "  --timeout MS        how long to wait for ffcd (default 5000)\n"
	        "  -v                  log every request\n"
	        "  -h, --help          this help;  --version  the version\n");
}

/* ---- passwd ---- */

/* A line from the terminal without echo, or from standard input. */
static int read_secret(const char *prompt, char *buf, size_t len)
{
	FILE *in = stdin;
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	if (tty) {
		fprintf(stderr, "%s", prompt);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	char *got = fgets(buf, (int)len, in);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!got)
		return -1;
	size_t n = strlen(buf);
	if (n == len - 1 && buf[n - 1] != '\n')
		return -2; /* longer than the buffer */
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

static int cmd_passwd(int argc, char **argv, const char *accounts)
{
	enum { O_ROLE = 256, O_REMOVE, O_ACCOUNTS };
	static const struct option options[] = {
	    {"role", required_argument, NULL, O_ROLE},
	    {"remove", no_argument, NULL, O_REMOVE},
	    {"accounts", required_argument, NULL, O_ACCOUNTS},
	    {NULL, 0, NULL, 0},
	};
	enum web_role role = 0;
	int remove = 0, opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case O_ROLE:
			role = web_role_parse(optarg);
			if (!role)
				tool_exit(EXIT_USAGE,
				          "passwd: --role %s: give viewer, practitioner or admin",
				          optarg);
			break;
		case O_REMOVE:
			remove = 1;
			break;
		case O_ACCOUNTS:
			accounts = optarg;
			break;
		default:
			tool_exit(EXIT_USAGE, "usage: ffc-web passwd NAME --role "
			                      "viewer|practitioner|admin [--accounts FILE]");
		}
	}
	if (optind != argc - 1)
		tool_exit(EXIT_USAGE, "passwd: give one NAME");
	const char *name = argv[optind];
	if (!web_name_valid(name))
		tool_exit(EXIT_USAGE, "passwd: '%s': 1 to 63 of letters, digits and . _ - @", name);
	if (remove == !!role)
		tool_exit(EXIT_USAGE, "passwd: give --role ROLE, or --remove");
	struct web_accounts a = {0};
	char err[512];
	if (web_accounts_load(accounts, 1, &a, err, sizeof err) < 0)
		tool_exit(EXIT_FAIL, "%s", err);
	const char *done;
	if (remove) {
		if (web_accounts_remove(&a, name) < 0)
			tool_exit(EXIT_FAIL, "passwd: %s: no account '%s'", accounts, name);
		done = "removed from";
	} else {
		char pw[WEB_PASSWORD_MAX + 2], again[WEB_PASSWORD_MAX + 2], hash[WEB_HASH_MAX];
		int rc = read_secret("New password: ", pw, sizeof pw);
		if (rc == -2)
			tool_exit(EXIT_FAIL, "passwd: the password is longer than %d bytes",
			          WEB_PASSWORD_MAX);
		if (rc < 0)
			tool_exit(EXIT_FAIL, "passwd: no password given");
		const char *problem = web_password_problem(pw);
		if (problem)
			tool_exit(EXIT_FAIL, "passwd: the password is %s", problem);
		if (isatty(STDIN_FILENO)) {
			if (read_secret("Again: ", again, sizeof again) < 0 || strcmp(pw, again))
				tool_exit(EXIT_FAIL,
				          "passwd: the two passwords differ; nothing changed");
			sodium_memzero(again, sizeof again);
		}
		if (web_password_hash(pw, hash) < 0)
			tool_exit(EXIT_FAIL, "passwd: out of memory hashing the password");
		sodium_memzero(pw, sizeof pw);
		done = web_accounts_find(&a, name) ? "changed in" : "added to";
		if (web_accounts_set(&a, name, role, hash) < 0)
			tool_exit(EXIT_FAIL, "passwd: %s: no room for another account (at most %d)",
			          accounts, WEB_ACCOUNTS_MAX);
	}
	if (web_accounts_save(accounts, &a, err, sizeof err) < 0)
		tool_exit(EXIT_FAIL, "%s", err);
	fprintf(stderr, "ffc-web: %s %s %s%s%s%s\n", name, done, accounts, role ? " (" : "",
	        role ? web_role_name(role) : "", role ? ")" : "");
	web_accounts_free(&a);
	return 0;
}

/* ---- the server ---- */

int main(int argc, char **argv)
{
	enum {
		O_LISTEN = 256,
		O_ACCOUNTS,
		O_TLS_CERT,
		O_TLS_KEY,
		O_PROXY,
		O_DEV,
		O_CONTROL,
		O_ALERTS,
		O_OPERATOR,
		O_KEY,
		O_SERVER_KEY,
		O_SESSION,
		O_IDLE,
		O_LOCK_AFTER,
		O_LOCK_MINUTES,
		O_TIMEOUT,
		O_VERSION,
	};
	static const struct option options[] = {
	    {"listen", required_argument, NULL, O_LISTEN},
	    {"accounts", required_argument, NULL, O_ACCOUNTS},
	    {"tls-cert", required_argument, NULL, O_TLS_CERT},
	    {"tls-key", required_argument, NULL, O_TLS_KEY},
	    {"behind-proxy", no_argument, NULL, O_PROXY},
	    {"dev-http", no_argument, NULL, O_DEV},
	    {"control", required_argument, NULL, O_CONTROL},
	    {"alerts", required_argument, NULL, O_ALERTS},
	    {"operator", required_argument, NULL, O_OPERATOR},
	    {"key", required_argument, NULL, O_KEY},
	    {"server-key", required_argument, NULL, O_SERVER_KEY},
	    {"session-hours", required_argument, NULL, O_SESSION},
	    {"idle-minutes", required_argument, NULL, O_IDLE},
	    {"lockout-after", required_argument, NULL, O_LOCK_AFTER},
	    {"lockout-minutes", required_argument, NULL, O_LOCK_MINUTES},
	    {"timeout", required_argument, NULL, O_TIMEOUT},
	    {"version", no_argument, NULL, O_VERSION},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	if (sodium_init() < 0)
		tool_exit(EXIT_FAIL, "libsodium cannot start");
	const char *accounts = tool_env("FFC_WEB_ACCOUNTS", DEFAULT_ACCOUNTS);
	if (argc > 1 && !strcmp(argv[1], "passwd"))
		return cmd_passwd(argc - 1, argv + 1, accounts);

	struct web *w = calloc(1, sizeof *w);
	if (!w)
		tool_exit(EXIT_FAIL, "out of memory");
	struct web_config *cfg = &w->cfg;
	*cfg = (struct web_config){
	    .listen = tool_env("FFC_WEB_LISTEN", DEFAULT_LISTEN),
	    .accounts = accounts,
	    .control = tool_env("FFC_CONTROL", DEFAULT_CONTROL),
	    .alerts = tool_env("FFC_ALERTS", DEFAULT_ALERTS),
	    .operator_name = "ffc-web",
	    .session_ms = 10 * 3600000LL,
	    .idle_ms = 30 * 60000LL,
	    .lockout_after = 5,
	    .lockout_ms = 15 * 60000LL,
	    .timeout_ms = DEFAULT_TIMEOUT_MS,
	};
	const char *key = getenv("FFC_KEY"), *server_key = getenv("FFC_SERVER_KEY");
	int transports = 0, opt;
	while ((opt = getopt_long(argc, argv, "vh", options, NULL)) != -1) {
		switch (opt) {
		case O_LISTEN:
			cfg->listen = optarg;
			break;
		case O_ACCOUNTS:
			cfg->accounts = optarg;
			break;
		case O_TLS_CERT:
			cfg->tls_cert = optarg;
			break;
		case O_TLS_KEY:
			cfg->tls_key = optarg;
			break;
		case O_PROXY:
			cfg->transport = WEB_PROXY;
			transports++;
			break;
		case O_DEV:
			cfg->transport = WEB_DEV_HTTP;
			transports++;
			break;
		case O_CONTROL:
			cfg->control = optarg;
			break;
		case O_ALERTS:
			cfg->alerts = optarg;
			break;
		case O_OPERATOR:
			if (!web_name_valid(optarg))
				tool_exit(EXIT_USAGE,
				          "--operator '%s': 1 to 63 of letters, digits and . _ - @",
				          optarg);
			cfg->operator_name = optarg;
			break;
		case O_KEY:
			key = optarg;
			break;
		case O_SERVER_KEY:
			server_key = optarg;
			break;
		case O_SESSION:
			cfg->session_ms = tool_number("--session-hours", optarg, 1, 24) * 3600000LL;
			break;
		case O_IDLE:
			cfg->idle_ms = tool_number("--idle-minutes", optarg, 1, 24 * 60) * 60000LL;
			break;
		case O_LOCK_AFTER:
			cfg->lockout_after = (int)tool_number("--lockout-after", optarg, 1, 100);
			break;
		case O_LOCK_MINUTES:
			cfg->lockout_ms =
			    tool_number("--lockout-minutes", optarg, 1, 24 * 60) * 60000LL;
			break;
		case O_TIMEOUT:
			cfg->timeout_ms = (int)tool_number("--timeout", optarg, 100, 600000);
			break;
		case 'v':
			cfg->verbose = 1;
			break;
		case O_VERSION:
			printf("ffc-web %s\n", ffc_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "unexpected argument '%s' (see ffc-web --help)",
		          argv[optind]);
	if (!!cfg->tls_cert != !!cfg->tls_key)
		tool_exit(EXIT_USAGE, "give --tls-cert and --tls-key together");
	if (cfg->tls_cert) {
		cfg->transport = WEB_TLS;
		transports++;
	}
	if (transports != 1)
		tool_exit(EXIT_USAGE,
		          "say how browsers reach ffc-web: --tls-cert FILE --tls-key FILE (HTTPS), "
		          "--behind-proxy (a TLS reverse proxy in front) or --dev-http (plain HTTP "
		          "on loopback, development only); one of them");
	tool_curve(key, server_key);

	/* Threads inherit the mask: only this one takes the signals. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	char err[512];
	pthread_mutex_init(&w->mu, NULL);
	sem_init(&w->verify_slots, 0, WEB_VERIFY_SLOTS);
	sessions_init(&w->sessions, cfg->session_ms, cfg->idle_ms);
	lockout_init(&w->lockout, cfg->lockout_after, cfg->lockout_ms, cfg->lockout_ms);
	if (web_password_hash("a password nobody has", w->dummy_hash) < 0 ||
	    ring_init(&w->ring) < 0)
		tool_exit(EXIT_FAIL, "out of memory");
	if (web_server_start(w, err, sizeof err) < 0)
		tool_exit(EXIT_FAIL, "%s", err);
	if (web_relay_start(w) < 0)
		tool_exit(EXIT_FAIL, "cannot start the alerts relay");
	web_log("INFO", "serving %s://%s/ (%s), %zu accounts from %s; ffcd at %s and %s",
	        cfg->transport == WEB_TLS ? "https" : "http", cfg->listen,
	        cfg->transport == WEB_TLS     ? "TLS"
	        : cfg->transport == WEB_PROXY ? "behind a TLS proxy"
	                                      : "development",
	        w->accounts.n, cfg->accounts, cfg->control, cfg->alerts);
	if (cfg->transport == WEB_DEV_HTTP)
		web_log("WARN",
		        "--dev-http: plain HTTP, cookies not Secure: for development on one "
		        "machine only");
	int sig = 0;
	do {
		sigwait(&set, &sig);
	} while (sig == SIGHUP); /* the accounts file is read again by itself */
	web_log("INFO", "stopping (signal %d)", sig);
	ring_stop(&w->ring);
	web_server_stop(w);
	web_relay_stop(w);
	ring_destroy(&w->ring);
	web_accounts_free(&w->accounts);
	sem_destroy(&w->verify_slots);
	pthread_mutex_destroy(&w->mu);
	free(w);
	return 0;
}
