// The avx2 build of the kernel table (see kernels.inc; compiled with this ISA's flags in binding.gyp).
#define VK_NS k_avx2
#define VK_VW 8
#define VK_MR 6
#define VK_ISA "avx2"
#define VK_TABLE kernels_avx2
#include "kernels.inc"
