// mt: two named threads for the DAP tests. worker-a calls hit_a three
// times (a breakpoint there stops it); worker-b calls tick_b every 2 ms
// until worker-a is done (a logpoint there shows that it runs while
// worker-a is stopped). "mt ticker N" instead calls tick_b N times, 10 ms
// apart; "mt until FILE" calls it every 10 ms while FILE exists, then
// checks every result it got: the attach tests let it run for as long as
// attaching takes and end it when they are done.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile int a_done;
int global_counter = 42;

struct point {
	int x, y;
};

int hit_a(int n)
{
	struct point p = {n, n * 2};
	int arr[100];
	for (int i = 0; i < 100; i++)
		arr[i] = i * n;
	int sum = p.x + p.y + arr[99]; /* BP_A */
	return sum;                    /* AFTER_A */
}

long tick_b(long i)
{
	long sq = i * i; /* LOG_B */
	return sq;
}

void *thread_a(void *arg)
{
	long total = 0;
	pthread_setname_np(pthread_self(), "worker-a");
	for (int n = 1; n <= 3; n++)
		total += hit_a(n); /* CALL_A */
	printf("a total %ld\n", total);
	fflush(stdout);
	a_done = 1;
	return NULL;
}

void *thread_b(void *arg)
{
	long acc = 0;
	pthread_setname_np(pthread_self(), "worker-b");
	for (long i = 0; !a_done && i < 100000; i++) {
		acc += tick_b(i);
		usleep(2000);
	}
	printf("b done\n");
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "ticker") == 0) {
		int n = atoi(argv[2]);
		long acc = 0;
		for (long i = 0; i < n; i++) {
			acc += tick_b(i);
			usleep(10000);
		}
		printf("ticker %d sum %ld\n", n, acc);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "until") == 0) {
		long acc = 0, k = 0;
		for (; access(argv[2], F_OK) == 0; k++) {
			acc += tick_b(k);
			usleep(10000);
		}
		printf("until done %s\n", acc == (k - 1) * k * (2 * k - 1) / 6 ? "ok" : "BAD");
		return 0;
	}
	pthread_t a, b;
	pthread_create(&b, NULL, thread_b, NULL);
	usleep(10000);
	pthread_create(&a, NULL, thread_a, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("done %d\n", global_counter);
	return 0;
}
