/*
 * common.h - what the ffc command-line tools share: exiting with a clear
 * message, environment defaults, number parsing, enum names and printing
 * messages as JSON or as a line for people.
 */
#ifndef FFC_TOOLS_COMMON_H
#define FFC_TOOLS_COMMON_H

#include <stdint.h>
#include <stdio.h>

#include "ffc/ffc.h"

enum { EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define DEFAULT_INGEST "tcp://127.0.0.1:7401"
#define DEFAULT_ALERTS "tcp://127.0.0.1:7402"
/* The installed daemon's (its data directory, FFC_DATA_DIR from the build). */
#define DEFAULT_CONTROL    "ipc://" FFC_DATA_DIR "/control.sock"
#define DEFAULT_TIMEOUT_MS 5000

#if defined(__GNUC__)
#define TOOL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TOOL_PRINTF(a, b)
#endif

/* The program name used in messages ("ffcctl"). */
extern const char *tool_name;

/* Print "NAME: message" to stderr and exit with code. */
_Noreturn void tool_exit(int code, const char *fmt, ...) TOOL_PRINTF(2, 3);

/* $name if set and not empty, else fallback. */
const char *tool_env(const char *name, const char *fallback);

/* A whole number in [min, max] from a flag's value, or exit 2 naming flag. */
long long tool_number(const char *flag, const char *value, long long min, long long max);

/* Unix milliseconds as "2026-03-02 14:05 GMT" for people: in the local
 * time zone ($TZ, else the system's) with its abbreviation, cut to len
 * and terminated. The store and the wire stay UTC; only what is shown
 * moves. UTC ("... UTC") when the zone cannot say. Never fails. */
void tool_time(int64_t ms, char *buf, size_t len);

/* Milliseconds since the epoch, now. */
int64_t tool_now_ms(void);

/* The name of an enum value ("POLICE"), "?" when unknown. */
const char *tool_enum_name(const ProtobufCEnumDescriptor *d, int value);

/* The value an enum name stands for, case ignored and '-' for '_'
 * ("social-care" is SOCIAL_CARE); -1 when it names none (or the
 * unspecified value). */
int tool_enum_parse(const ProtobufCEnumDescriptor *d, const char *s);

/* CURVE for every tcp:// connection this tool makes: key_file is the
 * tool's secret certificate (NAME.key_secret), server_key_file the
 * daemon's public one (ffcd.key). NULL or "" for both: no CURVE. Exits 2
 * when only one is given, 1 when a file cannot be used. Flags --key and
 * --server-key, or $FFC_KEY and $FFC_SERVER_KEY. */
void tool_curve(const char *key_file, const char *server_key_file);

/* Print a message as one line of JSON on stdout. */
void tool_print_json(const ProtobufCMessage *msg);

/* "Ella SMITH, born 2015-03-02, NHS 9434765919, UPN ..." (what is known). */
void tool_describe_child(const Ffc__V1__ChildIdentity *id, char *buf, size_t len);

/* An alert for people: a header line, the reason, the evidence. */
void tool_print_alert(FILE *f, const Ffc__V1__Alert *a);

#endif
