// readlines reads its standard input and, for each line, calls count_line
// and prints the line with its number.
#include <stdio.h>

__attribute__((noinline)) int count_line(int n) {
	return n + 1;
}

int main(void) {
	char line[256];
	int n = 0;
	while (fgets(line, sizeof line, stdin)) {
		n = count_line(n);
		printf("line %d: %s", n, line);
		fflush(stdout);
	}
	return 0;
}
