// fork: the child prints and exits 7, the parent reports it. vfork: the
// child execs /bin/echo. exec: with argument "exec" the program execs
// itself with argument "after" from a second thread.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *self;

static void *execer(void *arg) {
    (void)arg;
    char *argv[] = {self, "after", NULL};
    execv("/proc/self/exe", argv);
    perror("execv");
    exit(99);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    self = argv[0];
    if (argc > 1 && strcmp(argv[1], "after") == 0) {
        printf("after exec\n");
        return 5;
    }
    if (argc > 1 && strcmp(argv[1], "exec") == 0) {
        printf("before exec\n");
        pthread_t th;
        pthread_create(&th, NULL, execer, NULL);
        pthread_join(th, NULL);
        return 98; // not reached
    }
    pid_t c = fork();
    if (c == 0) {
        printf("child\n");
        _exit(7);
    }
    int st;
    waitpid(c, &st, 0);
    printf("child exited %d\n", WEXITSTATUS(st));
    pid_t v = vfork();
    if (v == 0) {
        execl("/bin/echo", "echo", "vfork child", (char *)NULL);
        _exit(1);
    }
    waitpid(v, &st, 0);
    printf("vfork child exited %d\n", WEXITSTATUS(st));
    return 0;
}
