/* stack.c: stops itself with int3 six calls deep, below a signal handler
   that interrupted a qsort callback running inside libc. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

int volatile depth;

__attribute__((noinline)) void leaf(int x)
{
	depth = x;
	__asm__ volatile("int3"); /* STOP */
	depth++;
}

__attribute__((noinline)) void in_handler(int x)
{
	leaf(x + 1); /* CALL_LEAF */
	depth++;
}

static void handler(int sig)
{
	in_handler(sig); /* CALL_IN_HANDLER */
}

static int compare(const void *a, const void *b)
{
	static int raised;
	if (!raised) {
		raised = 1;
		raise(SIGUSR1); /* RAISE */
	}
	return *(const int *)a - *(const int *)b;
}

__attribute__((noinline)) void sort_them(void)
{
	int v[4] = {3, 1, 2, 0};
	qsort(v, 4, sizeof v[0], compare); /* CALL_QSORT */
	depth += v[0];
}

__attribute__((noinline)) void level1(void)
{
	sort_them(); /* CALL_SORT */
	depth++;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigaction(SIGUSR1, &sa, NULL);
	level1(); /* CALL_LEVEL1 */
	return 0;
}
