// Installs a seccomp filter that refuses mmap and mprotect with PROT_EXEC
// (argument 1: "kill" kills the process, "eperm" fails the call with
// EPERM), then runs as busy.c does: the main thread and THREADS more
// (argument 4, default 8) call hit() N times each (argument 2),
// pausing US microseconds (argument 3), and print a sum that depends on
// every call. A debugger that maps executable memory in it (XOL
// areas) meets the filter.
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAXTHREADS 64

static long n = 2000, us = 200;
static volatile long sum;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) void hit(int t, long i) {
    pthread_mutex_lock(&mu);
    sum += (long)t * 1000003L + i * i;
    pthread_mutex_unlock(&mu);
}

static void *run(void *arg) {
    int t = (int)(long)arg;
    for (long i = 0; i < n; i++) {
        hit(t, i);
        if (us > 0) usleep(us);
    }
    return NULL;
}

// refuse_exec_mappings: mmap(..., prot, ...) and mprotect(..., prot) with
// PROT_EXEC in prot (the third argument of both) get action; everything
// else is allowed.
static int refuse_exec_mappings(unsigned int action) {
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, action),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    unsigned int action = strcmp(argv[1], "kill") == 0 ? SECCOMP_RET_KILL_PROCESS : SECCOMP_RET_ERRNO | EPERM;
    if (argc > 2) n = atol(argv[2]);
    if (argc > 3) us = atol(argv[3]);
    int threads = argc > 4 ? atoi(argv[4]) : 8;
    if (threads < 0 || threads > MAXTHREADS) return 2;
    if (refuse_exec_mappings(action)) {
        perror("seccomp");
        return 1;
    }
    pthread_t th[MAXTHREADS];
    for (long i = 0; i < threads; i++) pthread_create(&th[i], NULL, run, (void *)i);
    run((void *)(long)threads);
    for (int i = 0; i < threads; i++) pthread_join(th[i], NULL);
    printf("sum=%ld\n", sum);
    return 0;
}
