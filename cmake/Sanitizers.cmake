# SPDX-License-Identifier: GPL-2.0-or-later
add_library(ocm_sanitize INTERFACE)
if(OCM_SANITIZE)
	list(JOIN OCM_SANITIZE "," _san)
	target_compile_options(ocm_sanitize INTERFACE -fsanitize=${_san} -fno-omit-frame-pointer
		-fno-sanitize-recover=undefined)
	target_link_options(ocm_sanitize INTERFACE -fsanitize=${_san})
endif()
# Fuzzing instruments every library, not only the harness, so libFuzzer sees coverage.
if(OCM_FUZZ)
	target_compile_options(ocm_sanitize INTERFACE -fsanitize=fuzzer-no-link,address,undefined
		-fno-omit-frame-pointer)
	target_link_options(ocm_sanitize INTERFACE -fsanitize=address,undefined)
endif()
# Every project target links ocm_base: warnings + sanitizers + include root.
add_library(ocm_base INTERFACE)
target_link_libraries(ocm_base INTERFACE ocm_warnings ocm_sanitize)
