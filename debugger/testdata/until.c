// Eight threads call hit() until the file named by argument 1 is removed,
// then it prints "ok" if the shared sum equals what the threads' own
// tallies say it must be: a call lost, repeated or corrupted by a debugger
// prints "MISMATCH" instead, and a stray SIGTRAP kills it.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define THREADS 8

static const char *file;
static volatile long sum;
static long tally[THREADS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) void hit(int t, long i) {
    pthread_mutex_lock(&mu);
    sum += (long)t * 1000003L + i;
    pthread_mutex_unlock(&mu);
}

static void *run(void *arg) {
    int t = (int)(long)arg;
    long i = 0, want = 0;
    for (;;) {
        hit(t, i);
        want += (long)t * 1000003L + i;
        i++;
        if (i % 256 == 0 && access(file, F_OK) != 0) break;
    }
    tally[t] = want;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    file = argv[1];
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, run, (void *)i);
    long want = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        want += tally[i];
    }
    printf(sum == want ? "ok\n" : "MISMATCH\n");
    return 0;
}
