import Foundation

/// Encodes an `Encodable` straight to compact JSON text, shaped as `JSONEncoder` shapes it with
/// its default strategies (nil members left out, dates as seconds since 2001, data as base64),
/// members in the order the type encodes them: what the store keeps (archives, plans, the answers
/// to requests) and reads back with `JSONValueDecoder`.
///
/// Foundation's encoder builds a tree of values, sorts each object's keys and writes the tree out;
/// for the answer every transition keeps, that was a tenth of the transition (callgrind). This one
/// writes as it goes. Codable never says when a container is finished, so the encoder keeps the
/// stack of open containers and closes the deeper ones whenever an outer one is written to again,
/// and all of a value's when its `encode(to:)` returns.
public enum JSONTextEncoder {
    /// The JSON text of `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try bytes(value), as: UTF8.self)
    }

    /// The JSON text of `value` as UTF-8 bytes (for a buffer or a parser, without a `String` between).
    public static func bytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        let output = Output()
        try output.encode(value, at: nil)
        return output.bytes
    }

    /// The text written so far and the containers still open.
    final class Output {
        enum Open {
            case object
            case array
        }

        var bytes: [UInt8] = []
        var open: [Open] = []
        /// For each open container, whether it has an element yet (a comma goes before the next).
        var hasElement: [Bool] = []

        init() { bytes.reserveCapacity(512) }

        /// Closes the containers opened deeper than `depth` (their values are complete).
        func close(above depth: Int) {
            while open.count > depth {
                bytes.append(open.removeLast() == .object ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                hasElement.removeLast()
            }
        }

        func begin(_ kind: Open) {
            bytes.append(kind == .object ? UInt8(ascii: "{") : UInt8(ascii: "["))
            open.append(kind)
            hasElement.append(false)
        }

        /// Starts the next element of the container at `depth` (its index in `open`).
        func element(of depth: Int) {
            close(above: depth + 1)
            if hasElement[depth] { bytes.append(UInt8(ascii: ",")) }
            hasElement[depth] = true
        }

        func key(_ name: String, of depth: Int) {
            element(of: depth)
            JSONValue.writeString(name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }

        /// Writes one whole value: scalars at once, anything else through its `encode(to:)`, with
        /// every container it opened closed after it (and `{}` for a value that wrote nothing).
        func encode<T: Encodable>(_ value: T, at path: @autoclosure () -> JSONPath?) throws {
            // Types compared first: a cast tried for every kind on every value showed in the profile.
            if T.self == String.self {
                JSONValue.writeString(value as! String, to: &bytes)
            } else if T.self == Int64.self || T.self == Int.self {
                bytes.append(contentsOf: String(describing: value).utf8)
            } else if T.self == Bool.self {
                bytes.append(contentsOf: ((value as! Bool) ? "true" : "false").utf8)
            } else if T.self == Double.self {
                try write(value as! Double, path())
            } else if T.self == Date.self {
                try write((value as! Date).timeIntervalSinceReferenceDate, path())
            } else if T.self == Data.self {
                JSONValue.writeString((value as! Data).base64EncodedString(), to: &bytes)
            } else if T.self == JSONValue.self {
                (value as! JSONValue).write(to: &bytes)
            } else if try writeOtherScalar(value, path()) {
                return
            } else {
                let depth = open.count
                let start = bytes.count
                try value.encode(to: ValueEncoder(output: self, depth: depth, path: path()))
                close(above: depth)
                if bytes.count == start { bytes.append(contentsOf: "{}".utf8) }
            }
        }

        /// The scalars whose own `encode(to:)` hands themselves back to a single-value container:
        /// written here, or encoding them would come back to this method without end.
        func writeOtherScalar<T>(_ value: T, _ path: @autoclosure () -> JSONPath?) throws -> Bool {
            if T.self == Float.self {
                try write(Double(value as! Float), path())
            } else if T.self == Int8.self {
                try write(integer: value as! Int8, path())
            } else if T.self == Int16.self {
                try write(integer: value as! Int16, path())
            } else if T.self == Int32.self {
                try write(integer: value as! Int32, path())
            } else if T.self == UInt.self {
                try write(integer: value as! UInt, path())
            } else if T.self == UInt8.self {
                try write(integer: value as! UInt8, path())
            } else if T.self == UInt16.self {
                try write(integer: value as! UInt16, path())
            } else if T.self == UInt32.self {
                try write(integer: value as! UInt32, path())
            } else if T.self == UInt64.self {
                try write(integer: value as! UInt64, path())
            } else {
                return false
            }
            return true
        }

        /// A finite number as Swift writes it (it reads back exactly); JSON has no others.
        func write(_ number: Double, _ path: @autoclosure () -> JSONPath?) throws {
            guard number.isFinite else {
                throw EncodingError.invalidValue(
                    number,
                    EncodingError.Context(
                        codingPath: JSONPath.keys(path()), debugDescription: "\(number) is not a JSON number"))
            }
            bytes.append(contentsOf: "\(number)".utf8)
        }

        /// An integer a JSON value of ours can hold (Int64): larger unsigned ones are refused, as
        /// nothing could read them back.
        func write<T: BinaryInteger>(integer: T, _ path: @autoclosure () -> JSONPath?) throws {
            guard Int64(exactly: integer) != nil else {
                throw EncodingError.invalidValue(
                    integer,
                    EncodingError.Context(
                        codingPath: JSONPath.keys(path()), debugDescription: "\(integer) is beyond Int64"))
            }
            bytes.append(contentsOf: String(integer).utf8)
        }
    }

    struct ValueEncoder: Encoder {
        let output: Output
        /// How many containers were open when this value began; its own container is the next.
        let depth: Int
        let path: JSONPath?
        var codingPath: [CodingKey] { JSONPath.keys(path) }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            if output.open.count == depth { output.begin(.object) }
            return KeyedEncodingContainer(Keyed<Key>(output: output, depth: depth, path: path))
        }

        func unkeyedContainer() -> UnkeyedEncodingContainer {
            if output.open.count == depth { output.begin(.array) }
            return Unkeyed(output: output, depth: depth, path: path)
        }

        func singleValueContainer() -> SingleValueEncodingContainer { Single(output: output, path: path) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let output: Output
        let depth: Int
        let path: JSONPath?
        var codingPath: [CodingKey] { JSONPath.keys(path) }

        func at(_ key: Key) -> JSONPath { JSONPath(JSONCodingKey(key), parent: path) }

        mutating func encodeNil(forKey key: Key) throws {
            output.key(key.stringValue, of: depth)
            output.bytes.append(contentsOf: "null".utf8)
        }
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            output.key(key.stringValue, of: depth)
            output.bytes.append(contentsOf: (value ? "true" : "false").utf8)
        }
        mutating func encode(_ value: String, forKey key: Key) throws {
            output.key(key.stringValue, of: depth)
            JSONValue.writeString(value, to: &output.bytes)
        }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            output.key(key.stringValue, of: depth)
            try output.write(value, at(key))
        }
        mutating func encode(_ value: Float, forKey key: Key) throws {
            output.key(key.stringValue, of: depth)
            try output.write(Double(value), at(key))
        }
        mutating func encode(_ value: Int, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { try integer(value, key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { try integer(value, key) }

        func integer<T: BinaryInteger>(_ value: T, _ key: Key) throws {
            output.key(key.stringValue, of: depth)
            try output.write(integer: value, at(key))
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            output.key(key.stringValue, of: depth)
            try output.encode(value, at: at(key))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            output.key(key.stringValue, of: depth)
            output.begin(.object)
            return KeyedEncodingContainer(
                Keyed<NestedKey>(output: output, depth: depth + 1, path: at(key)))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            output.key(key.stringValue, of: depth)
            output.begin(.array)
            return Unkeyed(output: output, depth: depth + 1, path: at(key))
        }

        mutating func superEncoder() -> Encoder {
            output.key("super", of: depth)
            return ValueEncoder(output: output, depth: depth + 1, path: path)
        }

        mutating func superEncoder(forKey key: Key) -> Encoder {
            output.key(key.stringValue, of: depth)
            return ValueEncoder(output: output, depth: depth + 1, path: at(key))
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let output: Output
        let depth: Int
        let path: JSONPath?
        var codingPath: [CodingKey] { JSONPath.keys(path) }
        var count = 0

        init(output: Output, depth: Int, path: JSONPath?) {
            self.output = output
            self.depth = depth
            self.path = path
        }

        /// The path of the element just started.
        func current() -> JSONPath { JSONPath(JSONCodingKey(intValue: count - 1), parent: path) }

        mutating func next() {
            output.element(of: depth)
            count += 1
        }

        mutating func encodeNil() throws {
            next()
            output.bytes.append(contentsOf: "null".utf8)
        }
        mutating func encode(_ value: Bool) throws {
            next()
            output.bytes.append(contentsOf: (value ? "true" : "false").utf8)
        }
        mutating func encode(_ value: String) throws {
            next()
            JSONValue.writeString(value, to: &output.bytes)
        }
        mutating func encode(_ value: Double) throws {
            next()
            try output.write(value, current())
        }
        mutating func encode(_ value: Float) throws {
            next()
            try output.write(Double(value), current())
        }
        mutating func encode(_ value: Int) throws { try integer(value) }
        mutating func encode(_ value: Int8) throws { try integer(value) }
        mutating func encode(_ value: Int16) throws { try integer(value) }
        mutating func encode(_ value: Int32) throws { try integer(value) }
        mutating func encode(_ value: Int64) throws { try integer(value) }
        mutating func encode(_ value: UInt) throws { try integer(value) }
        mutating func encode(_ value: UInt8) throws { try integer(value) }
        mutating func encode(_ value: UInt16) throws { try integer(value) }
        mutating func encode(_ value: UInt32) throws { try integer(value) }
        mutating func encode(_ value: UInt64) throws { try integer(value) }

        mutating func integer<T: BinaryInteger>(_ value: T) throws {
            next()
            try output.write(integer: value, current())
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            next()
            try output.encode(value, at: current())
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            next()
            output.begin(.object)
            return KeyedEncodingContainer(Keyed<NestedKey>(output: output, depth: depth + 1, path: current()))
        }

        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            next()
            output.begin(.array)
            return Unkeyed(output: output, depth: depth + 1, path: current())
        }

        mutating func superEncoder() -> Encoder {
            next()
            return ValueEncoder(output: output, depth: depth + 1, path: current())
        }
    }

    struct Single: SingleValueEncodingContainer {
        let output: Output
        let path: JSONPath?
        var codingPath: [CodingKey] { JSONPath.keys(path) }

        mutating func encodeNil() throws { output.bytes.append(contentsOf: "null".utf8) }
        mutating func encode<T: Encodable>(_ value: T) throws { try output.encode(value, at: path) }
    }
}
