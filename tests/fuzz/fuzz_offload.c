// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz target for the TUN offloads: the input is what a read(2) on an offloading TUN returned
 * (vnet header + packet); tso_split cuts it, every segment that passes inner_parse goes to
 * gro_add, and gro's output must again be a packet inner_parse accepts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_write(void *ctx, const struct virtio_net_hdr *vh, const uint8_t *pkt, size_t len)
{
	struct inner_pkt p;

	(void)ctx;
	(void)vh;
	if (inner_parse(pkt, len, &p))
		abort(); /* gro wrote something the kernel would refuse */
}

static void on_segment(void *ctx, const uint8_t *pkt, size_t len)
{
	struct inner_pkt p;

	if (!inner_parse(pkt, len, &p))
		gro_add(ctx, pkt, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gro *g;
	uint8_t *buf;

	if (size > TUN_VNET_HDR_LEN + 65535 || gro_new(on_write, nullptr, &g))
		return 0;
	buf = malloc(size ? size : 1);
	if (buf) {
		memcpy(buf, data, size);
		(void)tso_split(buf, size, on_segment, g);
		gro_flush(g);
		free(buf);
	}
	gro_free(g);
	return 0;
}
