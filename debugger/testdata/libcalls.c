/* libcalls.c: calls libc's calloc, opendir and malloc a known number of
   times and says how many (the counts are in argv: calloc opendir malloc).
   Its output goes through write(2) from a stack buffer, so that stdio
   allocates nothing that a count of malloc would see. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Stored through a volatile pointer, so that the compiler cannot drop a
   malloc that is freed at once. */
void *volatile keep;

int main(int argc, char **argv)
{
	int ncalloc = argc > 1 ? atoi(argv[1]) : 100;
	int nopendir = argc > 2 ? atoi(argv[2]) : 10;
	int nmalloc = argc > 3 ? atoi(argv[3]) : 4000;
	int callocs = 0, opendirs = 0, mallocs = 0;
	for (int i = 0; i < ncalloc; i++) {
		keep = calloc(1, 16 + i);
		free(keep);
		callocs++;
	}
	for (int i = 0; i < nopendir; i++) {
		DIR *d = opendir("/");
		opendirs++;
		if (d)
			closedir(d);
	}
	for (int i = 0; i < nmalloc; i++) {
		keep = malloc(8 + i % 64);
		free(keep);
		mallocs++;
	}
	char buf[128];
	int n = snprintf(buf, sizeof buf, "calloc %d opendir %d malloc %d\n", callocs, opendirs, mallocs);
	write(1, buf, strlen(buf) < (size_t)n ? strlen(buf) : (size_t)n);
	return 0;
}
