// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz harness for per-user/per-group files: bytes go through group_config_parse_buffer() (the
 * lexer and the per-user key table), and an accepted file is merged with session_config_build().
 * Any outcome but a crash, leak or hang is fine; errors must be one "fuzz…" line. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/config.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char base[] = "auth = \"plain[passwd=/p]\"\nserver-cert = c\nserver-key = k\n"
				   "ipv4-network = 198.18.0.0/24\n";
	char err[CONFIG_ERR_LEN];
	struct group_config *g = nullptr;
	struct session_config *s = nullptr;
	struct config *cfg = nullptr;
	int ret;

	log_setup(LOG_SINK_STDERR, LOG_EMERG);
	ret = group_config_parse_buffer("fuzz", GROUP_CONFIG_USER, (const char *)data, size, &g,
					err);
	if (ret < 0) {
		if (g || (ret != -EINVAL && ret != -ENOMEM && ret != -E2BIG) ||
		    memchr(err, '\0', sizeof(err)) == nullptr || strncmp(err, "fuzz", 4) != 0 ||
		    strchr(err, '\n'))
			__builtin_trap();
		return 0;
	}
	if (!g || g->set >> GCK__COUNT)
		__builtin_trap();
	if (config_load_buffer("base", base, sizeof(base) - 1, &cfg, err) != 0)
		__builtin_trap();
	ret = session_config_build(cfg, nullptr, g, &s);
	if ((ret == 0) != (s != nullptr) || (ret != 0 && ret != -EINVAL && ret != -ENOMEM))
		__builtin_trap();
	session_config_free(s);
	config_free(cfg);
	group_config_free(g);
	return 0;
}
