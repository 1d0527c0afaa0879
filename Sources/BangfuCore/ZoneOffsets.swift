import Foundation

/// A time zone's offsets from UTC, read from the system's time zone database (TZif files under
/// /usr/share/zoneinfo, Debian's tzdata): the same IANA data ICU carries.
///
/// Asking Foundation's `TimeZone` for an offset loads ICU's time zone data into the process (about
/// 2 MiB resident that a daemon keeps for its life: issue 17, idle memory). A zone whose offset is
/// fixed after its last transition (Asia/Shanghai since 1991, every zone in China) is answered here
/// from the file; a zone that still changes by a rule (daylight saving), or a system without the
/// file, is left to `TimeZone`.
struct ZoneOffsets: Sendable {
    /// Transition instants (seconds since 1970, UTC), ascending.
    let transitions: [Int64]
    /// The offset in force from each transition on.
    let offsets: [Int32]
    /// The offset before the first transition (local mean time, type 0).
    let initial: Int32

    /// The zone's offset at `seconds` since 1970 (UTC).
    func offset(at seconds: Int64) -> Int {
        // The last transition at or before `seconds`: binary search.
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= seconds { low = middle + 1 } else { high = middle }
        }
        return Int(low == 0 ? initial : offsets[low - 1])
    }

    /// The zone `identifier` from the system's database; nil when the name is not a plain zone
    /// path, the file is missing, or the zone is not one this type answers.
    static func system(_ identifier: String, directory: String = "/usr/share/zoneinfo") -> ZoneOffsets? {
        let parts = identifier.split(separator: "/", omittingEmptySubsequences: false)
        let plain = parts.allSatisfy { part in
            !part.isEmpty && part.first != "." && part.utf8.count <= 64
                && part.unicodeScalars.allSatisfy { scalar in
                    scalar.isASCII
                        && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                            || "_+-".unicodeScalars.contains(scalar))
                }
        }
        guard plain, (1...3).contains(parts.count),
            let data = FileManager.default.contents(atPath: directory + "/" + identifier), data.count <= 1 << 20
        else { return nil }
        return ZoneOffsets(tzif: [UInt8](data))
    }

    /// Parses a TZif file of version 2 or later (RFC 8536): its 64-bit block and footer. Nil for
    /// anything else, for a file with leap seconds, and for a footer with a daylight-saving rule.
    init?(tzif bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        // The version 1 header and block, skipped: version 2 repeats them with 64-bit times.
        guard let first = reader.header(), first.version >= 2,
            reader.skip(first.blockSize(timeSize: 4)),
            let header = reader.header(), header.leapCount == 0, header.typeCount > 0
        else { return nil }
        var transitions: [Int64] = []
        transitions.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            guard let time = reader.int64(), transitions.last.map({ $0 < time }) ?? true else { return nil }
            transitions.append(time)
        }
        var typeIndexes: [Int] = []
        for _ in 0..<header.timeCount {
            guard let index = reader.byte(), Int(index) < header.typeCount else { return nil }
            typeIndexes.append(Int(index))
        }
        var typeOffsets: [Int32] = []
        for _ in 0..<header.typeCount {
            // RFC 8536: an offset is within a day either way and never -2^31.
            guard let offset = reader.int32(), abs(Int(offset)) < 86_400, reader.skip(2) else { return nil }
            typeOffsets.append(offset)
        }
        guard reader.skip(header.charCount + header.standardCount + header.universalCount),
            let footer = reader.footer(), !footer.contains(",")
        else { return nil }
        // A footer without a rule names one offset, the last transition's (RFC 8536 3.3).
        self.transitions = transitions
        offsets = typeIndexes.map { typeOffsets[$0] }
        initial = typeOffsets[0]
    }
}

/// Big-endian reads within bounds (the file is untrusted input like any other).
private struct ByteReader {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    struct Header {
        let version: Int
        let universalCount, standardCount, leapCount, timeCount, typeCount, charCount: Int

        func blockSize(timeSize: Int) -> Int {
            timeCount * timeSize + timeCount + typeCount * 6 + charCount + leapCount * (timeSize + 4)
                + standardCount + universalCount
        }
    }

    mutating func header() -> Header? {
        guard position + 44 <= bytes.count, Array(bytes[position..<position + 4]) == Array("TZif".utf8) else {
            return nil
        }
        let versionByte = bytes[position + 4]
        let version = versionByte == 0 ? 1 : Int(versionByte) - Int(UInt8(ascii: "0"))
        position += 20
        var counts: [Int] = []
        for _ in 0..<6 {
            // Bounded so that sizes computed from them cannot overflow.
            guard let count = uint32(), count <= 1 << 16 else { return nil }
            counts.append(Int(count))
        }
        return Header(
            version: version, universalCount: counts[0], standardCount: counts[1], leapCount: counts[2],
            timeCount: counts[3], typeCount: counts[4], charCount: counts[5])
    }

    mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, position + count <= bytes.count else { return false }
        position += count
        return true
    }

    mutating func byte() -> UInt8? {
        guard position < bytes.count else { return nil }
        position += 1
        return bytes[position - 1]
    }

    mutating func uint32() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        defer { position += 4 }
        return bytes[position..<position + 4].reduce(0) { value, byte in value << 8 | UInt32(byte) }
    }

    mutating func int32() -> Int32? { uint32().map { Int32(bitPattern: $0) } }

    mutating func int64() -> Int64? {
        guard position + 8 <= bytes.count else { return nil }
        defer { position += 8 }
        return Int64(bitPattern: bytes[position..<position + 8].reduce(0) { value, byte in value << 8 | UInt64(byte) })
    }

    /// The footer: newline, a POSIX TZ string, newline.
    mutating func footer() -> String? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\n"),
            let end = bytes[(position + 1)...].firstIndex(of: UInt8(ascii: "\n"))
        else { return nil }
        return String(decoding: bytes[(position + 1)..<end], as: UTF8.self)
    }
}
