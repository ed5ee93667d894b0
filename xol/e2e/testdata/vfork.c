/* vfork: the parent calls work() 10 times, vforks, and calls it 10 more
 * times. The vfork child calls work() once (in the parent's memory, int3s
 * and all) and execs this program with "child", which calls work() 5 times
 * in a fresh image and prints. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

__attribute__((noipa)) long work(long i) { return i * 3 + 1; }

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		long s = 0;
		for (long i = 0; i < 5; i++) s += work(i);
		printf("exec'd child: sum %ld\n", s);
		return 0;
	}
	long s = 0;
	for (long i = 0; i < 10; i++) s += work(i);
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		if (work(100) != 301) _exit(3);
		execl("/proc/self/exe", argv[0], "child", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("vfork child %s %d\n", WIFEXITED(st) ? "exited" : "killed by signal",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	for (long i = 0; i < 10; i++) s += work(i);
	printf("parent sum %ld\n", s);
	return 0;
}
