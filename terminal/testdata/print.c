// print.c: values for print's depth, format letters and typed pointers,
// compared with what gdb prints for the same program.
#include <stdio.h>

struct inner {
	int a;
	char tag[4];
};

struct middle {
	struct inner in;
	long n;
};

struct outer {
	struct middle mid;
	struct inner *ptr;
};

struct item {
	int id;
	struct inner box;
	struct outer deep;
};

volatile int sink;

int consume(struct item *it, int who)
{
	sink = it->id + who; // BP:consume
	return sink * 2;
}

double scale(double x, int times)
{
	return x * times; // BP:scale
}

struct pair {
	int a;
	double d;
};

// Returned in rax and xmm0: one eightbyte of each class.
struct pair make_pair(int a)
{
	struct pair p = {a, a * 0.5};
	return p; // BP:make_pair
}

// 24 bytes: returned in memory, rax holding the buffer's address.
struct outer make_outer(long n)
{
	struct outer o = {.mid = {.in = {.a = 3, .tag = "o"}, .n = n}};
	return o;
}

void nothing(void)
{
	sink = 0;
}

int main(void)
{
	struct item it = {
		.id = -1,
		.box = {.a = 255, .tag = "box"},
		.deep = {.mid = {.in = {.a = 7, .tag = "in"}, .n = 100}},
	};
	it.deep.ptr = &it.box;
	int r = consume(&it, 1);
	double d = scale(1.5, 3);
	struct pair p = make_pair(5);
	struct outer o = make_outer(42);
	nothing();
	printf("%d %g %d %g %ld\n", r, d, p.a, p.d, o.mid.n);
	return 0;
}
