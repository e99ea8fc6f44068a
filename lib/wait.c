/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded waits: the clock they measure by, their step, and a lock file's
 * lock waited for. */
#include <errno.h>
#include <sys/file.h>
#include <time.h>

#include "cnet-internal.h"

uint64_t cnet_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void cnet_nap_ms(unsigned int ms)
{
	nanosleep(&(struct timespec){ms / 1000, (long)(ms % 1000) * 1000000L}, NULL);
}

int cnet_flock_wait(int fd, unsigned int timeout_ms, unsigned int step_ms)
{
	uint64_t deadline = cnet_now_ms() + timeout_ms;

	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (cnet_now_ms() >= deadline)
			return -EBUSY;
		cnet_nap_ms(step_ms);
	}
	return 0;
}
