// busy.c: two threads work for argv[1] seconds (default 3), then the
// program prints "finished" and exits 0. A test ends a debugging session
// while it runs and checks that it still finishes.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile long work;
static double seconds = 3;

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *run(void *arg) {
	double end = now() + seconds;
	while (now() < end)
		work++;
	return arg;
}

int main(int argc, char **argv) {
	if (argc > 1)
		seconds = atof(argv[1]);
	pthread_t th;
	pthread_create(&th, NULL, run, NULL);
	run(NULL);
	pthread_join(th, NULL);
	printf("finished\n");
	return 0;
}
