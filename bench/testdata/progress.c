// progress: THREADS threads count their own progress in counters[i]
// (one cache line each) forever. Thread 0 first calls stopper(), where the
// benchmark stops it; natively it then blocks, so that in both runs the
// other threads share the CPUs the same way.
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define MAXT 64
struct counter {
	volatile uint64_t n;
	char pad[56];
} __attribute__((aligned(64)));
struct counter counters[MAXT];

__attribute__((noinline)) void stopper(void) {
	__asm__ volatile("" ::: "memory");
}

static void *worker(void *arg) {
	long i = (long)arg;
	if (i == 0) {
		stopper();
		for (;;)
			pause();
	}
	uint64_t x = 1;
	for (;;) {
		for (int k = 0; k < 1000; k++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		counters[i].n += 1 + (x & 0); // one unit of work
	}
	return NULL;
}

int main(int argc, char **argv) {
	int threads = argc > 1 ? atoi(argv[1]) : 8;
	if (threads > MAXT)
		threads = MAXT;
	pthread_t t[MAXT];
	for (long i = 1; i < threads; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	worker((void *)0);
	return 0;
}
