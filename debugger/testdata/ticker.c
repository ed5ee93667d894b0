// Four threads call step() N times each (argument 1, default 1000),
// pausing 1 ms between calls, so the program runs for about N ms; it prints
// a total that depends on every call having run once.
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>

static long total;
static int n = 1000;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) void step(int t, int i) {
    pthread_mutex_lock(&mu);
    total += t * 1000 + i;
    pthread_mutex_unlock(&mu);
}

static void *run(void *arg) {
    int t = (int)(long)arg;
    for (int i = 0; i < n; i++) {
        step(t, i);
        usleep(1000);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1) n = atoi(argv[1]);
    pthread_t th[4];
    for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, run, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    printf("total %ld\n", total);
    return 0;
}
