/* A function of a million one-byte instructions (nop), for breakpoints on
 * every instruction of it: main runs it twice and says so. */
#include <stdio.h>

void sled(void);
__asm__(".text\n"
        ".globl sled\n"
        ".type sled, @function\n"
        "sled:\n"
        ".rept 1000000\n"
        "nop\n"
        ".endr\n"
        "ret\n"
        ".size sled, .-sled\n");

int main(void) {
    sled();
    sled();
    puts("ran the sled twice");
    return 0;
}
