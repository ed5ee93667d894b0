// Debuggee of the exception-stop tests: four workers count in counts[],
// and once every one of them has counted a while, worker 2 crashes in
// crash() as argv[1] says: "segv" (a NULL dereference), "abort"
// (abort()), "fpe" (an integer division by zero), "handled" (a SIGSEGV
// that the program's own handler reports, then exits 3), "usr1" (a
// SIGUSR1 it handles, then it goes on; the program exits 0).
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile long counts[4];
volatile int divisor; // 0: the division faults
volatile int *nowhere; // NULL: the load faults
static const char *how = "segv";
static volatile int usr1_seen;

static void on_segv(int sig) {
    (void)sig;
    static const char msg[] = "handled SIGSEGV\n";
    write(1, msg, sizeof msg - 1);
    _exit(3);
}

static void on_usr1(int sig) {
    (void)sig;
    usr1_seen = 1;
}

__attribute__((noinline)) int crash(void) {
    if (strcmp(how, "abort") == 0)
        abort(); // BP:abort
    if (strcmp(how, "fpe") == 0)
        return 100 / divisor; // BP:fpe
    if (strcmp(how, "usr1") == 0) {
        raise(SIGUSR1); // BP:usr1
        return usr1_seen;
    }
    return *nowhere; // BP:segv
}

static void *worker(void *arg) {
    long id = (long)arg;
    for (;;) {
        counts[id]++;
        if (id == 2 && counts[2] == 20000000) {
            for (int i = 0; i < 4; i++)
                while (counts[i] < 1000) // every worker runs by now
                    ;
            crash();
            if (strcmp(how, "usr1") == 0) {
                printf("usr1 %d\n", usr1_seen);
                fflush(stdout);
                _exit(0);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1)
        how = argv[1];
    if (strcmp(how, "handled") == 0)
        signal(SIGSEGV, on_segv);
    if (strcmp(how, "usr1") == 0)
        signal(SIGUSR1, on_usr1);
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    return 0;
}
