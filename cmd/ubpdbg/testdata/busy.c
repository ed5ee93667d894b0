// Eight threads call hit() N times each (argument 1, default 2000), pausing
// US microseconds after each call (argument 2, default 200; 0: none). The
// sum printed at the end depends on every call having run exactly once, so
// a run that lost, repeated or corrupted a call prints another one.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define THREADS 8

static long n = 2000, us = 200;
static volatile long sum;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) void hit(int t, long i) {
    pthread_mutex_lock(&mu);
    sum += (long)t * 1000003L + i * i;
    pthread_mutex_unlock(&mu);
}

static void *run(void *arg) {
    int t = (int)(long)arg;
    for (long i = 0; i < n; i++) {
        hit(t, i);
        if (us > 0) usleep(us);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1) n = atol(argv[1]);
    if (argc > 2) us = atol(argv[2]);
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, run, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    printf("sum=%ld\n", sum);
    return 0;
}
