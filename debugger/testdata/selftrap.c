// A program's own SIGTRAPs: an int3 in its code and a raise(SIGTRAP).
// With the argument "handler" it catches SIGTRAP itself, as a program that
// uses int3 for its own purposes does; without, each would kill it when
// run natively.
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile int caught;

static void on_trap(int sig) { caught++; (void)sig; }

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "handler") == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_trap;
		sigaction(SIGTRAP, &sa, NULL);
	}
	__asm__ volatile("int3");
	printf("after int3\n");
	raise(SIGTRAP);
	printf("after raise\n");
	printf("caught %d\n", caught);
	return 0;
}
