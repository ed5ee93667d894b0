// threads.c: the terminal tests' C target. main starts a worker that
// spins (it must keep running while main sits at a breakpoint), calls
// square a few times, and ends the worker.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

volatile int stop;
volatile long spins;
int total;

int square(int x) {
	int y = x * x;
	return y;
}

int sum_squares(int n) {
	int s = 0;
	for (int i = 1; i <= n; i++) {
		s += square(i);
	}
	return s;
}

void *spinner(void *arg) {
	(void)arg;
	while (!stop) {
		spins++;
	}
	return NULL;
}

int main(int argc, char **argv) {
	pthread_t th;
	int n = argc > 1 ? 5 : 3;
	pthread_create(&th, NULL, spinner, NULL);
	total = sum_squares(n);
	stop = 1;
	pthread_join(th, NULL);
	printf("total %d\n", total);
	return 0;
}
