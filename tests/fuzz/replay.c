/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a libFuzzer target without libFuzzer: LLVMFuzzerTestOneInput on
 * each file named, and on each regular file in each directory named, so
 * a corpus can be replayed under ASan/UBSan by `make check-fuzz`. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	FILE *f = fopen(path, "rb");

	if (!f) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap ? 2 * cap : 4096);

			if (!nb) {
				fprintf(stderr, "%s: out of memory\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
			cap = cap ? 2 * cap : 4096;
		}
		size_t got = fread(buf + n, 1, cap - n, f);

		if (got == 0)
			break;
		n += got;
	}
	if (ferror(f)) {
		perror(path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* An exact-size copy, so reading one byte past the input is caught. */
	uint8_t *exact = malloc(n ? n : 1);

	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int run_path(const char *path, int *count)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (run_file(path) < 0)
			return -1;
		(*count)++;
		return 0;
	}
	d = opendir(path);
	if (!d) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d))) {
		char sub[4096];

		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub)) {
			fprintf(stderr, "%s/%s: path too long\n", path, de->d_name);
			r = -1;
			continue;
		}
		if (stat(sub, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(sub) < 0)
			r = -1;
		else
			(*count)++;
	}
	closedir(d);
	return r;
}

int main(int argc, char **argv)
{
	int count = 0, r = 0, out = dup(STDOUT_FILENO); /* a target may silence stdout */

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (run_path(argv[i], &count) < 0)
			r = 1;
	dprintf(out >= 0 ? out : STDOUT_FILENO, "%s: %d inputs run\n", argv[0], count);
	return r;
}
