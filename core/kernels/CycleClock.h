#pragma once
// Core clock measured as docs/ARCHITECTURE.md describes: a dependent imul chain (3-cycle latency on
// current x86 cores) timed with steady_clock — turbo included, unlike the nominal TSC rate.
namespace ternlab::kernels {

// Cycles per second of the calling core; measured once (best of 40 runs of ~4 ms), cached.
double measuredCpuHz();
// Latency in cycles assumed for one 64-bit imul in the chain.
inline constexpr int kImulLatency = 3;

}  // namespace ternlab::kernels
