/* execself.c: calls work() and opendir() CALLS times each, then execs
   itself with one generation fewer, GENS generations in all; each says
   how many calls it made. Usage: execself [GENS [CALLS]]. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) int work(int i)
{
	return i * 3;
}

int main(int argc, char **argv)
{
	int gens = argc > 1 ? atoi(argv[1]) : 4;
	int calls = argc > 2 ? atoi(argv[2]) : 1000;
	int volatile sum = 0;
	for (int i = 0; i < calls; i++) {
		sum += work(i);
		DIR *d = opendir("/");
		if (d)
			closedir(d);
	}
	printf("generation %d: %d calls\n", gens, calls);
	fflush(stdout);
	if (gens > 1) {
		char next[16], n[16];
		snprintf(next, sizeof next, "%d", gens - 1);
		snprintf(n, sizeof n, "%d", calls);
		execl("/proc/self/exe", argv[0], next, n, (char *)0);
		perror("exec");
		return 1;
	}
	return 0;
}
