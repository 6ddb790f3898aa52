// The generic build of the kernel table (see kernels.inc; compiled with this ISA's flags in binding.gyp).
#define VK_NS k_generic
#define VK_VW 4
#define VK_MR 4
#define VK_ISA "generic"
#define VK_TABLE kernels_generic
#include "kernels.inc"
