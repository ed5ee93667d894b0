// stopcont runs 4 threads that each take 300 short naps (about 1.5 s in
// all) and count them, then prints the counts.
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int counts[4];

static void *worker(void *arg) {
	int *c = arg;
	for (int i = 0; i < 300; i++) {
		usleep(5000);
		(*c)++;
	}
	return NULL;
}

int main(void) {
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, worker, &counts[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	printf("counts %d %d %d %d\n", counts[0], counts[1], counts[2], counts[3]);
	return 0;
}
