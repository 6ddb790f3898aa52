// The avx512 build of the kernel table (see kernels.inc; compiled with this ISA's flags in binding.gyp).
#define VK_NS k_avx512
#define VK_VW 16
#define VK_MR 8
#define VK_ISA "avx512"
#define VK_TABLE kernels_avx512
#include "kernels.inc"
