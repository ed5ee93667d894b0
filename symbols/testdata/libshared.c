/* libshared.c: a shared library of the test's own, with an inlined
   helper, for resolving specs inside a library. */
#include <signal.h>

int volatile lib_sink;

static inline int lib_helper(int x)
{
	return x * 3 + 1; /* LIB_HELPER */
}

int lib_entry(int v)
{
	int r = lib_helper(v);
	lib_sink = r;
	raise(SIGTRAP); /* LIB_TRAP */
	return r + lib_helper(r);
}
