/** The DPDK-free sources test/synthesis-test.cc is built from (sanitizer spec, generate bench). */
export const SYNTHESIS_TEST_SOURCES = [
  'test/synthesis-test.cc',
  'src/synth-plan.cc',
  'src/synth-packet-builder.cc',
  'src/synth-bin-expander.cc',
  'src/synth-chunk-queue.cc',
  'src/synth-feeder.cc',
  'src/synth-coupled-rounder.cc',
  'src/synth-planner.cc',
];
