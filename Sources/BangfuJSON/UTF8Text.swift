#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Text from bytes that must be UTF-8, for the parsers on the request path.
///
/// The standard library's `String(validating:as:)` is generic and not specialized for a byte
/// buffer: it looks up the metadata of its generic types on every call, about 1,000 instructions
/// before it reads a byte (callgrind: 76 strings of an approval's plugin answer cost 76k).
/// `String(decoding:as:)` is specialized; it repairs what is not UTF-8, so bytes that come out
/// different were not UTF-8.
public enum UTF8Text {
    /// The bytes as a `String`, or nil when they are not UTF-8.
    public static func string(validating bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var text = String(decoding: bytes, as: UTF8.self)
        let unchanged = text.withUTF8 { decoded in
            decoded.count == bytes.count
                && (bytes.isEmpty || memcmp(decoded.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
        return unchanged ? text : nil
    }

    /// `string(validating:)` for an array's bytes.
    public static func string(validating bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { buffer in string(validating: buffer) }
    }
}
