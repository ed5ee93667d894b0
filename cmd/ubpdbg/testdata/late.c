// Waits until the file named by argument 1 is removed, then calls late()
// once and says so: a breakpoint on late() is not hit until the test
// decides.
#include <stdio.h>
#include <unistd.h>

__attribute__((noinline)) int late(int x) { return x * 3 + 1; }

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    while (access(argv[1], F_OK) == 0) usleep(1000);
    printf("late %d\n", late(13));
    return 0;
}
