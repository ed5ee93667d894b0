// calls calls work() three times, printing each result.
#include <stdio.h>

__attribute__((noinline)) int work(int i) {
	return i * i;
}

int main(void) {
	for (int i = 1; i <= 3; i++)
		printf("work %d\n", work(i));
	return 0;
}
