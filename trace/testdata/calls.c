/* Calls work() 1000 times and exits with status 3, for the trace tests. */
#include <stdio.h>

int sum;

__attribute__((noinline)) void work(int i) { sum += i; }

int main(void) {
	for (int i = 0; i < 1000; i++)
		work(i);
	printf("sum %d\n", sum);
	return 3;
}
