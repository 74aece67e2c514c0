// The machine's own floor for time violations (bench/ts-bench.ts): a loop that does nothing
// but read the TSC, on the CPU and at the priority a time-series TX thread gets, for the
// length of a Table II row. Every gap between two reads is time the CPU was taken away
// (interrupts, the hypervisor, the kernel lending a starved CFS task its share). A TX
// thread with a record due every microsecond loses about (gap - T) records per gap longer
// than a drift window of T us, so the sum of those is what no sender on this CPU can beat.
// Usage: ts-spin-probe <cpu> <fifo 0|1> <seconds> <drift-us,...>
// Prints {"cpu":..,"fifo":..,"seconds":..,"gaps":..,"maxGapUs":..,"lostUsBeyond":{"0":..,..}}
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

static double tscHz(void) {
  struct timespec a, b, pause = {0, 100000000};
  clock_gettime(CLOCK_MONOTONIC, &a);
  uint64_t t0 = __rdtsc();
  nanosleep(&pause, NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  uint64_t t1 = __rdtsc();
  return (double)(t1 - t0) / ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
}

int main(int argc, char** argv) {
  if (argc < 5) return fprintf(stderr, "usage: %s cpu fifo seconds drift,...\n", argv[0]), 2;
  int cpu = atoi(argv[1]), fifo = atoi(argv[2]);
  double seconds = atof(argv[3]);
  long drifts[16];
  int nd = 0;
  for (char* t = strtok(argv[4], ","); t != NULL && nd < 16; t = strtok(NULL, ",")) drifts[nd++] = atol(t);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) return perror("affinity"), 1;
  struct sched_param p = {1};
  int gotFifo = fifo && sched_setscheduler(0, SCHED_FIFO, &p) == 0;
  double hz = tscHz();
  uint64_t perUs = (uint64_t)(hz / 1e6), end = __rdtsc() + (uint64_t)(seconds * hz), last = __rdtsc(), gaps = 0, maxGap = 0;
  uint64_t lost[16] = {0};
  while (last < end) {
    uint64_t now = __rdtsc(), gap = now - last;
    if (gap > perUs) {
      uint64_t us = gap / perUs;
      gaps++;
      if (us > maxGap) maxGap = us;
      for (int i = 0; i < nd; i++) {
        if ((long)us > drifts[i]) lost[i] += us - (uint64_t)drifts[i];
      }
    }
    last = now;
  }
  printf("{\"cpu\":%d,\"fifo\":%d,\"seconds\":%g,\"gaps\":%lu,\"maxGapUs\":%lu,\"lostUsBeyond\":{", cpu, gotFifo, seconds, (unsigned long)gaps, (unsigned long)maxGap);
  for (int i = 0; i < nd; i++) printf("%s\"%ld\":%lu", i ? "," : "", drifts[i], (unsigned long)lost[i]);
  printf("}}\n");
  return 0;
}
