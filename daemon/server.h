/*
 * server.h - the daemon's sockets and its one poll loop.
 */
#ifndef FFC_SERVER_H
#define FFC_SERVER_H

#include <stddef.h>

#include "config.h"
#include "store.h"

struct server;

/* Bind the ingest, alerts and control sockets of cfg. The server borrows
 * cfg and store; both must outlive it. NULL with a message in err on
 * failure. */
struct server *server_new(const struct config *cfg, struct store *store, char *err, size_t errlen);

/* Serve until SIGTERM, SIGINT or a shutdown request; the batch in hand is
 * finished, committed and answered first. Returns 0 on a clean stop, -1
 * when the loop failed. */
int server_run(struct server *srv);

/* The configuration file the daemon was started with, and the config as
 * that file gave it (before flags): what a reload loads again, and what
 * its settings are compared with. Without this call a reload says the
 * daemon has no file. */
void server_config_file(struct server *srv, const char *path, const struct config *file);

/* Bind before opening the store (a daemon started as root binds, then
 * drops to its user, then opens the store): server_new() may be given a
 * NULL store, and the store is handed over here before server_run(). */
void server_set_store(struct server *srv, struct store *store);
/* The control endpoint as bound (the default is ipc://DATA/control.sock). */
const char *server_control_endpoint(const struct server *srv);

/* Close every socket and the ZAP handler, end the ZeroMQ context, free
 * the server and set *srv to NULL; NULL *srv is fine. */
void server_destroy(struct server **srv);

#endif
