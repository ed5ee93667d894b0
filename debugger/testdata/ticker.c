// Four threads call step() 1000 times each, pausing 1 ms between calls,
// so the program runs for about a second; it prints a total that depends
// on every call having run once.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static long total;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) void step(int t, int i) {
    pthread_mutex_lock(&mu);
    total += t * 1000 + i;
    pthread_mutex_unlock(&mu);
}

static void *run(void *arg) {
    int t = (int)(long)arg;
    for (int i = 0; i < 1000; i++) {
        step(t, i);
        usleep(1000);
    }
    return NULL;
}

int main(void) {
    pthread_t th[4];
    for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, run, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    printf("total %ld\n", total);
    return 0;
}
