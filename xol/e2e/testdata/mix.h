/* Layout of the per-caller context shared by mix.S and mix.c. */
#define CTX_PID 0
#define CTX_A 8
#define CTX_B 16
#define CTX_C 24
#define CTX_V 64   /* 8 dwords written by f_vex */
#define CTX_Z 128  /* 16 dwords written by f_evex */
#define CTX_SRC 192
#define CTX_DST 352
#define CTX_SIZE 512
