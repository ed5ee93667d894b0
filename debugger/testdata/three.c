// Three worker threads each call work(id, i) for i = 0 .. ITER-1, with a
// short sleep between calls, while main waits for them; the totals printed
// at the end count every call. The shape of GDB's pthreads scenario: a test
// sets breakpoints for one thread, a conditional temporary one, pauses
// threads one by one and reads their stacks, while the others run.
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define ITER 3000

static volatile long total[3];

__attribute__((noinline)) void work(int id, int i) { total[id] += i; }

static void *worker(void *arg) {
	int id = (int)(long)arg;
	struct timespec nap = {0, 200000}; // 0.2 ms
	for (int i = 0; i < ITER; i++) {
		work(id, i);
		nanosleep(&nap, NULL);
	}
	return NULL;
}

int main(void) {
	pthread_t th[3];
	for (long i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	printf("totals %ld %ld %ld\n", total[0], total[1], total[2]);
	return 0;
}
