/* fork: the parent calls work() 10 times, forks with libc's fork() and then
 * with a raw syscall instruction (raw_fork in rawfork.S, which the test
 * covers with breakpoints: the child then starts where the parent's
 * syscall ran), and calls work() 10 more times after each. Each child calls
 * work() 7 times, prints the first bytes of work and raw_fork as it sees
 * them (an int3 left by the debugger would show) and exits 0; the parent
 * prints how each child ended. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

extern long raw_fork(void);

__attribute__((noipa)) long work(long i) { return i * 3 + 1; }

static void child(const char *how) {
	long s = 0;
	for (long i = 0; i < 7; i++) s += work(i);
	char buf[128];
	const unsigned char *w = (const unsigned char *)work, *r = (const unsigned char *)raw_fork;
	int n = snprintf(buf, sizeof buf, "%s child: sum %ld, work %02x%02x%02x%02x, raw_fork %02x%02x%02x%02x%02x%02x%02x%02x\n",
			 how, s, w[0], w[1], w[2], w[3], r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	write(1, buf, n);
	_exit(0);
}

static void reap(const char *how, pid_t pid) {
	int st;
	if (waitpid(pid, &st, 0) != pid) {
		perror("waitpid");
		exit(1);
	}
	printf("%s child %s %d\n", how, WIFEXITED(st) ? "exited" : "killed by signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

int main(void) {
	long s = 0;
	for (long i = 0; i < 10; i++) s += work(i);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) child("fork");
	reap("fork", pid);
	for (long i = 0; i < 10; i++) s += work(i);
	fflush(stdout);
	pid = raw_fork();
	if (pid == 0) child("raw_fork");
	reap("raw_fork", pid);
	for (long i = 0; i < 10; i++) s += work(i);
	printf("parent sum %ld\n", s);
	return 0;
}
