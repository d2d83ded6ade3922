// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/udp_port.h — a worker's socket on the shared DTLS port (its SO_REUSEPORT member):
 * receive batches, the demultiplexing of datagrams to DTLS channels, ClientHellos and NAT
 * rebinding, and the hand-over of datagrams that reached the wrong worker. */
#pragma once

struct worker;

/* The worker's receive batch and peer table; 0 or -ENOMEM. */
[[nodiscard]] int udp_port_init(struct worker *w);
void udp_port_fini(struct worker *w); /* after its channels are gone */
/* Watches *fd (bound to the DTLS port) on the worker's loop; the worker owns it then (*fd = -1). */
[[nodiscard]] int udp_port_attach(struct worker *w, int *fd);
