/*
 * web_assets.h - the pages, scripts and styles ffc-web serves, compiled
 * into the program from client/web/static/ (embed.cmake writes
 * web_assets.c at build time): nothing is loaded from anywhere else.
 */
#ifndef FFC_WEB_ASSETS_H
#define FFC_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *path; /* "alerts.js": its name in static/ */
	const char *type; /* Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct web_asset web_assets[];
extern const size_t web_n_assets;

#endif
