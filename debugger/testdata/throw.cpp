// Debuggee of the C++ exception tests: worker 1 of four throws and
// catches, in order, an int (42), a std::runtime_error ("boom"), an
// app::BadThing, and a C string, then prints what it caught; the other
// three count in counts[] all the while. Nothing escapes: it exits 0.
#include <cstdio>
#include <string>
#include <stdexcept>
#include <thread>
#include <atomic>

namespace app {
struct BadThing {
    int code;
};
} // namespace app

std::atomic<long> counts[4];

__attribute__((noinline)) void thrower(int which) {
    switch (which) {
    case 0:
        throw 42; // BP:throw-int
    case 1:
        throw std::runtime_error("boom");
    case 2:
        throw app::BadThing{7};
    default:
        throw "a C string";
    }
}

static void worker(int id) {
    if (id != 1) {
        for (;;)
            counts[id]++;
    }
    for (int i = 0; i < 1000000; i++) // every worker runs by now
        counts[1]++;
    for (int which = 0; which < 4; which++) {
        try {
            thrower(which);
        } catch (int v) {
            std::printf("caught int %d\n", v); // BP:catch-int
        } catch (const std::exception &e) {
            std::printf("caught %s\n", e.what());
        } catch (const app::BadThing &b) {
            std::printf("caught BadThing %d\n", b.code);
        } catch (const char *s) {
            std::printf("caught \"%s\"\n", s);
        }
    }
    std::fflush(stdout);
    std::_Exit(0);
}

// With the argument "rethrow": one int thrown, caught and rethrown with
// `throw;`, caught again; nothing else.
static int rethrower() {
    try {
        try {
            throw 7;
        } catch (int) {
            throw; // BP:rethrow
        }
    } catch (int v) {
        std::printf("caught again %d\n", v);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && std::string(argv[1]) == "rethrow")
        return rethrower();
    std::thread t[4];
    for (int i = 0; i < 4; i++)
        t[i] = std::thread(worker, i);
    for (auto &x : t)
        x.join();
}
