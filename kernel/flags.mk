# SPDX-License-Identifier: GPL-2.0
# What both modules' Kbuild files include: the include paths, the
# project's version and what the target kernel offers.  The includer sets
# cmheap-kernel to this folder (kernel/).

# <linux/cmheap.h> is the uAPI shared with userspace.  cmheap_exports.h,
# cmheap_compat.h and cmheap_trace.h (the tracepoints cmheap.ko defines and
# the importer fires too; define_trace.h includes it from the path) are in
# kernel/, shared by the two modules.
ccflags-y += -I$(cmheap-kernel)/../include/uapi -I$(cmheap-kernel)

# The project's version (the top-level VERSION file) for MODULE_VERSION, so
# that modinfo says which cmheap a board runs.
cmheap-version := $(strip $(shell cat $(cmheap-kernel)/../VERSION 2>/dev/null))
ccflags-y += -DCMHEAP_VERSION='"$(or $(cmheap-version),unknown)"'

# What the target kernel offers, probed in its headers rather than guessed
# from its version (distributions backport): cmheap_compat.h keys on these.
cmheap-has = $(shell grep -qsw '$(1)' $(srctree)/$(2) && echo -D$(3))
ccflags-y += $(call cmheap-has,dma_buf_vmap_unlocked,include/linux/dma-buf.h,CMHEAP_HAVE_VMAP_UNLOCKED)
ccflags-y += $(call cmheap-has,vm_flags_clear,include/linux/mm.h,CMHEAP_HAVE_VM_FLAGS_CLEAR)
ccflags-y += $(call cmheap-has,shrinker_alloc,include/linux/shrinker.h,CMHEAP_HAVE_SHRINKER_ALLOC)
ccflags-y += $(call cmheap-has,nth_page,include/linux/mm.h,CMHEAP_HAVE_NTH_PAGE)
ccflags-y += $(call cmheap-has,DEV_FLAG_DMA_COHERENT,include/linux/device.h,CMHEAP_HAVE_DEV_FLAGS)
ccflags-y += $(call cmheap-has,remove_new,include/linux/platform_device.h,CMHEAP_HAVE_REMOVE_NEW)
ccflags-y += $(call cmheap-has,bool is_ram$(comma) unsigned long attrs,include/linux/dma-direct.h,CMHEAP_HAVE_DMA_CAPABLE_ATTRS)
# Up to 6.12 the namespace macros stringify an identifier themselves.
ccflags-y += $(shell grep -qs 'import_ns, __stringify(ns)' $(srctree)/include/linux/module.h && echo -DCMHEAP_NS_IDENTIFIER)
