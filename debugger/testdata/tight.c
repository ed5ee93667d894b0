// Threads (argv[1], default 2) each call an empty function in a tight
// loop, 1,000,000 times: a breakpoint on it is hit by every thread within
// a few instructions of being resumed. The total printed at the end counts
// every call.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define CALLS 1000000
#define MAX 64

static volatile long calls[MAX];
static pthread_barrier_t start; // every thread loops from the same moment

__attribute__((noinline)) void touch(void) { __asm__ volatile(""); }

static void *loop(void *arg) {
    volatile long *n = &calls[(long)arg];
    pthread_barrier_wait(&start);
    for (int i = 0; i < CALLS; i++) {
        ++*n;
        touch();
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > MAX)
        return 2;
    pthread_t th[MAX];
    pthread_barrier_init(&start, NULL, threads);
    for (long i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, loop, (void *)i);
    long total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        total += calls[i];
    }
    printf("total %ld\n", total);
    return 0;
}
