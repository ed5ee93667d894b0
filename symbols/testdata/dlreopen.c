/* dlreopen.c: dlopens (line "o") and dlcloses (line "c") the library
   LIB as told on stdin, answering "ok" after each. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *h = NULL;
	char line[16];
	if (argc < 2)
		return 2;
	while (fgets(line, sizeof line, stdin)) {
		if (line[0] == 'o')
			h = dlopen(argv[1], RTLD_NOW);
		else if (line[0] == 'c' && h)
			dlclose(h);
		printf("%s\n", h ? "ok" : dlerror());
		fflush(stdout);
	}
	return 0;
}
