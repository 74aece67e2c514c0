{
  "targets": [
    {
      "target_name": "txcore",
      "sources": [
        "src/napi-addon.cc",
        "src/napi-config.cc",
        "src/eal-runtime.cc",
        "src/dpdk-log-capture.cc",
        "src/port-registry.cc",
        "src/mbuf-pools.cc",
        "src/trace-parser.cc",
        "src/packet-decoder.cc",
        "src/flow-table.cc",
        "src/pacer.cc",
        "src/trace-streamer.cc",
        "src/exact-replay-engine.cc",
        "src/tx-run.cc",
        "src/ts-record-codec.cc",
        "src/ts-flow-table.cc",
        "src/ts-record-pipeline.cc",
        "src/ts-replay-engine.cc",
        "src/ts-replay-report.cc",
        "src/ts-thread-placement.cc",
        "src/ts-replay-napi-config.cc",
        "src/synth-plan.cc",
        "src/synth-packet-builder.cc",
        "src/synth-bin-expander.cc",
        "src/synth-chunk-queue.cc",
        "src/synth-feeder.cc",
        "src/synth-coupled-rounder.cc",
        "src/synth-planner.cc",
        "src/model-synthesis-engine.cc",
        "src/napi-synthesis.cc",
        "src/train-pass.cc",
        "src/train-pass-worker.cc",
        "src/train-template.cc",
        "src/napi-train-pass.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-O3", "-ffp-contract=off", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-unused-parameter", "<!@(pkg-config --cflags libdpdk)"],
      "cflags_cc": ["-std=gnu++20", "-fvisibility-inlines-hidden", "-Wno-volatile"],
      "libraries": ["<!@(pkg-config --libs libdpdk)"]
    }
  ]
}
