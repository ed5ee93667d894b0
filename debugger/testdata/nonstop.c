// Eight threads call tick() in a loop until told to quit. Thread 0 calls
// stopper() once the debugger sets go_stop, and the test stops it there;
// the others must keep ticking. main quits 300 ms after stopper() returned.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define N 8

volatile long counters[N];
volatile int quit, stopper_done, go_stop;

__attribute__((noinline)) void tick(int id) { counters[id]++; }

__attribute__((noinline)) int stopper(int x) {
    int a = x + 1;
    int b = a * 2;
    int c = b - 3;
    return a + b + c;
}

static void *run(void *arg) {
    int id = (int)(long)arg;
    long i = 0;
    if (id == 0) {
        for (; !go_stop; i++) {
            tick(id);
            if (i % 64 == 0) usleep(50);
        }
        int r = stopper(5);
        stopper_done = r;
    }
    for (; !quit; i++) {
        tick(id);
        if (i % 64 == 0) usleep(50);
    }
    return NULL;
}

int main(void) {
    pthread_t th[N];
    for (long i = 0; i < N; i++) pthread_create(&th[i], NULL, run, (void *)i);
    while (!stopper_done) usleep(1000);
    usleep(300000);
    quit = 1;
    for (int i = 0; i < N; i++) pthread_join(th[i], NULL);
    printf("stopper returned %d\n", stopper_done);
    return 0;
}
