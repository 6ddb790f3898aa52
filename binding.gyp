# The native backend's addon (src/native/addon). The kernels are compiled once per instruction set, each TU with its
# own -m flags, and chosen at load time by cpuid (see addon.cc); only the portable TU is built off x86-64.
{
  "variables": {
    "vk_cflags": ["-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=fast", "-std=gnu++17"]
  },
  "targets": [
    {
      "target_name": "vaekit_kernels_generic",
      "type": "static_library",
      "sources": ["src/native/addon/kernels_generic.cc"],
      "cflags_cc": ["<@(vk_cflags)"],
      "cflags": ["-fPIC"]
    },
    {
      "target_name": "vaekit_native",
      "sources": ["src/native/addon/addon.cc"],
      "dependencies": ["vaekit_kernels_generic"],
      "cflags_cc": ["<@(vk_cflags)"],
      "cflags": ["-pthread"],
      "ldflags": ["-pthread"],
      "conditions": [
        ["target_arch=='x64'", { "dependencies": ["vaekit_kernels_avx512", "vaekit_kernels_avx2"] }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "vaekit_kernels_avx512",
          "type": "static_library",
          "sources": ["src/native/addon/kernels_avx512.cc"],
          "cflags_cc": ["<@(vk_cflags)", "-mavx512f", "-mavx512vl", "-mavx512dq", "-mavx512bw", "-mavx2", "-mfma",
                        "-mprefer-vector-width=512"],
          "cflags": ["-fPIC"]
        },
        {
          "target_name": "vaekit_kernels_avx2",
          "type": "static_library",
          "sources": ["src/native/addon/kernels_avx2.cc"],
          "cflags_cc": ["<@(vk_cflags)", "-mavx2", "-mfma"],
          "cflags": ["-fPIC"]
        }
      ]
    }]
  ]
}
