import CZlib
import Foundation

#if canImport(Glibc)
  import Glibc

  /// `read(2)`.
  private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    Glibc.read(descriptor, buffer, count)
  }
#elseif canImport(Darwin)
  import Darwin

  /// `read(2)`.
  private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    Darwin.read(descriptor, buffer, count)
  }
#endif

/// Reads the bytes of one file through a POSIX descriptor, inflating it on the fly when it starts
/// with the gzip magic bytes `1f 8b` (whatever its name says). Concatenated gzip members are read
/// one after the other, as `gzip -dc` does. Plain files are read straight into the caller's buffer.
final class ByteReader {
  /// The file's name in errors.
  let file: String
  /// Size on disk, when known.
  let size: Int64?
  /// Whether the file is gzip (known after the first `read`).
  private(set) var isGzip = false
  /// Bytes read from the descriptor.
  private(set) var rawBytesRead: Int64 = 0

  private let descriptor: Int32
  private let chunkBytes: Int
  private var rawEOF = false
  private var first = true
  /// Compressed input, allocated for gzip files only.
  private var input: UnsafeMutableRawBufferPointer? = nil
  private var inputStart = 0
  private var inputEnd = 0
  private var stream: UnsafeMutablePointer<z_stream>? = nil
  private var streamEnded = false

  /// Opens `path`.
  init(path: String, file: String, chunkBytes: Int) throws(WorkloadError) {
    self.file = file
    self.chunkBytes = Swift.max(chunkBytes, 64)
    let opened = open(path, O_RDONLY)
    guard opened >= 0 else {
      throw WorkloadError(file: file, message: "cannot open the file: \(String(cString: strerror(errno)))")
    }
    descriptor = opened
    var info = stat()
    if fstat(opened, &info) == 0 {
      if (info.st_mode & S_IFMT) == S_IFDIR {
        close(opened)
        throw WorkloadError(file: file, message: "is a folder, expected a file")
      }
      size = (info.st_mode & S_IFMT) == S_IFREG ? Int64(info.st_size) : nil
    } else {
      size = nil
    }
  }

  deinit {
    if let stream {
      inflateEnd(stream)
      stream.deallocate()
    }
    input?.deallocate()
    close(descriptor)
  }

  /// `read(2)` into `buffer`, retrying on EINTR; 0 at the end of the file.
  private func rawRead(_ buffer: UnsafeMutableRawBufferPointer) throws(WorkloadError) -> Int {
    while true {
      let n = systemRead(descriptor, buffer.baseAddress, buffer.count)
      if n < 0 {
        if errno == EINTR { continue }
        throw WorkloadError(file: file, message: "cannot read the file: \(String(cString: strerror(errno)))")
      }
      if n == 0 { rawEOF = true }
      rawBytesRead += Int64(n)
      return n
    }
  }

  /// Reads more compressed bytes when the input is used up.
  private func fillInput() throws(WorkloadError) {
    guard inputStart == inputEnd, !rawEOF, let input else { return }
    inputStart = 0
    inputEnd = try rawRead(input)
  }

  /// Fills `buffer` with up to `buffer.count` bytes of text; returns 0 at the end of the file.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(WorkloadError) -> Int {
    guard buffer.count > 0 else { return 0 }
    if first {
      first = false
      let n = try rawRead(buffer)
      guard n >= 2, buffer[0] == 0x1f, buffer[1] == 0x8b else { return n }
      // Gzip: move what was read into the compressed input and start inflating.
      isGzip = true
      let compressed = UnsafeMutableRawBufferPointer.allocate(
        byteCount: Swift.max(chunkBytes, n), alignment: 16)
      compressed.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: n)
      input = compressed
      inputStart = 0
      inputEnd = n
      let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
      s.initialize(to: z_stream())
      guard yunhe_inflate_init_auto(s) == Z_OK else {
        s.deallocate()
        throw WorkloadError(file: file, message: "cannot start gzip decompression (zlib)")
      }
      stream = s
    }
    guard let stream, let input else {
      // A regular file read up to its size at opening is done: spare the read(2) that returns 0.
      if rawEOF || (size.map { rawBytesRead >= $0 && $0 > 0 } ?? false) { return 0 }
      return try rawRead(buffer)
    }
    while true {
      if streamEnded {
        // Another gzip member may follow (concatenated .gz files).
        try fillInput()
        if inputStart == inputEnd { return 0 }
        guard inflateReset(stream) == Z_OK else {
          throw WorkloadError(file: file, message: "cannot restart gzip decompression (zlib)")
        }
        streamEnded = false
      }
      try fillInput()
      let available = inputEnd - inputStart
      stream.pointee.next_in = (input.baseAddress! + inputStart).assumingMemoryBound(to: Bytef.self)
      stream.pointee.avail_in = uInt(available)
      stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
      stream.pointee.avail_out = uInt(buffer.count)
      let status = inflate(stream, Z_NO_FLUSH)
      inputStart += available - Int(stream.pointee.avail_in)
      let produced = buffer.count - Int(stream.pointee.avail_out)
      switch status {
      case Z_OK, Z_BUF_ERROR:
        if produced > 0 { return produced }
        if available == 0 && rawEOF {
          throw WorkloadError(
            file: file, message: "the gzip data ends early (truncated file?) after \(rawBytesRead) bytes")
        }
        if status == Z_BUF_ERROR && available > 0 {
          throw WorkloadError(file: file, message: "corrupt gzip data (zlib made no progress)")
        }
      case Z_STREAM_END:
        streamEnded = true
        if produced > 0 { return produced }
      default:
        let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
        throw WorkloadError(
          file: file,
          message:
            "corrupt gzip data near compressed byte \(rawBytesRead - Int64(inputEnd - inputStart)): \(detail)"
        )
      }
    }
  }
}
