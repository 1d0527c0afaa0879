/// Lower-case hex of bytes (hashes in the audit chain, request hashes, opaque refs).
///
/// `String(format: "%02x")` per byte was a measurable share of every write on Linux; so was this
/// generic property before it was inlinable (called through an unspecialised iterator from the
/// store: 9 % of an import's CPU).
extension Sequence where Element == UInt8 {
    @inlinable public var hexString: String {
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 15))
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The ASCII of a hex digit 0…15, lower case.
@inlinable public func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 48 + value : 87 + value }
