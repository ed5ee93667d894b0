/* toggle: 8 threads call work() as fast as they can until the debugger sets
 * stop (or, natively, until each made MAX calls). work() counts its calls
 * per thread right after its entry; the test reads the counters while it
 * inserts and removes a breakpoint on that entry. Each thread checks at the
 * end that its running sum matches its count: every call ran exactly once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 8

struct counter {
	volatile long n;
	long sum;
	char pad[48];
} __attribute__((aligned(64)));

struct counter counters[THREADS];
volatile int stop;
static long max;

__attribute__((noipa)) void work(int t) {
	struct counter *c = &counters[t];
	long n = c->n + 1;
	c->n = n;
	c->sum += n;
}

static void *run(void *arg) {
	int t = (int)(long)arg;
	while (!stop && counters[t].n < max) work(t);
	return NULL;
}

int main(int argc, char **argv) {
	max = argc > 1 ? atol(argv[1]) : 1000000;
	pthread_t th[THREADS];
	for (long t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, run, (void *)t);
	for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
	long total = 0;
	for (int t = 0; t < THREADS; t++) {
		long n = counters[t].n;
		printf("thread %d %s\n", t, counters[t].sum == n * (n + 1) / 2 ? "ok" : "WRONG");
		total += n;
	}
	fprintf(stderr, "calls %ld\n", total);
	return 0;
}
