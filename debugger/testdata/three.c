// Three worker threads each call work(id, i) for i = 0, 1, ... with a
// short sleep between calls until a debugger sets stop (natively: after
// argv[1] calls each, default 100), while main waits for them. It prints
// how many threads made calls. The shape of GDB's pthreads scenario: a test
// sets breakpoints for one thread, a conditional temporary one, pauses
// threads one by one and reads their stacks, while the others run.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long iter = 100;
static volatile long total[3];
static volatile int stop; // set by a debugger: the workers end
static int debugged;      // set by a debugger: run until stop

__attribute__((noinline)) void work(int id, int i) { total[id] += i + 1; }

static void *worker(void *arg) {
	int id = (int)(long)arg;
	struct timespec nap = {0, 200000}; // 0.2 ms
	for (int i = 0; debugged ? !stop : i < iter; i++) {
		work(id, i);
		nanosleep(&nap, NULL);
	}
	return NULL;
}

int main(int argc, char **argv) {
	if (argc > 1)
		iter = atol(argv[1]);
	pthread_t th[3];
	for (long i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	int called = 0;
	for (int i = 0; i < 3; i++)
		called += total[i] > 0;
	printf("%d threads called work\n", called);
	return 0;
}
