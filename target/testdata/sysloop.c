// Two threads each call getppid() 100 times (the system call nothing else
// here makes), then main prints their sum over the results, compared with
// the parent's pid.
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static long calls[2];

static void *run(void *arg) {
    long *n = arg;
    for (int i = 0; i < 100; i++)
        if (syscall(SYS_getppid) == getppid())
            ++*n;
    return NULL;
}

int main(void) {
    pthread_t th[2];
    for (int i = 0; i < 2; i++) pthread_create(&th[i], NULL, run, &calls[i]);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    printf("%ld\n", calls[0] + calls[1]);
    return 0;
}
