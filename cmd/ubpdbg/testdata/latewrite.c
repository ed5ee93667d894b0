// Waits until the file named by argument 1 is removed, then writes the
// global counter three times and says what it holds: a watchpoint on
// counter does not trap until the test decides.
#include <stdio.h>
#include <unistd.h>

volatile long counter;

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    while (access(argv[1], F_OK) == 0) usleep(1000);
    for (int i = 0; i < 3; i++) counter += 10;
    printf("counter %ld\n", counter);
    return 0;
}
