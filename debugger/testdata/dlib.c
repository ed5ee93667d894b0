/* dlib.c: the library that dlcycle.c loads and unloads. */
int volatile dlib_sink;

int dlib_work(int i)
{
	dlib_sink += i; /* DLIB_WORK */
	return dlib_sink;
}
