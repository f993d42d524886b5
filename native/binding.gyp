{
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "src"],
    "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_ENABLE_TYPE_CHECK_ON_AS"],
    "cflags": ["-O3", "-Wall", "-Wextra"],
    "cflags_c": ["-std=c11"],
    "cflags_cc": ["-O3", "-std=c++17", "-Wall", "-Wextra"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions"]
  },
  "targets": [
    {
      "target_name": "pptp_native",
      "sources": [
        "<!@(cd .. && ls -1 native/src/*.c native/src/*.cc native/src/*/*.c native/src/*/*.cc 2>/dev/null | grep -v '^native/src/bench/' | sed 's|^native/||')"
      ]
    },
    {
      "target_name": "pptp_bench",
      "sources": [
        "<!@(cd .. && ls -1 native/src/addon.cc native/src/crypto/*.c native/src/dataplane/offload.cc native/src/bench/*.cc | sed 's|^native/||')"
      ]
    }
  ]
}
