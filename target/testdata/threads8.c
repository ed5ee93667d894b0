// Starts 8 threads that each print a line, joins them, exits with status 3.
#include <pthread.h>
#include <stdio.h>

static void *work(void *arg) {
    long id = (long)arg;
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < 100000; i++) x += i * id;
    printf("thread %ld done\n", id);
    return NULL;
}

int main(void) {
    pthread_t th[8];
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (long i = 0; i < 8; i++) pthread_create(&th[i], NULL, work, (void *)i);
    for (int i = 0; i < 8; i++) pthread_join(th[i], NULL);
    printf("all 8 joined\n");
    return 3;
}
