// Loads known values into x87, SSE and (if present) AVX registers and traps
// with int3 so the debugger can read them; then prints "resumed".
#include <stdio.h>

static const double pi = 3.25;
static const unsigned char pattern[32] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (__builtin_cpu_supports("avx")) {
        __asm__ volatile("vmovdqu %0, %%ymm7\n\t"
                         "movsd %1, %%xmm3\n\t"
                         "int3\n\t"
                         :: "m"(pattern), "m"(pi) : "xmm3", "xmm7");
    } else {
        __asm__ volatile("movdqu %0, %%xmm7\n\t"
                         "movsd %1, %%xmm3\n\t"
                         "int3\n\t"
                         :: "m"(pattern), "m"(pi) : "xmm3", "xmm7");
    }
    printf("resumed\n");
    return 0;
}
