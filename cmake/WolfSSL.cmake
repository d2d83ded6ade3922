# SPDX-License-Identifier: GPL-2.0-or-later
# wolfSSL 5.5.4 built by scripts/setup.sh from Debian's source package, linked statically.
# Never Debian's libwolfssl (reference/wolfssl.md).
set(WOLFSSL_PREFIX "${PROJECT_SOURCE_DIR}/third_party/wolfssl/prefix" CACHE PATH "wolfSSL prefix")
if(NOT EXISTS "${WOLFSSL_PREFIX}/lib/libwolfssl.a")
	message(FATAL_ERROR "wolfSSL not found in ${WOLFSSL_PREFIX}: run scripts/setup.sh first")
endif()
add_library(wolfssl STATIC IMPORTED GLOBAL)
set_target_properties(wolfssl PROPERTIES
	IMPORTED_LOCATION "${WOLFSSL_PREFIX}/lib/libwolfssl.a"
	INTERFACE_INCLUDE_DIRECTORIES "${WOLFSSL_PREFIX}/include"
	INTERFACE_LINK_LIBRARIES "m;Threads::Threads")
