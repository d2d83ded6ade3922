// SPDX-License-Identifier: GPL-2.0-or-later
/* tests/unit/ctl/metrics_dump.c — print the sample snapshot's exposition for check_metrics.py. */
#include <stdio.h>

#include "ctl/ctl_priv.h"
#include "sample_snapshot.h"

int main(void)
{
	static struct metrics_snapshot s;
	struct buf b;
	int ret;

	sample_fill(nullptr, &s);
	buf_init(&b, 1 << 20);
	ret = metrics_render(&s, &b);
	if (!ret)
		fwrite(buf_head(&b), 1, buf_used(&b), stdout);
	buf_fini(&b);
	return ret ? 1 : 0;
}
