#pragma once
// The counters every benchmark row reports, so rows compare directly.
#include <benchmark/benchmark.h>

#include <chrono>
#include <ctime>

#include "BenchShapes.h"

namespace ternlab::bench {

// Runs the timed loop and sets GMAC/s, MAC/cycle (measured imul clock) and % of the 171
// MAC/cycle 2-popcount bound from WALL time (Google Benchmark's own rates use process CPU
// time, which is wrong for multi-threaded rows).
// Also MAC/cycle_cpu from process CPU time: on a shared, loaded machine it removes the time the
// process was descheduled (meaningful for 1-thread rows only).
inline double processCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

template <class Fn>
void timeMacs(benchmark::State& st, double macsPerIteration, Fn&& body) {
  const double c0 = processCpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : st) body();
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = processCpuSeconds() - c0;
  const double macPerSec = macsPerIteration * static_cast<double>(st.iterations()) / (sec > 0 ? sec : 1e-12);
  const double hz = clockHz();
  st.counters["GMAC/s"] = macPerSec * 1e-9;
  st.counters["MAC/cycle"] = macPerSec / hz;
  st.counters["%bound171"] = 100.0 * macPerSec / hz / kernels::kTernaryMacPerCycleBound;
  const double cpuRate = macsPerIteration * static_cast<double>(st.iterations()) / (cpu > 0 ? cpu : 1e-12);
  st.counters["MAC/cycle_cpu"] = cpuRate / hz;
  st.counters["threads"] = benchThreads();
}

}  // namespace ternlab::bench
