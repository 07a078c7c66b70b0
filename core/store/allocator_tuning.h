// Keeps memory that RocksDB frees (memtable arenas, write batches) in the process for reuse.
//
// glibc serves large allocations with fresh mmap()s and returns them on free, so every new
// memtable arena block is page-faulted in again: measured at ~12% of append time (perf, see
// BENCHMARKS.md). Raising the mmap and trim thresholds makes those blocks come from, and return
// to, the heap. Memory stays bounded by the store's own limits (write buffers, block cache).
// Call once at the start of a process that writes to the store, before any thread starts.
#pragma once

namespace ledger::store {

void tune_allocator_for_store();

}  // namespace ledger::store
