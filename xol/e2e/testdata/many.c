/* many: 64 threads wait on a barrier, then all call work() CALLS times at
 * once. The sum printed depends on every call having run exactly once. */
#include <pthread.h>
#include <stdio.h>

#define THREADS 64
#define CALLS 150

static pthread_barrier_t bar;
static long sums[THREADS];

__attribute__((noipa)) long work(long t, long i) { return t * 1000 + i * 7 + 1; }

static void *run(void *arg) {
	long t = (long)arg, s = 0;
	pthread_barrier_wait(&bar);
	for (long i = 0; i < CALLS; i++) s += work(t, i);
	sums[t] = s;
	return NULL;
}

int main(void) {
	pthread_t th[THREADS];
	pthread_barrier_init(&bar, NULL, THREADS);
	for (long t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, run, (void *)t);
	long total = 0;
	for (int t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		total += sums[t];
	}
	printf("threads %d calls %d total %ld\n", THREADS, CALLS, total);
	return 0;
}
