// An example multithreaded program for the ubpdbg demo: four workers take
// jobs and process them; the main thread reports progress. Build with
//   gcc -g -O0 -pthread -o workers examples/workers.c
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define WORKERS 4
#define JOBS 25000

struct job {
    int id;
    int worker;
    long input;
};

static long results[WORKERS];
static volatile int done[WORKERS];

// process_job is the hot function the demo traces and stops in.
__attribute__((noinline)) long process_job(struct job *j) {
    long x = j->input;
    for (int i = 0; i < 20; i++) x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % 1000;
}

static void *worker(void *arg) {
    int w = (int)(long)arg;
    for (int n = 0; n < JOBS; n++) {
        struct job j = {.id = n, .worker = w, .input = n * WORKERS + w};
        results[w] += process_job(&j);
        if (n % 1000 == 0) usleep(1000);
    }
    done[w] = 1;
    return NULL;
}

int main(int argc, char **argv) {
    int slow = argc > 1 && argv[1][0] == 's';
    pthread_t th[WORKERS];
    for (long i = 0; i < WORKERS; i++) pthread_create(&th[i], NULL, worker, (void *)i);
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(th[i], NULL);
        if (slow) sleep(1);
    }
    long total = 0;
    for (int i = 0; i < WORKERS; i++) total += results[i];
    printf("processed %d jobs, checksum %ld\n", WORKERS * JOBS, total);
    return 0;
}
