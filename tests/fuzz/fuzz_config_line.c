// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz harness for the config parser: bytes go through config_load_buffer() (lexer, directive
 * table, cross-field checks) from memory. Any outcome but a crash, leak or hang is fine. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/conf_priv.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONFIG_ERR_LEN];
	struct config *cfg = nullptr;
	int ret;

	log_setup(LOG_SINK_STDERR, LOG_EMERG); /* notices per line would drown the fuzzer */
	ret = config_load_buffer("fuzz", (const char *)data, size, &cfg, err);
	if (ret == 0) {
		if (!cfg || !cfg->server_cert || !cfg->server_key || cfg->auth != CFG_AUTH_PLAIN ||
		    (!cfg->have_ipv4 && !cfg->have_ipv6))
			__builtin_trap(); /* accepted a config conf_check() must refuse */
		config_free(cfg);
		return 0;
	}
	if (cfg || (ret != -EINVAL && ret != -ENOMEM) ||
	    memchr(err, '\0', sizeof(err)) == nullptr || strncmp(err, "fuzz:", 5) != 0 ||
	    strchr(err, '\n'))
		__builtin_trap(); /* errors are one line starting with file:line */
	return 0;
}
