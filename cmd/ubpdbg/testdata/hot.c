// Eight threads call work() 10,000 times each. The sum printed at the end
// depends on every call having run exactly once.
#include <pthread.h>
#include <stdio.h>

#define THREADS 8
#define CALLS 10000

volatile long sink;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) void work(int thread, int i) {
    pthread_mutex_lock(&mu);
    sink += (long)thread * 100000 + i;
    pthread_mutex_unlock(&mu);
}

static void *run(void *arg) {
    int t = (int)(long)arg;
    for (int i = 0; i < CALLS; i++) work(t, i);
    return NULL;
}

int main(void) {
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, run, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    printf("sink=%ld\n", sink);
    return 0;
}
