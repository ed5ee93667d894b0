// Handles SIGALRM from an interval timer and SIGUSR1 sent to itself, while
// a worker thread sleeps and computes. The output counts handled signals
// and must be the same with and without a debugger.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t alrm, usr1;
static volatile int info_ok = 1;

static void on_alrm(int sig) { (void)sig; alrm++; }
static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    if (si->si_code != SI_USER || si->si_pid != getpid()) info_ok = 0;
    usr1++;
}

static void *worker(void *arg) {
    (void)arg;
    volatile double x = 1;
    for (int i = 0; i < 50; i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        for (int j = 0; j < 10000; j++) x = x * 1.0000001;
    }
    return NULL;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    sa.sa_handler = NULL;
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);

    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    for (int i = 0; i < 10; i++) kill(getpid(), SIGUSR1);

    struct itimerval it = {{0, 2000}, {0, 2000}};
    setitimer(ITIMER_REAL, &it, NULL);
    while (alrm < 40) pause();
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    pthread_join(th, NULL);
    // Every kill above was handled before kill returned (it targets us).
    printf("usr1=%d siginfo=%s alrm>=40:%s\n", (int)usr1, info_ok ? "ok" : "BAD", alrm >= 40 ? "yes" : "no");
    return 0;
}
