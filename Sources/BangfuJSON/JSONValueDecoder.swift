import Foundation

/// Decodes a `Decodable` from JSON text or a `JSONValue`, reading what `JSONEncoder` wrote with
/// its default strategies (dates as seconds since 2001, data as base64): the store's own JSON
/// (archives, assessments, plans, kept answers) is read back through here.
///
/// Foundation's `JSONDecoder` cost a quarter of an approval's instructions (a household's archive
/// and assessment, read for every case it files and every approval); this one walks the values
/// the parser already made, and builds a coding path only when it has an error to report.
public enum JSONValueDecoder {
    /// Decodes `type` from JSON text.
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        var text = text
        let value = try text.withUTF8 { bytes in try JSONValue.parse(bytes) }
        return try decode(type, from: value)
    }

    /// Decodes `type` from a parsed value.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder(value: value, path: nil).decodeValue(type)
    }

    static func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: @autoclosure () -> JSONPath?) -> DecodingError {
        .typeMismatch(
            type,
            DecodingError.Context(
                codingPath: JSONPath.keys(path()), debugDescription: "expected \(type), found \(value.kind)"))
    }

    static func corrupt(_ path: @autoclosure () -> JSONPath?, _ why: String) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: JSONPath.keys(path()), debugDescription: why))
    }

    // MARK: scalars, shared by the three kinds of container

    static func bool(_ value: JSONValue, _ path: @autoclosure () -> JSONPath?) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, path()) }
        return flag
    }

    static func string(_ value: JSONValue, _ path: @autoclosure () -> JSONPath?) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value, path()) }
        return text
    }

    static func double(_ value: JSONValue, _ path: @autoclosure () -> JSONPath?) throws -> Double {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw mismatch(Double.self, value, path())
        }
    }

    /// An integer of type `T`: a JSON integer in its range, or a number with no fraction that is.
    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: JSONValue, _ path: @autoclosure () -> JSONPath?)
        throws
        -> T
    {
        switch value {
        case .int(let number):
            guard let exact = T(exactly: number) else { throw corrupt(path(), "\(number) does not fit in \(T.self)") }
            return exact
        case .double(let number):
            guard let exact = T(exactly: number) else { throw corrupt(path(), "\(number) does not fit in \(T.self)") }
            return exact
        default: throw mismatch(T.self, value, path())
        }
    }

    /// Any `Decodable`; dates and data as `JSONEncoder` writes them by default.
    static func value<T: Decodable>(_ type: T.Type, _ value: JSONValue, _ path: JSONPath?) throws -> T {
        try ValueDecoder(value: value, path: path).decodeValue(type)
    }

    struct ValueDecoder: Decoder, SingleValueDecodingContainer {
        let value: JSONValue
        let path: JSONPath?

        var codingPath: [CodingKey] { JSONPath.keys(path) }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
            if T.self == Date.self {
                return Date(timeIntervalSinceReferenceDate: try JSONValueDecoder.double(value, path)) as! T
            }
            if T.self == Data.self {
                guard let data = Data(base64Encoded: try JSONValueDecoder.string(value, path)) else {
                    throw JSONValueDecoder.corrupt(path, "not base64")
                }
                return data as! T
            }
            return try T(from: self)
        }

        func container<K: CodingKey>(keyedBy type: K.Type) throws -> KeyedDecodingContainer<K> {
            guard case .object(let members) = value else { throw mismatch([String: JSONValue].self, value, path) }
            return KeyedDecodingContainer(Keyed<K>(members: members, path: path))
        }

        func unkeyedContainer() throws -> UnkeyedDecodingContainer {
            guard case .array(let items) = value else { throw mismatch([JSONValue].self, value, path) }
            return Unkeyed(items: items, path: path)
        }

        func singleValueContainer() throws -> SingleValueDecodingContainer { self }

        func decodeNil() -> Bool { value == .null }
        func decode(_ type: Bool.Type) throws -> Bool { try bool(value, path) }
        func decode(_ type: String.Type) throws -> String { try string(value, path) }
        func decode(_ type: Double.Type) throws -> Double { try double(value, path) }
        func decode(_ type: Float.Type) throws -> Float { Float(try double(value, path)) }
        func decode(_ type: Int.Type) throws -> Int { try integer(type, value, path) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type, value, path) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type, value, path) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type, value, path) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type, value, path) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type, value, path) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type, value, path) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type, value, path) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type, value, path) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type, value, path) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }
    }

    struct Keyed<K: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [String: JSONValue]
        let path: JSONPath?

        var codingPath: [CodingKey] { JSONPath.keys(path) }
        var allKeys: [K] { members.keys.compactMap { name in K(stringValue: name) } }

        func contains(_ key: K) -> Bool { members[key.stringValue] != nil }

        /// The member named `key`.
        func member(_ key: K) throws -> JSONValue {
            guard let found = members[key.stringValue] else {
                throw DecodingError.keyNotFound(
                    key,
                    DecodingError.Context(codingPath: JSONPath.keys(path), debugDescription: "no \(key.stringValue)"))
            }
            return found
        }

        /// The path of the member named `key` (a node is made only when a nested value or an error needs it).
        func at(_ key: K) -> JSONPath { JSONPath(JSONCodingKey(key), parent: path) }

        func decodeNil(forKey key: K) throws -> Bool { try member(key) == .null }
        func decode(_ type: Bool.Type, forKey key: K) throws -> Bool { try bool(try member(key), at(key)) }
        func decode(_ type: String.Type, forKey key: K) throws -> String { try string(try member(key), at(key)) }
        func decode(_ type: Double.Type, forKey key: K) throws -> Double { try double(try member(key), at(key)) }
        func decode(_ type: Float.Type, forKey key: K) throws -> Float { Float(try double(try member(key), at(key))) }
        func decode(_ type: Int.Type, forKey key: K) throws -> Int { try integerMember(type, key) }
        func decode(_ type: Int8.Type, forKey key: K) throws -> Int8 { try integerMember(type, key) }
        func decode(_ type: Int16.Type, forKey key: K) throws -> Int16 { try integerMember(type, key) }
        func decode(_ type: Int32.Type, forKey key: K) throws -> Int32 { try integerMember(type, key) }
        func decode(_ type: Int64.Type, forKey key: K) throws -> Int64 { try integerMember(type, key) }
        func decode(_ type: UInt.Type, forKey key: K) throws -> UInt { try integerMember(type, key) }
        func decode(_ type: UInt8.Type, forKey key: K) throws -> UInt8 { try integerMember(type, key) }
        func decode(_ type: UInt16.Type, forKey key: K) throws -> UInt16 { try integerMember(type, key) }
        func decode(_ type: UInt32.Type, forKey key: K) throws -> UInt32 { try integerMember(type, key) }
        func decode(_ type: UInt64.Type, forKey key: K) throws -> UInt64 { try integerMember(type, key) }

        func integerMember<T: FixedWidthInteger>(_ type: T.Type, _ key: K) throws -> T {
            try integer(type, try member(key), at(key))
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: K) throws -> T {
            try value(type, try member(key), at(key))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: K) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try ValueDecoder(value: try member(key), path: at(key)).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: K) throws -> UnkeyedDecodingContainer {
            try ValueDecoder(value: try member(key), path: at(key)).unkeyedContainer()
        }

        func superDecoder() throws -> Decoder {
            ValueDecoder(
                value: members["super"] ?? .null, path: JSONPath(JSONCodingKey(stringValue: "super"), parent: path))
        }

        func superDecoder(forKey key: K) throws -> Decoder {
            ValueDecoder(value: members[key.stringValue] ?? .null, path: JSONPath(JSONCodingKey(key), parent: path))
        }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let items: [JSONValue]
        let path: JSONPath?
        var currentIndex = 0

        init(items: [JSONValue], path: JSONPath?) {
            self.items = items
            self.path = path
        }

        var codingPath: [CodingKey] { JSONPath.keys(path) }
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        /// Reads the next item; the index moves on only when it was decoded.
        mutating func next<T>(_ type: Any.Type, _ read: (JSONValue, @autoclosure () -> JSONPath) throws -> T) throws
            -> T
        {
            let (index, parent) = (currentIndex, path)
            let at = { JSONPath(JSONCodingKey(intValue: index), parent: parent) }
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    type,
                    DecodingError.Context(codingPath: JSONPath.keys(at()), debugDescription: "the array has ended"))
            }
            let decoded = try read(items[currentIndex], at())
            currentIndex += 1
            return decoded
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, items[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) { item, at in try bool(item, at()) } }
        mutating func decode(_ type: String.Type) throws -> String {
            try next(type) { item, at in try string(item, at()) }
        }
        mutating func decode(_ type: Double.Type) throws -> Double {
            try next(type) { item, at in try double(item, at()) }
        }
        mutating func decode(_ type: Float.Type) throws -> Float {
            Float(try next(Double.self) { item, at in try double(item, at()) })
        }
        mutating func decode(_ type: Int.Type) throws -> Int {
            try next(type) { item, at in try integer(type, item, at()) }
        }
        mutating func decode(_ type: Int8.Type) throws -> Int8 {
            try next(type) { item, at in try integer(type, item, at()) }
        }
        mutating func decode(_ type: Int16.Type) throws -> Int16 {
            try next(type) { item, at in try integer(type, item, at()) }
        }
        mutating func decode(_ type: Int32.Type) throws -> Int32 {
            try next(type) { item, at in try integer(type, item, at()) }
        }
        mutating func decode(_ type: Int64.Type) throws -> Int64 {
            try next(type) { item, at in try integer(type, item, at()) }
        }
        mutating func decode(_ type: UInt.Type) throws -> UInt {
            try next(type) { item, at in try integer(type, item, at()) }
        }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
            try next(type) { item, at in try integer(type, item, at()) }
        }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
            try next(type) { item, at in try integer(type, item, at()) }
        }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
            try next(type) { item, at in try integer(type, item, at()) }
        }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
            try next(type) { item, at in try integer(type, item, at()) }
        }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try next(type) { item, at in try value(type, item, at()) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try next([String: JSONValue].self) { item, at in
                try ValueDecoder(value: item, path: at()).container(keyedBy: type)
            }
        }

        mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
            try next([JSONValue].self) { item, at in try ValueDecoder(value: item, path: at()).unkeyedContainer() }
        }

        mutating func superDecoder() throws -> Decoder {
            try next(Decoder.self) { item, at in ValueDecoder(value: item, path: at()) }
        }
    }
}

extension JSONValue {
    /// The kind of value, for messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
