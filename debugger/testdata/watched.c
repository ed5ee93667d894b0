// Four workers count rounds in progress[]; worker 2 alone writes `shared`
// (every 50th round, at the line marked so) and worker 3 alone reads it
// (at its line), with `config`, which nothing writes. Worker 2 also
// stores the same value again, which a write watch must not stop at. After
// `rounds` rounds of worker 2 (argument 1, default 2000: about half a
// second) main calls deep(), whose local `acc` is written in a loop, and
// prints a total that depends on all of it.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

long shared;
long seen;
long config = 7; // read by worker 3, never written
long progress[4];
static volatile int stop;
static int rounds = 2000;

__attribute__((noinline)) long deep(int n) {
    volatile long acc = 0;
    for (int i = 1; i <= n; i++)
        acc += i; /* LOCAL */
    return acc;
}

static void *worker(void *arg) {
    int id = (int)(long)arg;
    for (long i = 0; !stop; i++) {
        __atomic_fetch_add(&progress[id], 1, __ATOMIC_RELAXED);
        if (id == 2 && i % 50 == 0) {
            shared = i / 50 + 1; /* WRITE */
            shared = i / 50 + 1; /* SAME */
        }
        if (id == 3 && i % 50 == 25)
            seen += shared + config; /* READ */
        if (id == 2 && i >= rounds)
            stop = 1;
        usleep(200);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1) rounds = atoi(argv[1]);
    pthread_t th[4];
    for (long i = 0; i < 4; i++) pthread_create(&th[i], NULL, worker, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    long d = deep(5);
    printf("shared %ld deep %ld\n", shared, d);
    return 0;
}
