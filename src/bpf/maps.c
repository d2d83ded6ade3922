// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/maps.c — helpers every loader uses: address/prefix validation, per-CPU counter sums and
 * routing libbpf's messages into our log. */
#include "bpf/bpf_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/libbpf_bpf.h"

#include "core/log.h"

int bpf__addr_masked(int family, const void *addr, unsigned prefix, uint8_t out[16], size_t *len)
{
	size_t n;

	if (family == AF_INET)
		n = 4;
	else if (family == AF_INET6)
		n = 16;
	else
		return -EINVAL;
	if (!addr || prefix == 0 || prefix > n * 8)
		return -EINVAL;
	memset(out, 0, 16);
	memcpy(out, addr, n);
	for (size_t i = prefix / 8; i < n; i++) {
		unsigned keep = prefix > i * 8 ? prefix - (unsigned)i * 8 : 0;

		out[i] &= (uint8_t)(0xff00u >> keep);
	}
	*len = n;
	return 0;
}

int bpf__percpu_sums(int map_fd, uint64_t *out, uint32_t n)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;
	int ret = 0;

	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(map_fd, &i, vals) != 0) {
			ret = -errno;
			break;
		}
		for (int c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return ret;
}

[[gnu::format(printf, 2, 0)]] static int libbpf_to_log(enum libbpf_print_level level,
						       const char *fmt, va_list ap)
{
	char line[512];
	int prio = level == LIBBPF_WARN ? LOG_WARNING : LOG_DEBUG;
	size_t len;

	if (!log_is_enabled(prio))
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	log_msg(prio, "bpf: libbpf: %s", line);
	return 0;
}

static void log_init_once(void)
{
	libbpf_set_print(libbpf_to_log);
}

void bpf__log_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, log_init_once);
}
