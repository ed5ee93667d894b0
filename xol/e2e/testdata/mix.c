/*
 * mix: four threads call every function of mix.S ITERS times each, on their
 * own context, while SIGALRM arrives every 2 ms (SA_RESTART) and its
 * handler counts every signal and calls the same functions (one every fourth
 * signal, in turn) on a context of
 * its own.
 *
 *   mix ITERS evex|noevex
 *
 * stdout depends only on ITERS: one checksum per thread (every result
 * feeds the next input) and the main loops' calls per function. stderr
 * carries what depends on timing: the handler's runs and its calls per
 * function ("hcalls NAME N"), and the lock-incremented global counter.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/time.h>
#include "mix.h"

#define THREADS 4

struct ctx {
	uint64_t pid, a, b, c, pad[4];
	uint32_t v[8], pad2[8];
	uint32_t z[16];
	uint8_t src[160], dst[160];
	uint8_t pad3[CTX_SIZE - CTX_DST - 160];
};
_Static_assert(__builtin_offsetof(struct ctx, v) == CTX_V, "v");
_Static_assert(__builtin_offsetof(struct ctx, z) == CTX_Z, "z");
_Static_assert(__builtin_offsetof(struct ctx, src) == CTX_SRC, "src");
_Static_assert(__builtin_offsetof(struct ctx, dst) == CTX_DST, "dst");
_Static_assert(sizeof(struct ctx) == CTX_SIZE, "size");

typedef uint64_t (*fn_t)(struct ctx *, uint64_t);
#define F(n) extern uint64_t n(struct ctx *, uint64_t);
F(f_riprel) F(f_vex) F(f_evex) F(f_branch) F(f_call) F(f_jmp) F(f_stack)
F(f_flags) F(f_rep) F(f_lock) F(f_tls) F(f_syscall) F(f_misc)
extern volatile uint64_t gcount;

/* f_tls reads and restores it; its value is 42 whenever nobody is inside. */
__thread long tv = 42;

static const struct { const char *name; fn_t f; int locked; } fns[] = {
	{"f_riprel", f_riprel, 1}, {"f_vex", f_vex, 0}, {"f_evex", f_evex, 0},
	{"f_branch", f_branch, 0}, {"f_call", f_call, 0}, {"f_jmp", f_jmp, 0},
	{"f_stack", f_stack, 1}, {"f_flags", f_flags, 0}, {"f_rep", f_rep, 0},
	{"f_lock", f_lock, 0}, {"f_tls", f_tls, 0}, {"f_syscall", f_syscall, 0},
	{"f_misc", f_misc, 0},
};
#define NFN (int)(sizeof fns / sizeof fns[0])
#define EVEX 2

static int iters, use_evex;
static pthread_mutex_t glock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long hcalls[NFN], handlers;
static long loopcalls[THREADS][NFN];
static uint64_t sums[THREADS];
static struct ctx ctxs[THREADS];
static __thread struct ctx hctx;
static __thread int hctx_init;
static sigset_t alrm;

static uint64_t fold(const struct ctx *c) {
	uint64_t h = 0;
	for (int k = 0; k < 8; k++) h = h * 31 + c->v[k];
	for (int k = 0; k < 16; k++) h = h * 37 + c->z[k];
	return h;
}

/* f_riprel and f_stack write globals: one caller at a time. A main loop
 * blocks SIGALRM while it holds the lock (so a handler never interrupts its
 * own thread's holder); a handler only tries the lock and skips the call
 * (uncounted) if another thread holds it. Nobody spins: spinning threads
 * would take the CPUs from the debugger. */
static uint64_t call(int i, struct ctx *c, uint64_t x, int in_handler, int *skipped) {
	uint64_t r;
	if (!fns[i].locked)
		return fns[i].f(c, x) + fold(c);
	sigset_t old;
	if (in_handler) {
		if (pthread_mutex_trylock(&glock) != 0) {
			*skipped = 1;
			return 0;
		}
	} else {
		pthread_sigmask(SIG_BLOCK, &alrm, &old);
		pthread_mutex_lock(&glock);
	}
	r = fns[i].f(c, x);
	pthread_mutex_unlock(&glock);
	if (!in_handler) pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r + fold(c);
}

static void on_alrm(int sig) {
	(void)sig;
	int e = errno;
	if (!hctx_init) {
		hctx.pid = getpid();
		hctx_init = 1;
	}
	/* One function every fourth signal, in turn: a handler that outlasted
	 * the 2 ms period under a debugger would never let the main loops run. */
	static __thread int next;
	atomic_fetch_add(&handlers, 1);
	if (next++ % 4 != 0) {
		errno = e;
		return;
	}
	int i = next / 4 % NFN;
	if (i == EVEX && !use_evex) i++;
	int skipped = 0;
	call(i, &hctx, (uint64_t)next * 977 & 0xfff, 1, &skipped);
	if (!skipped) atomic_fetch_add(&hcalls[i], 1);
	errno = e;
}

static void *run(void *arg) {
	int t = (int)(long)arg;
	struct ctx *c = &ctxs[t];
	c->pid = getpid();
	uint64_t sum = t + 1;
	for (int it = 0; it < iters; it++) {
		for (int i = 0; i < NFN; i++) {
			if (i == EVEX && !use_evex) continue;
			uint64_t x = (sum ^ ((uint64_t)it * 131 + i * 7 + t)) & 0xffff;
			uint64_t r = call(i, c, x, 0, NULL);
			sum = sum * 6364136223846793005ULL + r;
			loopcalls[t][i]++;
		}
	}
	sums[t] = sum;
	return NULL;
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: mix ITERS evex|noevex\n");
		return 2;
	}
	iters = atoi(argv[1]);
	use_evex = strcmp(argv[2], "evex") == 0;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	struct sigaction sa = {0};
	sa.sa_handler = on_alrm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);

	pthread_t th[THREADS];
	for (long t = 0; t < THREADS; t++) pthread_create(&th[t], NULL, run, (void *)t);
	/* The signal goes to the workers, where the functions run. */
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	struct itimerval itv = {{0, 2000}, {0, 2000}};
	setitimer(ITIMER_REAL, &itv, NULL);
	for (int t = 0; t < THREADS; t++) pthread_join(th[t], NULL);
	struct itimerval off = {0};
	setitimer(ITIMER_REAL, &off, NULL);

	for (int t = 0; t < THREADS; t++) printf("thread %d sum %016llx\n", t, (unsigned long long)sums[t]);
	long total_lock = 0;
	for (int i = 0; i < NFN; i++) {
		long n = 0;
		for (int t = 0; t < THREADS; t++) n += loopcalls[t][i];
		printf("calls %s %ld\n", fns[i].name, n);
		fprintf(stderr, "hcalls %s %ld\n", fns[i].name, atomic_load(&hcalls[i]));
		if (i == 9) total_lock = n + atomic_load(&hcalls[i]);
	}
	fprintf(stderr, "handlers %ld\n", atomic_load(&handlers));
	/* lock incq gcount(%rip) ran exactly once per f_lock call. */
	printf("gcount %s\n", (long)gcount == total_lock ? "ok" : "WRONG");
	fprintf(stderr, "gcount %llu\n", (unsigned long long)gcount);
	return 0;
}
