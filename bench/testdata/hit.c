// hit: T threads each call f N times. f is the benchmark's breakpoint
// location; it starts with a one-byte nop (patchable_function_entry) so the
// raw ptrace tracer can put its int3 there and need not emulate anything.
//
// usage: hit THREADS CALLS_PER_THREAD
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

volatile long sink;

__attribute__((noinline, patchable_function_entry(1, 0))) int f(int x) {
	return x + 1;
}

static long calls;

static void *worker(void *arg) {
	long s = 0;
	for (long i = 0; i < calls; i++)
		s += f((int)i);
	sink += s;
	return arg;
}

int main(int argc, char **argv) {
	int threads = argc > 1 ? atoi(argv[1]) : 1;
	calls = argc > 2 ? atol(argv[2]) : 1000000;
	if (threads <= 1) {
		worker(NULL);
		return 0;
	}
	pthread_t t[256];
	if (threads > 256)
		threads = 256;
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	return 0;
}
