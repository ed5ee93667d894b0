// withsigs runs a command the way nohup and a parent that ignores SIGPIPE
// would: SIGHUP, SIGPIPE and SIGTRAP ignored and SIGUSR1 blocked.
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
	sigset_t set;
	if (argc < 2) {
		fprintf(stderr, "usage: withsigs PROG [ARGS...]\n");
		return 2;
	}
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTRAP, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	execvp(argv[1], argv + 1);
	perror("execvp");
	return 127;
}
