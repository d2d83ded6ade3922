# SPDX-License-Identifier: GPL-2.0-or-later
# eBPF toolchain (STYLE.md §12): clang -target bpf on UAPI headers, bpftool skeletons in the
# build tree, libbpf. Sets OCM_BPF_ENABLED; when OFF, src/bpf builds its stub.
option(OCM_BPF "Build the eBPF programs and their loaders" ON)
set(OCM_BPF_ENABLED OFF)

if(OCM_BPF)
	find_package(PkgConfig REQUIRED)
	find_program(OCM_BPF_CLANG NAMES clang-19 clang)
	find_program(OCM_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin)
	pkg_check_modules(LIBBPF QUIET IMPORTED_TARGET libbpf)
	if(LIBBPF_FOUND)
		pkg_get_variable(OCM_LIBBPF_INCLUDEDIR libbpf includedir)
	endif()
	if(OCM_BPF_CLANG AND OCM_BPFTOOL AND LIBBPF_FOUND
	   AND EXISTS "${OCM_LIBBPF_INCLUDEDIR}/bpf/bpf.h")
		set(OCM_BPF_ENABLED ON)
	else()
		message(WARNING "eBPF disabled: need clang, bpftool and libbpf-dev "
			"(clang='${OCM_BPF_CLANG}' bpftool='${OCM_BPFTOOL}' libbpf=${LIBBPF_FOUND})")
	endif()
endif()

# ocm_bpf_skeleton(NAME OUTVAR): compiles ${CMAKE_CURRENT_SOURCE_DIR}/NAME.bpf.c and generates
# NAME.skel.h in ${CMAKE_CURRENT_BINARY_DIR}/gen; appends the header's path to OUTVAR.
function(ocm_bpf_skeleton name outvar)
	set(src ${CMAKE_CURRENT_SOURCE_DIR}/${name}.bpf.c)
	set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
	set(skel ${CMAKE_CURRENT_BINARY_DIR}/gen/${name}.skel.h)
	set(arch_inc)
	if(CMAKE_LIBRARY_ARCHITECTURE)
		set(arch_inc -idirafter /usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
	endif()
	add_custom_command(OUTPUT ${obj}
		COMMAND ${OCM_BPF_CLANG} -std=gnu23 -target bpf -O2 -g -Wall -Wextra -Werror
			-I${PROJECT_SOURCE_DIR}/src ${arch_inc} -MD -MF ${obj}.d -c ${src} -o ${obj}
		DEPENDS ${src}
		DEPFILE ${obj}.d
		COMMENT "BPF ${name}.bpf.c"
		VERBATIM)
	add_custom_command(OUTPUT ${skel}
		COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/gen
		COMMAND sh -c "'${OCM_BPFTOOL}' gen skeleton '${obj}' name ${name} > '${skel}.tmp'"
		COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
		DEPENDS ${obj}
		COMMENT "bpftool skeleton ${name}"
		VERBATIM)
	set(${outvar} ${${outvar}} ${skel} PARENT_SCOPE)
endfunction()
