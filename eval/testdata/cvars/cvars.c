// cvars is debugged by eval's tests. Before each stop it prints, one per
// line, NAME=VALUE for the variables the test checks at that stop, then
// stops itself with SIGTRAP. The test compares what the debugger reads
// with what the program printed. Built at -O0 and -O2.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

struct inner {
	int a[3];
	char tag;
};

struct outer {
	int id;
	struct inner in;
	struct inner *next;
	double ratio;
	const char *name;
	char buf[8];
};

union number {
	int i;
	float f;
	unsigned char b[4];
};

enum color { RED, GREEN = 5, BLUE };

struct bits {
	unsigned lo : 3;
	signed mid : 5;
	unsigned hi : 12;
	int after;
};

typedef int (*binop)(int, int);

__attribute__((noinline)) int add(int a, int b) { return a + b; }
__attribute__((noinline)) int mul(int a, int b) { return a * b; }

__thread int tls_counter = 7;
static __thread long tls_big = 123456789;
int global_counter = 42;
const char *global_str = "hello global";
struct inner global_inner = {{10, 20, 30}, 'g'};
struct outer global_outer;
int global_arr[5] = {1, 2, 3, 4, 5};
volatile int sink_v;

// stop prints a separator so the test can tell the stops apart, then traps.
static void stop(const char *where) {
	printf("@%s\n", where);
	fflush(stdout);
	raise(SIGTRAP);
}

__attribute__((noinline)) void sink(int v) { sink_v = v; }

// compute has arguments, loop locals and a shadowing inner block.
__attribute__((noinline)) int compute(int n, long scale, struct outer *o) {
	int total = 0;
	for (int i = 0; i < n; i++)
		total += i * (int)scale;
	int shadow = total + 1;
	{
		int shadow = total * 2;
		printf("n=%d\nscale=%ld\ntotal=%d\nshadow=%d\no->id=%d\n", n, scale, total, shadow, o->id);
		stop("compute");
		sink(shadow);
	}
	sink(shadow);
	return total + o->id;
}

// types has one variable of each kind of C type.
__attribute__((noinline)) int types(int sel) {
	struct inner next = {{7, 8, 9}, 'n'};
	struct outer o = {3, {{1, 2, 3}, 'x'}, &next, 2.5, "outer name", "buf"};
	union number num;
	num.f = 1.5f;
	enum color c = (enum color)(sel + GREEN);
	struct bits bf = {5, -3, 1000, 77};
	binop fn = sel ? add : mul;
	const char *str = "a C string";
	char arr[6] = "chars";
	int *ip = &o.in.a[1];
	errno = 34;
	tls_counter += sel;
	printf("o.id=%d\no.in.a[2]=%d\no.in.tag=%c\no.next->a[0]=%d\no.ratio=%g\no.name=%s\n",
	       o.id, o.in.a[2], o.in.tag, o.next->a[0], o.ratio, o.name);
	printf("num.i=%d\nc=%d\nbf.lo=%u\nbf.mid=%d\nbf.hi=%u\nbf.after=%d\nstr=%s\narr=%s\n*ip=%d\n",
	       num.i, c, bf.lo, bf.mid, bf.hi, bf.after, str, arr, *ip);
	printf("tls_counter=%d\ntls_big=%ld\nerrno=%d\nglobal_counter=%d\nfn(2,3)=%d\n",
	       tls_counter, tls_big, errno, global_counter, fn(2, 3));
	stop("types");
	sink(o.id + num.i + c + bf.lo + bf.mid + *ip + fn(1, 1) + (int)strlen(str) + arr[0]);
	return o.in.a[0];
}

// assigned is where the test writes variables; the program then prints
// what it finds.
__attribute__((noinline)) void assigned(void) {
	int x = 1;
	struct inner s = {{1, 2, 3}, 's'};
	int arr[4] = {0, 0, 0, 0};
	struct inner *p = &s;
	stop("assign");
	printf("x=%d\ns.a[1]=%d\narr[2]=%d\np->tag=%d\nglobal_counter=%d\n", x, s.a[1], arr[2], p->tag, global_counter);
	fflush(stdout);
	sink(x + arr[2] + p->a[0]);
}

// spin hits its stop many times: the condition benchmark evaluates
// "x > 100" at the stop.
__attribute__((noinline)) void cond(int x) {
	printf("x=%d\n", x);
	stop("cond");
	sink(x);
}

int main(int argc, char **argv) {
	(void)argv;
	global_outer.id = 99;
	global_outer.next = &global_inner;
	struct outer o = {11};
	compute(argc + 3, 10, &o);
	types(argc);
	assigned();
	cond(argc + 200);
	return 0;
}
