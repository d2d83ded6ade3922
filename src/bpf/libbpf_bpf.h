// SPDX-License-Identifier: GPL-2.0-or-later
/* bpf/libbpf_bpf.h — libbpf's low-level <bpf/bpf.h>, which our own bpf/bpf.h shadows on the
 * src/ include path; cmake/Bpf.cmake passes its full path as OCM_LIBBPF_BPF_H. */
#pragma once

#include OCM_LIBBPF_BPF_H
#include <bpf/libbpf.h>
