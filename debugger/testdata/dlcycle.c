/* dlcycle.c: dlopen LIB, call its dlib_work CALLS times, dlclose it, and
   again, CYCLES times in all; then say how many calls it made. Usage:
   dlcycle LIB [CYCLES [CALLS]]. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: dlcycle LIB [CYCLES [CALLS]]\n");
		return 2;
	}
	int cycles = argc > 2 ? atoi(argv[2]) : 100;
	int calls = argc > 3 ? atoi(argv[3]) : 10;
	int made = 0;
	for (int c = 0; c < cycles; c++) {
		void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			fprintf(stderr, "dlopen: %s\n", dlerror());
			return 1;
		}
		int (*work)(int) = (int (*)(int))dlsym(h, "dlib_work");
		if (!work) {
			fprintf(stderr, "dlsym: %s\n", dlerror());
			return 1;
		}
		for (int i = 0; i < calls; i++) {
			work(i);
			made++;
		}
		if (dlclose(h) != 0) {
			fprintf(stderr, "dlclose: %s\n", dlerror());
			return 1;
		}
	}
	printf("calls %d\n", made);
	return 0;
}
