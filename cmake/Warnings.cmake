# SPDX-License-Identifier: GPL-2.0-or-later
add_library(ocm_warnings INTERFACE)
target_compile_options(ocm_warnings INTERFACE
	-Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes -Wmissing-prototypes
	-Wimplicit-fallthrough -Wundef)
if(OCM_WERROR)
	target_compile_options(ocm_warnings INTERFACE -Werror)
endif()
target_compile_definitions(ocm_warnings INTERFACE _GNU_SOURCE)
target_include_directories(ocm_warnings INTERFACE ${PROJECT_SOURCE_DIR}/src)
