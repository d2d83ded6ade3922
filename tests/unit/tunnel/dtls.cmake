# SPDX-License-Identifier: GPL-2.0-or-later
# Included by tests/unit/tunnel/CMakeLists.txt: the pure DTLS datagram classifier, built on its
# own so its tests and fuzz replay do not depend on the rest of ocm_tunnel.
add_library(ocm_test_dtls_hello STATIC ${PROJECT_SOURCE_DIR}/src/tunnel/dtls_hello.c)
target_link_libraries(ocm_test_dtls_hello PUBLIC ocm_core)
ocm_unit_test(test_dtls_hello SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_dtls_hello.c
	LIBS ocm_test_dtls_hello)
ocm_fuzz_target(dtls_hello LIBS ocm_test_dtls_hello)
