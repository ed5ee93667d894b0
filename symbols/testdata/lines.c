/* lines.c: functions, loops, an inlined helper and lines without code,
   for comparing FILE:LINE and FUNC resolution with gdb. */
#include <stdio.h>
#include <stdlib.h>

static inline int square(int x)
{
	int y = x * x; /* LINE_SQUARE */
	return y + 1;
}

int volatile sink;

/* A comment line without code. */

__attribute__((noinline)) int sum_squares(int n)
{
	int total = 0;
	for (int i = 0; i < n; i++) { /* LINE_LOOP */
		total += square(i);
	}

	return total; /* LINE_RETURN */
}

__attribute__((noinline)) int twice(int v)
{
	sink = square(v + 1);
	return sink * 2;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 5;

	printf("%d\n", sum_squares(n)); /* LINE_MAIN_CALL */
	printf("%d\n", twice(n));
	return 0;
}
