// One thread calls f(i) for i = 0 .. 99,999.
#include <stdio.h>

volatile long acc;

__attribute__((noinline)) void f(int i) {
    int local = i * 3;
    acc += local;
}

int main(void) {
    for (int i = 0; i < 100000; i++) f(i);
    printf("acc=%ld\n", acc);
    return 0;
}
