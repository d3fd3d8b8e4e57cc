// Raw buffers for the event queue. Large ones are backed by transparent huge pages on Linux.

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// malloc-family allocation for ``EventHeapCore`` buffers.
///
/// A heap of a million events spans tens of MiB and every pop walks it from root to leaf, so with
/// 4 KiB pages nearly every deep level costs a TLB miss. On Linux, buffers of 4 MiB or more are
/// therefore 2 MiB-aligned and advised with `MADV_HUGEPAGE` (effective when transparent huge
/// pages are in `madvise` or `always` mode; harmless otherwise).
@usableFromInline
internal enum RawMemory {
  @usableFromInline static var hugePageThreshold: Int { 4 << 20 }

  @usableFromInline
  static func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
    let size = Swift.max(byteCount, 1)
    #if os(Linux)
      if size >= hugePageThreshold {
        let hugePage = 2 << 20
        let rounded = (size + hugePage - 1) & ~(hugePage - 1)
        var pointer: UnsafeMutableRawPointer?
        if posix_memalign(&pointer, hugePage, rounded) == 0, let pointer {
          _ = madvise(pointer, rounded, MADV_HUGEPAGE)
          return pointer
        }
      }
    #endif
    var pointer: UnsafeMutableRawPointer?
    guard posix_memalign(&pointer, Swift.max(alignment, MemoryLayout<Int>.size), size) == 0, let pointer
    else {
      fatalError("EventQueue: out of memory allocating \(size) bytes")
    }
    return pointer
  }

  @usableFromInline
  static func deallocate(_ pointer: UnsafeMutableRawPointer) {
    free(pointer)
  }
}
