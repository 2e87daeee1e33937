/*
 * signals.c - the signal handlers and the pipe that wakes the poll loop.
 *
 * Owns the handlers, their flags and the self-pipe. Does not decide what
 * a signal does (server.c stops or reloads between batches).
 */
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t signalled;
static volatile sig_atomic_t reload_requested; /* SIGHUP */

static void on_signal(int sig)
{
	int saved = errno;
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		signalled = sig;
	unsigned char b = (unsigned char)sig;
	if (write(signal_pipe[1], &b, 1) < 0) {
		/* The pipe is full: the loop will see `signalled` anyway. */
	}
	errno = saved;
}

int signals_install(void)
{
	if (pipe(signal_pipe) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

void signals_remove(void)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	for (int i = 0; i < 2; i++) {
		if (signal_pipe[i] >= 0)
			close(signal_pipe[i]);
		signal_pipe[i] = -1;
	}
}

int signals_fd(void)
{
	return signal_pipe[0];
}

int signals_stop(void)
{
	return (int)signalled;
}

int signals_reload(void)
{
	return reload_requested != 0;
}

void signals_drain(void)
{
	unsigned char b;
	while (read(signal_pipe[0], &b, 1) == 1)
		;
}

void signals_reload_taken(void)
{
	signals_drain();
	reload_requested = 0;
}
