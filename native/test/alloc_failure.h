// Threads: any; each thread has its own plan and count.
//
// The test addon replaces operator new (alloc_failure.cc) so that a test can make
// chosen allocations of one thread throw std::bad_alloc, the failure a user's
// machine can give any allocation in our callback or validator. The product
// addon has the standard operator new: this file is compiled into the test addon only.
#pragma once

#include <cstdint>

// This thread: let `skip` allocations through, then fail the next `count`.
void FailAllocations(uint32_t skip, uint32_t count);
// This thread: how many allocations failed since FailAllocations; ends the plan.
uint32_t TakeAllocationsFailed();

// While one lives on this thread, no allocation fails or counts against the plan:
// the test's own bookkeeping that allocates (the malloc spy's sets) stays out of it.
class AllocationFailuresPaused {
 public:
  AllocationFailuresPaused();
  ~AllocationFailuresPaused();
  AllocationFailuresPaused(const AllocationFailuresPaused&) = delete;
  AllocationFailuresPaused& operator=(const AllocationFailuresPaused&) = delete;
};
