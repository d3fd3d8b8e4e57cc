import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One line of text without its line end (`\n` or `\r\n`).
struct Line {
  /// The bytes of the line.
  let bytes: UnsafeBufferPointer<UInt8>
  /// 1-based line number in its file.
  let number: Int
}

/// What `LineScanner.scan` saw besides the lines.
struct ScanResult {
  /// Lines in the file.
  var lines = 0
  /// Whether the last line had no line end (it may have been cut short).
  var missingFinalNewline = false
  /// Text bytes (after decompression).
  var textBytes: Int64 = 0
  /// Bytes on disk.
  var rawBytes: Int64 = 0
}

/// Streams the lines of files in chunks, with one buffer of `chunkBytes + maximumLineBytes` bytes
/// reused for every file: a file is never held whole. Gzip input is inflated on the fly. Before
/// any line of a chunk is handed out, the chunk is checked for NUL bytes and invalid UTF-8 (binary
/// data), which fail with the line and byte offset of the first bad byte. A UTF-8 byte-order mark
/// at the start is skipped.
final class LineScanner {
  private let options: ImportOptions
  private let chunk: Int
  private let maximumLine: Int
  private let capacity: Int
  private let buffer: UnsafeMutableRawBufferPointer

  init(options: ImportOptions) {
    self.options = options
    chunk = Swift.max(options.chunkBytes, 16)
    maximumLine = Swift.max(options.maximumLineBytes, 16)
    capacity = chunk + maximumLine
    buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
  }

  deinit { buffer.deallocate() }

  /// Calls `body` for every line of the file at `path` (`file` names it in errors).
  func scan(
    path: String, file: String, filesDone: Int = 0, filesTotal: Int = 1,
    _ body: (Line) throws(WorkloadError) -> Void
  ) throws(WorkloadError) -> ScanResult {
    let reader = try ByteReader(path: path, file: file, chunkBytes: chunk)
    let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
    var result = ScanResult()
    var validator = TextValidator()
    var start = 0  // first unprocessed byte
    var end = 0  // end of valid bytes
    var discarded: Int64 = 0  // text bytes before `base`
    var atStart = true
    while true {
      if start > 0 {
        let remaining = end - start
        if remaining > 0 { memmove(base, base + start, remaining) }
        discarded += Int64(start)
        end = remaining
        start = 0
      }
      let room = Swift.min(chunk, capacity - end)
      let n = try reader.read(into: UnsafeMutableRawBufferPointer(start: base + end, count: room))
      if n == 0 {
        if let bad = validator.finish() {
          throw Self.binaryError(
            file: file, kind: bad, line: result.lines + 1, offset: discarded + Int64(end))
        }
        break
      }
      if let (offset, kind) = validator.check(UnsafeBufferPointer(start: base + end, count: n)) {
        var line = result.lines + 1
        var i = start
        while i < end + offset {
          if base[i] == UInt8(ascii: "\n") { line += 1 }
          i += 1
        }
        throw Self.binaryError(file: file, kind: kind, line: line, offset: discarded + Int64(end + offset))
      }
      end += n
      result.textBytes += Int64(n)
      if atStart && end - start >= 3 {
        atStart = false
        if base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
      }
      while start < end, let newline = Self.newline(base, from: start, to: end) {
        var stop = newline
        if stop > start && base[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
        result.lines += 1
        try body(
          Line(bytes: UnsafeBufferPointer(start: base + start, count: stop - start), number: result.lines))
        start = newline + 1
      }
      if end - start > maximumLine {
        throw WorkloadError(
          file: file, line: result.lines + 1,
          message:
            "line longer than \(maximumLine) bytes without a line end: not a CSV trace (binary data, or old Mac line ends?)"
        )
      }
      if let progress = options.progress {
        progress(
          ImportProgress(
            file: file, fileBytesRead: reader.rawBytesRead, fileBytesTotal: reader.size, filesDone: filesDone,
            filesTotal: filesTotal))
      }
    }
    if atStart && end - start >= 3 && base[start] == 0xEF && base[start + 1] == 0xBB
      && base[start + 2] == 0xBF
    {
      start += 3
    }
    if start < end {
      // The last line has no line end.
      var stop = end
      if base[stop - 1] == UInt8(ascii: "\r") { stop -= 1 }
      result.lines += 1
      result.missingFinalNewline = true
      try body(
        Line(bytes: UnsafeBufferPointer(start: base + start, count: stop - start), number: result.lines))
    }
    result.rawBytes = reader.rawBytesRead
    return result
  }

  /// The offset of the first `\n` in `base[from..<to]`: a short inline look first (short lines such
  /// as PlanetLab's), then `memchr`.
  @inline(__always)
  private static func newline(_ base: UnsafeMutablePointer<UInt8>, from: Int, to: Int) -> Int? {
    var i = from
    let quick = Swift.min(to, from + 8)
    while i < quick {
      if base[i] == UInt8(ascii: "\n") { return i }
      i += 1
    }
    guard i < to, let found = memchr(base + i, Int32(UInt8(ascii: "\n")), to - i) else { return nil }
    return found.assumingMemoryBound(to: UInt8.self) - base
  }

  private static func binaryError(file: String, kind: TextValidator.Problem, line: Int, offset: Int64)
    -> WorkloadError
  {
    let what =
      switch kind {
      case .nul: "a NUL byte"
      case .invalidUTF8: "invalid UTF-8"
      case .truncatedUTF8: "a UTF-8 sequence cut short at the end of the file"
      }
    return WorkloadError(
      file: file, line: line,
      message:
        "binary data: \(what) at byte \(offset) of the text; this is not a CSV trace (another format, or compressed with something other than gzip?)"
    )
  }
}

/// Checks text for NUL bytes and invalid UTF-8, eight bytes at a time while the text is ASCII.
/// Its state carries across chunks, so a multi-byte character may straddle two chunks.
struct TextValidator {
  enum Problem { case nul, invalidUTF8, truncatedUTF8 }

  /// Continuation bytes still expected.
  private var needed = 0
  private var lower: UInt8 = 0x80
  private var upper: UInt8 = 0xBF

  /// The offset and kind of the first bad byte of `bytes`, or nil.
  mutating func check(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Problem)? {
    let n = bytes.count
    var i = 0
    let raw = UnsafeRawPointer(bytes.baseAddress!)
    while i < n {
      if needed == 0 {
        // Fast path: skip whole words of ASCII without NUL.
        while i + 8 <= n {
          let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
          let high: UInt64 = 0x8080_8080_8080_8080
          let zero = (w &- 0x0101_0101_0101_0101) & ~w & high
          if (w & high) | zero != 0 { break }
          i += 8
        }
        if i >= n { break }
      }
      let b = bytes[i]
      if needed == 0 {
        switch b {
        case 0: return (i, .nul)
        case 0x01...0x7F: break
        case 0xC2...0xDF: start(1, 0x80, 0xBF)
        case 0xE0: start(2, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: start(2, 0x80, 0xBF)
        case 0xED: start(2, 0x80, 0x9F)
        case 0xF0: start(3, 0x90, 0xBF)
        case 0xF1...0xF3: start(3, 0x80, 0xBF)
        case 0xF4: start(3, 0x80, 0x8F)
        default: return (i, .invalidUTF8)
        }
      } else {
        guard b >= lower && b <= upper else { return (i, b == 0 ? .nul : .invalidUTF8) }
        needed -= 1
        lower = 0x80
        upper = 0xBF
      }
      i += 1
    }
    return nil
  }

  /// The problem left at the end of the text, if any.
  func finish() -> Problem? { needed > 0 ? .truncatedUTF8 : nil }

  private mutating func start(_ count: Int, _ low: UInt8, _ high: UInt8) {
    needed = count
    lower = low
    upper = high
  }
}
