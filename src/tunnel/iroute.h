// SPDX-License-Identifier: GPL-2.0-or-later
/* tunnel/iroute.h — internal to tunnel: a session's iroutes while its tunnel is up. */
#pragma once

#include <stdint.h>

#include "tunnel/session.h"
#include "tunnel/tunnel.h"

/* Maps every iroute of s to slot (rtable, kernel route via the TUN, tun_guard). 0, or the
 * first failure (logged here: overlap with the pool or another session, -EOPNOTSUPP without
 * route control, the kernel's -errno) with nothing left applied. Caller holds v->route_lock. */
[[nodiscard]] int iroute_up(struct vpn *v, const struct session *s, uint32_t slot);
/* Undoes iroute_up. Caller holds v->route_lock. */
void iroute_down(struct vpn *v, const struct session *s, uint32_t slot);
