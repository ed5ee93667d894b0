// Threads that each block in one system call until main releases them
// after argv[1] seconds (default 3): the tests pause each thread inside its
// call and step, step out or continue from there. SIGUSR1 has an
// SA_RESTART handler and SIGUSR2 one without, so a test can also interrupt
// a paused call with a signal; calls that then fail with EINTR are made
// again, so the output is the same whatever the signals do.
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int released;
static int readfd[2], pollfd[2], epfd[2];
static int listener;
static char sockpath[108];
static volatile int handled;
static int delay = 3;
static char msgs[6][64]; // each thread's result, printed by main in order
#define SAY(i, ...) snprintf(msgs[i], sizeof msgs[i], __VA_ARGS__)

static void on_signal(int sig) { handled++; (void)sig; }

static void *wait_futex(void *arg) {
	pthread_mutex_lock(&mu);
	while (!released)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	SAY(0, "futex: released");
	return arg;
}

static void *wait_nanosleep(void *arg) {
	struct timespec start, end, req = {delay + 1, 0}, rem;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (nanosleep(&req, &rem) != 0 && errno == EINTR)
		req = rem;
	clock_gettime(CLOCK_MONOTONIC, &end);
	SAY(1, "nanosleep: slept %s", end.tv_sec - start.tv_sec >= delay ? "in full" : "too little");
	return arg;
}

static void *wait_read(void *arg) {
	char c = 0;
	ssize_t n;
	while ((n = read(readfd[0], &c, 1)) < 0 && errno == EINTR)
		;
	SAY(2, "read: %zd byte '%c'", n, c);
	return arg;
}

static void *wait_poll(void *arg) {
	struct pollfd p = {.fd = pollfd[0], .events = POLLIN};
	int n;
	while ((n = poll(&p, 1, -1)) < 0 && errno == EINTR)
		;
	SAY(3, "poll: %d ready", n);
	return arg;
}

static void *wait_epoll(void *arg) {
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN}, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, epfd[0], &ev);
	int n;
	while ((n = epoll_wait(ep, &out, 1, -1)) < 0 && errno == EINTR)
		;
	SAY(4, "epoll_wait: %d ready", n);
	return arg;
}

static void *wait_accept(void *arg) {
	int fd;
	while ((fd = accept(listener, NULL, NULL)) < 0 && errno == EINTR)
		;
	SAY(5, "accept: %s", fd >= 0 ? "connected" : strerror(errno));
	return arg;
}

int main(int argc, char **argv) {
	if (argc > 1)
		delay = atoi(argv[1]);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	if (pipe(readfd) || pipe(pollfd) || pipe(epfd))
		return 1;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	snprintf(sockpath, sizeof sockpath, "/tmp/ubpdbg-syscalls-%d.sock", getpid());
	strcpy(addr.sun_path, sockpath);
	unlink(sockpath);
	listener = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(listener, (struct sockaddr *)&addr, sizeof addr) || listen(listener, 1))
		return 1;

	void *(*fns[])(void *) = {wait_futex, wait_nanosleep, wait_read, wait_poll, wait_epoll, wait_accept};
	enum { N = sizeof fns / sizeof fns[0] };
	pthread_t th[N];
	for (int i = 0; i < N; i++)
		pthread_create(&th[i], NULL, fns[i], NULL);
	struct timespec req = {delay, 0}, rem;
	while (nanosleep(&req, &rem) != 0 && errno == EINTR)
		req = rem;

	pthread_mutex_lock(&mu);
	released = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	if (write(readfd[1], "x", 1) != 1 || write(pollfd[1], "y", 1) != 1 || write(epfd[1], "z", 1) != 1)
		return 1;
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(c, (struct sockaddr *)&addr, sizeof addr))
		perror("connect");
	for (int i = 0; i < N; i++) {
		pthread_join(th[i], NULL);
		puts(msgs[i]);
	}
	unlink(sockpath);
	puts("all released");
	return 0;
}
