// A line that takes many instructions, run while SIGALRM arrives every
// 2 ms: a line step over it must end on the next line, never in the
// handler, which must still run.
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static volatile long ticks;

static void on_alarm(int sig) { ticks++; (void)sig; }

int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 2000}, {0, 2000}};
	setitimer(ITIMER_REAL, &it, NULL);
	volatile long x = 0;
	for (long i = 0; i < 300; i++) x += i; /* LONG_LINE */
	x += 1; /* AFTER_LONG */
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	printf("x %ld, handler ran: %s\n", (long)x, ticks > 0 ? "yes" : "no");
	return 0;
}
