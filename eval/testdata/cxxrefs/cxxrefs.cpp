// C++ references as arguments, locals and members: the test reads them
// where the program stops itself (SIGTRAP) and compares with what it
// printed as NAME=VALUE lines.
#include <csignal>
#include <cstdio>
#include <utility>

struct Handle {
    int *p;
    int tag;
};

struct Holder {
    const Handle &h; // a reference member
    int &count;
};

typedef Handle handle_t;

static void stop(const char *where) {
    printf("@%s\n", where);
    fflush(stdout);
    raise(SIGTRAP);
}

__attribute__((noinline)) int use(const Handle &h, const handle_t &h2, int &n, Handle &&moved, const Holder &holder) {
    int &alias = n;
    printf("h.tag=%d\nh2.tag=%d\nn=%d\nmoved.tag=%d\n*h.p=%d\nalias=%d\nholder.h.tag=%d\nholder.count=%d\nn+1=%d\n",
           h.tag, h2.tag, n, moved.tag, *h.p, alias, holder.h.tag, holder.count, n + 1);
    stop("use");
    return h.tag + h2.tag + n + moved.tag + alias;
}

int main() {
    int x = 41, count = 7;
    Handle h = {&x, 3};
    Holder holder = {h, count};
    int n = 5;
    int r = use(h, h, n, Handle{&x, 9}, holder);
    printf("r=%d\n", r);
    return 0;
}
