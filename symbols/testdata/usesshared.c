/* usesshared.c: calls into libshared.so, which stops the process. */
extern int lib_entry(int v);

int main(void)
{
	return lib_entry(4) == 0;
}
