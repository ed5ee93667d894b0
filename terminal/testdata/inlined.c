// inlined: work is inlined into main at -O2, and its parameter n is never
// used, so it is optimized out everywhere: a condition on n cannot be
// evaluated, one on k can (in work's scope, not main's).
#include <stdio.h>

volatile int sink;

__attribute__((noinline)) void other(int x)
{
	sink = x;
}

static inline int work(int n, int k)
{
	other(k);
	other(k + 1);
	return 7;
}

int main(int argc, char **argv)
{
	int t = 0;
	for (int i = 0; i < 5; i++)
		t += work(i + argc, i);
	printf("t=%d\n", t);
	return 0;
}
