// ticker prints "tick I" N times (argv[1], default 100), one every 20 ms,
// then "done N", flushing each line, and reads standard input first if
// argv[2] is "read": it then prints what it read as "input: ...".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
	int n = argc > 1 ? atoi(argv[1]) : 100;
	if (argc > 2 && !strcmp(argv[2], "read")) {
		char line[256];
		while (fgets(line, sizeof line, stdin))
			printf("input: %s", line);
		fflush(stdout);
	}
	for (int i = 0; i < n; i++) {
		printf("tick %d\n", i);
		fflush(stdout);
		usleep(20000);
	}
	printf("done %d\n", n);
	return 0;
}
