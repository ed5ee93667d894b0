// probe is ten bytes of movabs and a ret; calls counts its calls. Tests
// put breakpoints at addresses inside probe's first instruction and on
// calls (data), which must be refused, and on the ret, which must work.
#include <stdio.h>

__asm__(".text\n.globl probe\n.type probe, @function\nprobe:\n"
	"\tmovabs $0x1122334455667788, %rax\n"
	"\tret\n.size probe, .-probe\n");
long probe(void);

long calls;

int main(void) {
	long sum = 0;
	for (int i = 0; i < 1000; i++) {
		sum += probe() & 0xff;
		calls++;
	}
	printf("sum %ld calls %ld\n", sum, calls);
	return 0;
}
