// Four threads count up to a fixed total each, with small pauses so the run
// takes about one second. Each publishes its thread ID and its counter in
// globals so a debugger can watch them. The output depends only on the
// totals, never on timing.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

#define NTHREADS 4
#define STEPS 1000

volatile unsigned long counters[NTHREADS];
volatile int tids[NTHREADS];
volatile int ready;

static void *work(void *arg) {
    long id = (long)arg;
    tids[id] = (int)syscall(SYS_gettid);
    __sync_fetch_and_add(&ready, 1);
    for (int s = 0; s < STEPS; s++) {
        for (int i = 0; i < 1000; i++) counters[id]++;
        usleep(1000);
    }
    return NULL;
}

int main(void) {
    pthread_t th[NTHREADS];
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("start\n");
    for (long i = 0; i < NTHREADS; i++) pthread_create(&th[i], NULL, work, (void *)i);
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    unsigned long total = 0;
    for (int i = 0; i < NTHREADS; i++) total += counters[i];
    printf("total %lu\n", total);
    return 0;
}
