// rawptrace: the floor of an auto-continued breakpoint hit under ptrace.
// It forks, the child asks to be traced and execs PROG; the tracer writes an
// int3 over the one-byte nop at ADDR (PTRACE_POKETEXT) and on every hit does
// exactly what a debugger must at least do: waitpid, PTRACE_GETREGS,
// PTRACE_SETREGS (pc already past the int3, which replaced a nop: nothing
// else to emulate), PTRACE_CONT. Threads are followed (TRACECLONE).
// It prints the number of hits.
//
// usage: rawptrace ADDR PROG [ARGS...]
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc < 3) {
		fprintf(stderr, "usage: rawptrace ADDR PROG [ARGS...]\n");
		return 2;
	}
	unsigned long addr = strtoul(argv[1], NULL, 0);
	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execv(argv[2], argv + 2);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0); // the exec SIGTRAP
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);
	errno = 0;
	long word = ptrace(PTRACE_PEEKTEXT, pid, addr, 0);
	if (errno) {
		perror("peektext");
		return 1;
	}
	if ((word & 0xff) != 0x90) {
		fprintf(stderr, "rawptrace: no nop at %#lx\n", addr);
		return 1;
	}
	ptrace(PTRACE_POKETEXT, pid, addr, (word & ~0xffL) | 0xcc);
	ptrace(PTRACE_CONT, pid, 0, 0);
	long hits = 0;
	int alive = 1;
	for (;;) {
		pid_t t = waitpid(-1, &st, __WALL);
		if (t < 0)
			break;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (t == pid)
				alive = 0;
			if (!alive)
				break;
			continue;
		}
		int sig = WSTOPSIG(st);
		if (sig == SIGTRAP && (st >> 16) == 0) {
			struct user_regs_struct r;
			ptrace(PTRACE_GETREGS, t, 0, &r);
			if (r.rip == addr + 1) {
				hits++;
				ptrace(PTRACE_SETREGS, t, 0, &r);
			}
			ptrace(PTRACE_CONT, t, 0, 0);
			continue;
		}
		if (sig == SIGTRAP || sig == SIGSTOP) // clone events, new threads
			sig = 0;
		ptrace(PTRACE_CONT, t, 0, sig);
	}
	printf("%ld\n", hits);
	return 0;
}
