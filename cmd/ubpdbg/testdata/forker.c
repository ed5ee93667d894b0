// forker calls work() 100 times, forks, and then both the parent and the
// child call it 100 times more: a trace counts the parent's 200 calls and
// must say that the child ran untraced.
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

volatile long sink;

__attribute__((noinline)) void work(int i)
{
	sink += i;
}

static void calls(int n)
{
	for (int i = 0; i < n; i++)
		work(i);
}

int main(void)
{
	calls(100);
	pid_t child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	calls(100);
	if (child == 0)
		return 0;
	int status;
	waitpid(child, &status, 0);
	printf("child %d exited with status %d\n", child, WEXITSTATUS(status));
	return 0;
}
