// soak: THREADS threads call eight functions in turn, pausing PAUSE_US
// microseconds after each round, for SECONDS seconds; then it prints the
// calls made. The soak benchmark keeps breakpoints on the lines marked
// "soak:fN", changing them every second.
//
// usage: soak THREADS SECONDS PAUSE_US
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static volatile int stop;
static long pause_us;
static long total[256];
static volatile long sink;

__attribute__((noinline)) int f0(int x) {
	return x + 0; // soak:f0
}
__attribute__((noinline)) int f1(int x) {
	return x + 1; // soak:f1
}
__attribute__((noinline)) int f2(int x) {
	return x + 2; // soak:f2
}
__attribute__((noinline)) int f3(int x) {
	return x + 3; // soak:f3
}
__attribute__((noinline)) int f4(int x) {
	return x + 4; // soak:f4
}
__attribute__((noinline)) int f5(int x) {
	return x + 5; // soak:f5
}
__attribute__((noinline)) int f6(int x) {
	return x + 6; // soak:f6
}
__attribute__((noinline)) int f7(int x) {
	return x + 7; // soak:f7
}

static void *worker(void *arg) {
	long id = (long)arg, n = 0, s = 0;
	struct timespec ts = {0, pause_us * 1000};
	while (!stop) {
		s += f0(n) + f1(n) + f2(n) + f3(n) + f4(n) + f5(n) + f6(n) + f7(n);
		n += 8;
		if (pause_us > 0)
			nanosleep(&ts, NULL);
	}
	total[id] = n;
	sink += s;
	return NULL;
}

int main(int argc, char **argv) {
	int threads = argc > 1 ? atoi(argv[1]) : 16;
	int seconds = argc > 2 ? atoi(argv[2]) : 10;
	pause_us = argc > 3 ? atol(argv[3]) : 0;
	if (threads < 1)
		threads = 1;
	if (threads > 256)
		threads = 256;
	pthread_t t[256];
	for (long i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	sleep(seconds);
	stop = 1;
	long n = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		n += total[i];
	}
	printf("calls %ld\n", n);
	return 0;
}
