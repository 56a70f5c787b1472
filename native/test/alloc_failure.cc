// Threads: any (see alloc_failure.h); the plan is thread-local, so only the
// thread that asked for failures sees them.
//
// operator new and delete for the whole test addon (the linker takes these
// instead of the runtime's; libstdc++'s nothrow and array forms call them).
// malloc and free underneath, as the runtime's own, so memory from either side
// may be freed by the other.
#include "test/alloc_failure.h"

#include <cstdlib>
#include <new>

namespace {

thread_local uint32_t skipLeft = 0;
thread_local uint32_t failLeft = 0;
thread_local uint32_t failed = 0;
thread_local uint32_t paused = 0;

}  // namespace

void FailAllocations(uint32_t skip, uint32_t count) {
  skipLeft = skip;
  failLeft = count;
  failed = 0;
}

AllocationFailuresPaused::AllocationFailuresPaused() { paused++; }
AllocationFailuresPaused::~AllocationFailuresPaused() { paused--; }

uint32_t TakeAllocationsFailed() {
  uint32_t n = failed;
  skipLeft = failLeft = failed = 0;
  return n;
}

void* operator new(std::size_t size) {
  if (failLeft > 0 && paused == 0) {
    if (skipLeft > 0) {
      skipLeft--;
    } else {
      failLeft--;
      failed++;
      throw std::bad_alloc();
    }
  }
  if (size == 0) size = 1;
  for (;;) {
    if (void* p = std::malloc(size)) return p;
    std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
