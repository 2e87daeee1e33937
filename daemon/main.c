/*
 * main.c - ffcd: flags, configuration, then the store and the server.
 *
 * Owns the command line and the order of start-up and shutdown. Flags
 * override the configuration file.
 */
#define _DEFAULT_SOURCE /* realpath */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "privdrop.h"
#include "reload.h"
#include "server.h"
#include "store.h"

enum { EXIT_USAGE = 2 };

static void usage(FILE *f)
{
	fprintf(f, "usage: ffcd [-c FILE] [--data DIR] [--ingest EP] [--alerts EP] [--control EP]\n"
	           "            [--log-format text|json] [-n] [-v] [-h] [--version]\n"
	           "\n"
	           "Receives concern notifications, files them per child, correlates them and\n"
	           "publishes alerts to MACPT consoles.\n"
	           "\n"
	           "  -c, --config FILE  configuration file (libconfig); without it, the built-in\n"
	           "                     defaults, which are those of conf/ffcd.conf\n"
	           "      --data DIR     data directory: the store and the control socket\n"
	           "                     (default " FFC_DATA_DIR ")\n"
	           "      --ingest EP    ZeroMQ endpoint of the ingest ROUTER socket\n"
	           "      --alerts EP    ZeroMQ endpoint of the alerts PUB socket\n"
	           "      --control EP   ZeroMQ endpoint of the control ROUTER socket\n"
	           "                     (default ipc://DIR/control.sock)\n"
	           "      --log-format F text (the default; under journald with syslog\n"
	           "                     priorities) or json, one object a line\n"
	           "  -n, --check        check the configuration, print every error, exit\n"
	           "  -v, --verbose      log more (debug)\n"
	           "  -h, --help         this help\n"
	           "      --version      print the version\n"
	           "\n"
	           "SIGHUP (or ffcctl reload) loads FILE's rules and security.keys again; SIGTERM\n"
	           "stops.\n");
}

/* Copy a flag's value into a config field, refusing what does not fit. */
static int set_field(char *dst, size_t size, const char *value, const char *flag)
{
	if (!value[0] || strlen(value) >= size) {
		fprintf(stderr, "ffcd: %s: %s\n", flag, value[0] ? "too long" : "empty");
		return -1;
	}
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

static void print_errors(const struct config_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msg[i]);
}

int main(int argc, char **argv)
{
	enum { OPT_DATA = 256, OPT_INGEST, OPT_ALERTS, OPT_CONTROL, OPT_LOG_FORMAT, OPT_VERSION };
	static const struct option options[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"data", required_argument, NULL, OPT_DATA},
	    {"ingest", required_argument, NULL, OPT_INGEST},
	    {"alerts", required_argument, NULL, OPT_ALERTS},
	    {"control", required_argument, NULL, OPT_CONTROL},
	    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
	    {"check", no_argument, NULL, 'n'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {NULL, 0, NULL, 0},
	};
	/* A reload runs ffcd again as the loader of the file (reload.h). */
	if (argc == 3 && !strcmp(argv[1], RELOAD_HELPER_FLAG))
		return reload_helper_main(argv[2]);
	const char *file = NULL, *data = NULL, *ingest = NULL, *alerts = NULL, *control = NULL;
	int check = 0, verbose = 0, opt, log_format = -1;
	while ((opt = getopt_long(argc, argv, "c:nvh", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			file = optarg;
			break;
		case OPT_DATA:
			data = optarg;
			break;
		case OPT_INGEST:
			ingest = optarg;
			break;
		case OPT_ALERTS:
			alerts = optarg;
			break;
		case OPT_CONTROL:
			control = optarg;
			break;
		case OPT_LOG_FORMAT: {
			enum log_format f;
			if (log_format_parse(optarg, &f) < 0) {
				fprintf(stderr, "ffcd: --log-format: '%s' is not text or json\n",
				        optarg);
				return EXIT_USAGE;
			}
			log_format = (int)f;
			break;
		}
		case 'n':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("ffcd %s\n", FFC_VERSION);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ffcd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}

	static struct config cfg;
	struct config_errors errs = {0};
	config_defaults(&cfg);
	if (file && config_load(file, &cfg, &errs) < 0) {
		print_errors(&errs);
		return EXIT_USAGE;
	}
	/* What the file says, before flags: a reload compares with it. */
	static struct config from_file;
	from_file = cfg;
	if ((data && set_field(cfg.data_dir, sizeof cfg.data_dir, data, "--data") < 0) ||
	    (ingest && set_field(cfg.ingest, sizeof cfg.ingest, ingest, "--ingest") < 0) ||
	    (alerts && set_field(cfg.alerts, sizeof cfg.alerts, alerts, "--alerts") < 0) ||
	    (control && set_field(cfg.control, sizeof cfg.control, control, "--control") < 0))
		return EXIT_USAGE;
	if (config_check(&cfg, file ? file : "(defaults)", &errs) < 0) {
		print_errors(&errs);
		return EXIT_USAGE;
	}
	if (check) {
		printf("%s: OK (%zu rules)\n", file ? file : "(built-in defaults)", cfg.n_rules);
		return 0;
	}

	log_set_level(verbose ? LOG_DEBUG : cfg.log_level);
	log_set_format(log_format >= 0 ? (enum log_format)log_format : cfg.log_format);
	/* Started by systemd with stderr on the journal: it stamps lines and
	 * takes each one's priority from its prefix. */
	log_set_journal(log_journal_stream(getenv("JOURNAL_STREAM"), STDERR_FILENO));
	if (!file)
		log_info("no configuration file given: using the built-in defaults; reload "
		         "(SIGHUP, ffcctl reload) has nothing to load");
	/* Everything ffcd creates (store, lock, control socket) is for its
	 * own user only: it holds special category personal data. */
	umask(077);

	char err[1024];
	/* Root binds, then drops to daemon.user before touching the store
	 * (privdrop.h): the data directory and the lock come first, so a
	 * second ffcd on the same directory stops before it binds anything
	 * (binding an ipc socket would take the first one's file). */
	struct privdrop pd;
	if (privdrop_plan(cfg.user, &pd, err, sizeof err) < 0) {
		log_error("%s", err);
		return 1;
	}
	if (pd.decision == PRIVDROP_ROOT)
		log_warn("%s", err);
	if (privdrop_data_dir(&pd, cfg.data_dir, err, sizeof err) < 0) {
		log_error("store: %s", err);
		return 1;
	}
	int drop = pd.decision == PRIVDROP_DROP;
	int lock_fd = store_lock(cfg.data_dir, drop ? (long)pd.uid : -1, drop ? (long)pd.gid : -1,
	                         err, sizeof err);
	if (lock_fd < 0) {
		log_error("store: %s", err);
		return 1;
	}
	struct server *srv = server_new(&cfg, NULL, err, sizeof err);
	if (!srv) {
		log_error("%s", err);
		close(lock_fd);
		return 1;
	}
	if (privdrop_endpoint(&pd, cfg.ingest, err, sizeof err) < 0 ||
	    privdrop_endpoint(&pd, cfg.alerts, err, sizeof err) < 0 ||
	    privdrop_endpoint(&pd, server_control_endpoint(srv), err, sizeof err) < 0 ||
	    privdrop_apply(&pd, err, sizeof err) < 0 ||
	    privdrop_check_dir(&pd, cfg.data_dir, err, sizeof err) < 0) {
		log_error("%s", err);
		server_destroy(&srv);
		close(lock_fd);
		return 1;
	}
	if (drop)
		log_info("running as %s (uid %ld, gid %ld)", pd.user, (long)pd.uid, (long)pd.gid);
	/* The map is opened at map_size_max where the address space holds
	 * it. Without MDB_WRITEMAP that is address space only: the file grows
	 * as pages are written. A map that grows later is moved by LMDB,
	 * which drops every page of the store the process had mapped; in a
	 * store of a GiB the next batches stall for a tenth of a second,
	 * faulting them in again. Under a limit on the address space the map
	 * starts at map_size and doubles when full. */
	uint64_t map = cfg.map_size;
	if (store_map_fits(cfg.map_size_max))
		map = cfg.map_size_max;
	else
		log_warn("store: the address space does not hold a map of map_size_max (%llu MiB; "
		         "a limit such as ulimit -v?): starting at map_size (%llu MiB), growing "
		         "when full",
		         (unsigned long long)(cfg.map_size_max >> 20),
		         (unsigned long long)(cfg.map_size >> 20));
	struct store *store =
	    store_open_locked(cfg.data_dir, lock_fd, map, cfg.map_size_max, err, sizeof err);
	if (!store) {
		log_error("store: %s", err);
		server_destroy(&srv);
		return 1;
	}
	server_set_store(srv, store);
	if (file) {
		/* Reloads must find the file whatever the working directory
		 * becomes. */
		char abs[PATH_MAX];
		server_config_file(srv, realpath(file, abs) ? abs : file, &from_file);
	}
	log_info("%zu rules in force%s%s", cfg.n_rules, file ? " from " : " (built in)",
	         file ? file : "");
	/* Said at every start: with no operators listed, anyone who can open
	 * the control socket (ffcd's own user, by its file modes) is admin. */
	if (cfg.access.n_operators == 0)
		log_warn("control: no security.operators configured: every caller of the "
		         "control socket without a key is admin (development on one machine only)");
	else
		log_info("control: %zu operators known (security.operators); others are refused",
		         cfg.access.n_operators);
	int rc = server_run(srv);
	server_destroy(&srv);
	store_close(&store);
	return rc == 0 ? 0 : 1;
}
