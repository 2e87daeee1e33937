/*
 * ffc-watch - a MACPT console in the terminal. Subscribes to the alerts
 * socket first, then catches up through the control socket on everything
 * raised since the last alert it saw, then prints alerts as they come.
 * Alerts are dropped by seq when seen twice, and a jump in seq (a console
 * that fell behind) is filled from the control socket, so nothing raised
 * is missed. The last seq printed is kept in a small state file.
 *
 * Owns the catch-up logic, the state file and the printing.
 */
#define _GNU_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

const char *tool_name = "ffc-watch";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct watch {
	const char *alerts_ep, *control_ep;
	const char *state_path;
	int level; /* 0 = every level */
	int json;
	long long count; /* stop after this many (0 = never) */
	long long printed;
	uint64_t last; /* the last seq printed */
	int timeout_ms;
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: ffc-watch [--alerts EP] [--control EP] [--level amber|red] [--since SEQ]\n"
	    "                 [--state FILE] [--json] [--count N]\n"
	    "\n"
	    "Print MACPT alerts as ffcd raises them, after catching up on those missed.\n"
	    "\n"
	    "  --alerts EP    alerts endpoint (default $FFC_ALERTS or " DEFAULT_ALERTS ")\n"
	    "  --control EP   control endpoint for catching up (default $FFC_CONTROL or\n"
	    "                 " DEFAULT_CONTROL ")\n"
	    "  --level L      only AMBER or only RED alerts\n"
	    "  --since SEQ    print alerts after SEQ (0: all), instead of the state file's\n"
	    "  --state FILE   where the last seq seen is kept (default\n"
	    "                 $XDG_STATE_HOME/ffc/watch.seq, else ~/.local/state/ffc/watch.seq)\n"
	    "  --json         one JSON object per alert and line (fields as in ffc.proto)\n"
	    "  --count N      exit after N alerts\n");
}

/* ---- the state file ---- */

static char *default_state_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[1024];
	if (xdg && xdg[0])
		snprintf(dir, sizeof dir, "%s/ffc", xdg);
	else if (home && home[0])
		snprintf(dir, sizeof dir, "%s/.local/state/ffc", home);
	else
		return NULL;
	/* Create the directory chain, 0700: it says what a console has seen. */
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	}
	mkdir(dir, 0700);
	size_t n = strlen(dir) + sizeof "/watch.seq";
	char *path = malloc(n);
	if (path)
		snprintf(path, n, "%s/watch.seq", dir);
	return path;
}

static int state_read(const char *path, uint64_t *seq)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	unsigned long long v;
	int ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*seq = v;
	return 0;
}

static void state_write(const struct watch *w)
{
	if (!w->state_path)
		return;
	char tmp[1100];
	snprintf(tmp, sizeof tmp, "%s.tmp", w->state_path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%llu\n", (unsigned long long)w->last);
	/* Write then rename: a crash leaves the old seq or the new one. */
	if (fclose(f) == 0 && rename(tmp, w->state_path) < 0)
		unlink(tmp);
}

/* ---- alerts ---- */

static void show(struct watch *w, const Ffc__V1__Alert *a)
{
	if (a->seq <= w->last)
		return; /* seen already: catch-up and live overlap */
	if (w->level && (int)a->level != w->level)
		return;
	if (w->json)
		tool_print_json(&a->base);
	else
		tool_print_alert(stdout, a);
	fflush(stdout);
	w->last = a->seq;
	w->printed++;
	state_write(w);
	if (w->count && w->printed >= w->count)
		stop = 1;
}

/* Fetch and print every stored alert after w->last. Returns 0, or -1 when
 * the control socket did not answer. */
static int catch_up(struct watch *w, int first)
{
	for (;;) {
		Ffc__V1__AlertsRequest ar = FFC__V1__ALERTS_REQUEST__INIT;
		Ffc__V1__ControlRequest req = FFC__V1__CONTROL_REQUEST__INIT;
		Ffc__V1__ControlReply *r = NULL;
		ar.since_seq = w->last;
		ar.level = (Ffc__V1__Level)w->level;
		req.command_case = FFC__V1__CONTROL_REQUEST__COMMAND_ALERTS;
		req.alerts = &ar;
		int rc = ffc_control_call(w->control_ep, &req, &r, w->timeout_ms);
		if (rc != FFC_OK) {
			fprintf(stderr, "ffc-watch: cannot catch up through %s: %s\n",
			        w->control_ep, ffc_strerror(rc));
			return -1;
		}
		if (r->error[0] || !r->alerts) {
			fprintf(stderr, "ffc-watch: catching up: %s\n",
			        r->error[0] ? r->error : "no alerts in the reply");
			ffc__v1__control_reply__free_unpacked(r, NULL);
			return -1;
		}
		const Ffc__V1__AlertsReply *a = r->alerts;
		if (first && w->last > a->last_seq) {
			/* The state file speaks of a store with more alerts
			 * than this one: a new data directory. Start over. */
			fprintf(stderr,
			        "ffc-watch: last seen seq %llu is beyond the daemon's %llu "
			        "(a new store?): showing all\n",
			        (unsigned long long)w->last, (unsigned long long)a->last_seq);
			w->last = 0;
			first = 0;
			ffc__v1__control_reply__free_unpacked(r, NULL);
			continue;
		}
		for (size_t i = 0; i < a->n_alerts && !stop; i++)
			show(w, a->alerts[i]);
		int more = a->more && a->n_alerts > 0 && !stop;
		/* Alerts of other levels move the cursor too. */
		if (a->n_alerts > 0 && a->alerts[a->n_alerts - 1]->seq > w->last)
			w->last = a->alerts[a->n_alerts - 1]->seq;
		ffc__v1__control_reply__free_unpacked(r, NULL);
		if (!more)
			return 0;
	}
}

int main(int argc, char **argv)
{
	enum { O_ALERTS = 256, O_CONTROL, O_LEVEL, O_SINCE, O_STATE, O_JSON, O_COUNT, O_VERSION };
	static const struct option options[] = {
	    {"alerts", required_argument, NULL, O_ALERTS},
	    {"control", required_argument, NULL, O_CONTROL},
	    {"level", required_argument, NULL, O_LEVEL},
	    {"since", required_argument, NULL, O_SINCE},
	    {"state", required_argument, NULL, O_STATE},
	    {"json", no_argument, NULL, O_JSON},
	    {"count", required_argument, NULL, O_COUNT},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, O_VERSION},
	    {NULL, 0, NULL, 0},
	};
	struct watch w = {
	    .alerts_ep = tool_env("FFC_ALERTS", DEFAULT_ALERTS),
	    .control_ep = tool_env("FFC_CONTROL", DEFAULT_CONTROL),
	    .timeout_ms = DEFAULT_TIMEOUT_MS,
	};
	long long since = -1;
	char *state_alloc = NULL;
	int opt;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case O_ALERTS:
			w.alerts_ep = optarg;
			break;
		case O_CONTROL:
			w.control_ep = optarg;
			break;
		case O_LEVEL:
			if (!strcasecmp(optarg, "amber"))
				w.level = FFC__V1__LEVEL__AMBER;
			else if (!strcasecmp(optarg, "red"))
				w.level = FFC__V1__LEVEL__RED;
			else
				tool_exit(EXIT_USAGE, "--level: '%s' is not amber or red", optarg);
			break;
		case O_SINCE:
			since = tool_number("--since", optarg, 0, INT64_MAX);
			break;
		case O_STATE:
			w.state_path = optarg;
			break;
		case O_JSON:
			w.json = 1;
			break;
		case O_COUNT:
			w.count = tool_number("--count", optarg, 1, INT64_MAX);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case O_VERSION:
			printf("ffc-watch %s\n", FFC_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		tool_exit(EXIT_USAGE, "unexpected argument '%s'", argv[optind]);
	if (!w.state_path)
		w.state_path = state_alloc = default_state_path();
	if (since >= 0)
		w.last = (uint64_t)since;
	else if (w.state_path && state_read(w.state_path, &w.last) == 0)
		fprintf(stderr, "ffc-watch: resuming after seq %llu (%s)\n",
		        (unsigned long long)w.last, w.state_path);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	/* Subscribe first, then catch up: whatever is raised in between
	 * arrives both ways and is printed once. */
	const char *prefix = w.level == FFC__V1__LEVEL__RED     ? "alert.red"
	                     : w.level == FFC__V1__LEVEL__AMBER ? "alert.amber"
	                                                        : "alert.";
	ffc_sub_t *sub = ffc_sub_new(w.alerts_ep, prefix);
	if (!sub)
		tool_exit(EXIT_USAGE, "--alerts: cannot connect to '%s'", w.alerts_ep);
	int caught_up = catch_up(&w, 1) == 0;

	while (!stop) {
		Ffc__V1__Alert *a = NULL;
		char topic[128];
		int rc = ffc_sub_recv(sub, topic, sizeof topic, &a, 500);
		if (rc == FFC_ETIMEOUT) {
			if (!caught_up)
				caught_up = catch_up(&w, 1) == 0;
			continue;
		}
		if (rc != FFC_OK) {
			if (!stop)
				fprintf(stderr, "ffc-watch: %s\n", ffc_strerror(rc));
			continue;
		}
		/* A jump in seq means alerts were dropped on the way (a
		 * slow console): fetch them before this one. */
		if (a->seq > w.last + 1 && caught_up)
			catch_up(&w, 0);
		show(&w, a);
		ffc__v1__alert__free_unpacked(a, NULL);
	}
	ffc_sub_destroy(&sub);
	free(state_alloc);
	return 0;
}
