#include "core/store/allocator_tuning.h"

#include <malloc.h>

namespace ledger::store {

void tune_allocator_for_store() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum on 64-bit
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
}

}  // namespace ledger::store
