/* A function called five times, for the tests of int3 sites. */
#include <stdio.h>

int counter;

__attribute__((noinline)) void work(int i) { counter += i; }

int main(void) {
	for (int i = 0; i < 5; i++)
		work(i);
	printf("counter %d\n", counter);
	return 0;
}
