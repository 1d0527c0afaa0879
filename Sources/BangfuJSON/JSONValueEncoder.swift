import Foundation

/// Encodes an `Encodable` straight into a `JSONValue`, as `JSONEncoder` would shape it
/// (nil keys left out, dates as seconds since 2001, data as base64), without writing and
/// re-reading JSON text in between: every reply of bangfud goes through here.
enum JSONValueEncoder {
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = Slot()
        try Slot.encode(value, into: root, path: [])
        return root.materialize()
    }

    /// A place a value is encoded into; containers hold slots for their children.
    final class Slot {
        enum Content {
            case value(JSONValue)
            case object(Object)
            case array(List)
        }
        final class Object { var items: [String: Slot] = [:] }
        final class List { var items: [Slot] = [] }
        var content: Content?

        func materialize() -> JSONValue {
            switch content {
            case .none: return .object([:])
            case .value(let v): return v
            case .object(let o): return .object(o.items.mapValues { $0.materialize() })
            case .array(let a): return .array(a.items.map { $0.materialize() })
            }
        }

        var object: Object {
            if case .object(let o) = content { return o }
            let o = Object()
            content = .object(o)
            return o
        }

        var list: List {
            if case .array(let a) = content { return a }
            let a = List()
            content = .array(a)
            return a
        }

        static func encode<T: Encodable>(_ value: T, into slot: Slot, path: [CodingKey]) throws {
            switch value {
            case let v as String: slot.content = .value(.string(v))
            case let v as Bool: slot.content = .value(.bool(v))
            case let v as Int: slot.content = .value(.int(Int64(v)))
            case let v as Int64: slot.content = .value(.int(v))
            case let v as Int32: slot.content = .value(.int(Int64(v)))
            case let v as UInt32: slot.content = .value(.int(Int64(v)))
            case let v as Int8: slot.content = .value(.int(Int64(v)))
            case let v as Int16: slot.content = .value(.int(Int64(v)))
            case let v as UInt8: slot.content = .value(.int(Int64(v)))
            case let v as UInt16: slot.content = .value(.int(Int64(v)))
            case let v as UInt: slot.content = .value(try unsigned(UInt64(v), path))
            case let v as UInt64: slot.content = .value(try unsigned(v, path))
            case let v as Float: slot.content = .value(try number(Double(v), path))
            case let v as Double: slot.content = .value(try number(v, path))
            case let v as Date: slot.content = .value(try number(v.timeIntervalSinceReferenceDate, path))
            case let v as Data: slot.content = .value(.string(v.base64EncodedString()))
            case let v as JSONValue: slot.content = .value(v)
            default: try value.encode(to: ValueEncoder(slot: slot, codingPath: path))
            }
        }

        /// An unsigned integer that a JSON value of ours can hold (Int64); larger ones are refused.
        static func unsigned(_ value: UInt64, _ path: [CodingKey]) throws -> JSONValue {
            guard let exact = Int64(exactly: value) else {
                throw EncodingError.invalidValue(
                    value, EncodingError.Context(codingPath: path, debugDescription: "\(value) is beyond Int64"))
            }
            return .int(exact)
        }

        static func number(_ d: Double, _ path: [CodingKey]) throws -> JSONValue {
            guard d.isFinite else {
                throw EncodingError.invalidValue(
                    d, EncodingError.Context(codingPath: path, debugDescription: "\(d) is not a JSON number"))
            }
            return .double(d)
        }
    }

    struct ValueEncoder: Encoder {
        let slot: Slot
        var codingPath: [CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(object: slot.object, codingPath: codingPath))
        }

        func unkeyedContainer() -> UnkeyedEncodingContainer { Unkeyed(list: slot.list, codingPath: codingPath) }
        func singleValueContainer() -> SingleValueEncodingContainer { Single(slot: slot, codingPath: codingPath) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let object: Slot.Object
        var codingPath: [CodingKey]

        func child(_ key: Key) -> Slot {
            let s = Slot()
            object.items[key.stringValue] = s
            return s
        }

        mutating func encodeNil(forKey key: Key) throws { child(key).content = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try Slot.encode(value, into: child(key), path: codingPath + [key])
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            KeyedEncodingContainer(Keyed<NestedKey>(object: child(key).object, codingPath: codingPath + [key]))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
            Unkeyed(list: child(key).list, codingPath: codingPath + [key])
        }
        mutating func superEncoder() -> Encoder {
            ValueEncoder(slot: child(Key(stringValue: "super")!), codingPath: codingPath)
        }
        mutating func superEncoder(forKey key: Key) -> Encoder {
            ValueEncoder(slot: child(key), codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let list: Slot.List
        var codingPath: [CodingKey]
        var count: Int { list.items.count }

        func next() -> Slot {
            let s = Slot()
            list.items.append(s)
            return s
        }

        mutating func encodeNil() throws { next().content = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws {
            try Slot.encode(value, into: next(), path: codingPath + [JSONCodingKey(intValue: count)])
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
            NestedKey
        > {
            KeyedEncodingContainer(Keyed<NestedKey>(object: next().object, codingPath: codingPath))
        }
        mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
            Unkeyed(list: next().list, codingPath: codingPath)
        }
        mutating func superEncoder() -> Encoder { ValueEncoder(slot: next(), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let slot: Slot
        var codingPath: [CodingKey]

        mutating func encodeNil() throws { slot.content = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws { try Slot.encode(value, into: slot, path: codingPath) }
    }
}

/// Where a value sits, kept as a list back to the root and made into `[CodingKey]` only when asked
/// (an error, or a type that reads its coding path): building an array per value cost the coders
/// more than the values.
final class JSONPath: Sendable {
    let key: JSONCodingKey
    let parent: JSONPath?

    init(_ key: JSONCodingKey, parent: JSONPath?) {
        self.key = key
        self.parent = parent
    }

    static func keys(_ path: JSONPath?) -> [CodingKey] {
        var keys: [CodingKey] = []
        var node = path
        while let current = node {
            keys.append(current.key)
            node = current.parent
        }
        return keys.reversed()
    }
}

/// A coding key by name or position, for the paths both coders report.
struct JSONCodingKey: CodingKey, Sendable {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
    init(_ key: some CodingKey) {
        stringValue = key.stringValue
        intValue = key.intValue
    }
}
