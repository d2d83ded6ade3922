# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzzing in CI (ctest label fuzz-run). The dev build stays uninstrumented (libFuzzer's
# trace-cmp coverage would slow the server the integration tests use); instead one ctest test
# runs tests/fuzz/run-fuzzers.sh, which builds the libFuzzer binaries in a separate build dir
# (build/fuzz-run, OCM_FUZZ=ON) and runs each for OCM_FUZZ_SECONDS on a temp copy of its corpus.
# In an OCM_FUZZ=ON build, ocm_fuzz_target() adds one fuzz_run_<name> test per binary instead.
# Include after enable_testing().
option(OCM_FUZZ_RUN "ctest runs every libFuzzer target for a bounded time (label fuzz-run)" ON)
set(OCM_FUZZ_SECONDS 20 CACHE STRING "Seconds each libFuzzer target runs under ctest")
set(OCM_FUZZ_JOBS 0 CACHE STRING "Fuzzers run at once by fuzz_run (0: half the CPUs, at least 2)")

if(OCM_FUZZ_RUN AND NOT OCM_FUZZ AND CMAKE_C_COMPILER_ID STREQUAL "Clang")
	set(_fuzz_jobs_arg)
	if(OCM_FUZZ_JOBS GREATER 0)
		set(_fuzz_jobs_arg --jobs ${OCM_FUZZ_JOBS})
	endif()
	add_test(NAME fuzz_run
		COMMAND ${PROJECT_SOURCE_DIR}/tests/fuzz/run-fuzzers.sh
			--seconds ${OCM_FUZZ_SECONDS} ${_fuzz_jobs_arg}
			--build ${PROJECT_BINARY_DIR}/fuzz-run)
	# 13 targets x 20 s, two or more at a time, plus the build: under the 5 minute budget.
	set_tests_properties(fuzz_run PROPERTIES LABELS fuzz-run TIMEOUT 600
		SKIP_RETURN_CODE 77 PROCESSORS 4)
endif()
