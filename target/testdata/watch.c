// Four threads; thread 1 writes `early` once as it starts, thread 2
// writes `late` three times once the debugger sets `go`. The debugger
// watches them with debug registers: `early` from before any thread
// exists (clone must pass the registers on), `late` while all run.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

volatile long early;
volatile long late;
volatile int go;
volatile int ready;
volatile int tids[4];

static void *work(void *arg) {
    long id = (long)arg;
    tids[id] = (int)syscall(SYS_gettid);
    if (id == 1)
        early = 42; // EARLY
    __sync_fetch_and_add(&ready, 1);
    while (!go)
        usleep(1000);
    if (id == 2)
        for (long k = 1; k <= 3; k++) {
            late = k; // LATE
            usleep(10000);
        }
    return NULL;
}

int main(void) {
    pthread_t th[4];
    for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, work, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    printf("early %ld late %ld\n", early, late);
    return 0;
}
