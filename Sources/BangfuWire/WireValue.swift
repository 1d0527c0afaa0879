import BangfuVarlink

/// A value of bangfud's wire (an IDL type, a call's parameters, a reply), decoded from and encoded
/// to `JSONValue` by code generated from the IDL: no `Codable` on the request path, and a refusal
/// names the field (`archive.head.idNumber`), which bangfud answers as `InvalidParameter`.
public protocol WireValue: Sendable, Equatable {
    init(json: JSONValue, at path: String) throws
    var json: JSONValue { get }
    /// Appends the JSON text of `json` (keys sorted, compact), without building it first.
    func write(to out: inout [UInt8])
}

/// One method's parameters, naming the method and the type of its replies.
public protocol WireCall: WireValue {
    associatedtype Reply: WireValue
    static var method: WireMethod { get }
}

/// The reply of a listing in pages: the last reply of a page names the cursor of the next.
public protocol WirePage: WireValue {
    var next: String? { get set }
}

/// A listing in pages (`limit`, at most 1,000; the opaque cursor `after`, from the last reply's `next`).
public protocol WirePagedCall: WireCall where Reply: WirePage {
    var limit: Int64? { get set }
    var after: String? { get set }
}

/// A reply that is one value of an IDL type (`(case: Case)`, `(household: Household)`), so that
/// every call answering a case can be handled by one piece of code.
public protocol WireSingleReply: WireValue {
    associatedtype Value: WireValue
    init(value: Value)
    var value: Value { get }
}

extension WireValue {
    /// Decodes a call's top-level parameters (or a reply's), as the wire sends them.
    public init(parameters: [String: JSONValue]?) throws {
        try self.init(json: .object(parameters ?? [:]), at: "")
    }

    /// The top-level object, as a call's parameters or a reply's fields.
    public var fields: [String: JSONValue] { json.objectValue ?? [:] }
}

/// The field a decoder refused, as a dotted path from the top (`archive.members.0.name`).
public struct WireDecodingError: Error, Sendable, Equatable {
    public var field: String

    public init(field: String) {
        let trimmed = field.hasPrefix(".") ? String(field.dropFirst()) : field
        self.field = trimmed.isEmpty ? "parameters" : trimmed
    }
}

extension JSONValue {
    public func wireObject(at path: String) throws -> [String: JSONValue] {
        guard case .object(let fields) = self else { throw WireDecodingError(field: path) }
        return fields
    }

    public func wireString(at path: String) throws -> String {
        guard case .string(let text) = self else { throw WireDecodingError(field: path) }
        return text
    }

    /// Integers only: a fraction or a number past Int64 is refused, never rounded or clamped.
    public func wireInt(at path: String) throws -> Int64 {
        guard case .int(let number) = self else { throw WireDecodingError(field: path) }
        return number
    }

    public func wireDouble(at path: String) throws -> Double {
        switch self {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw WireDecodingError(field: path)
        }
    }

    public func wireBool(at path: String) throws -> Bool {
        guard case .bool(let flag) = self else { throw WireDecodingError(field: path) }
        return flag
    }

    /// Absent and `null` are both nil.
    public func wireOptional<Value>(
        at path: String, _ decode: (JSONValue, String) throws -> Value
    ) throws -> Value? {
        if case .null = self { return nil }
        return try decode(self, path)
    }

    public func wireArray<Element>(
        at path: String, _ decode: (JSONValue, String) throws -> Element
    ) throws -> [Element] {
        guard case .array(let items) = self else { throw WireDecodingError(field: path) }
        var decoded: [Element] = []
        decoded.reserveCapacity(items.count)
        for (index, item) in items.enumerated() { decoded.append(try decode(item, "\(path).\(index)")) }
        return decoded
    }

    public func wireMap<Value>(
        at path: String, _ decode: (JSONValue, String) throws -> Value
    ) throws -> [String: Value] {
        let fields = try wireObject(at: path)
        var decoded: [String: Value] = [:]
        decoded.reserveCapacity(fields.count)
        for (key, value) in fields { decoded[key] = try decode(value, "\(path).\(key)") }
        return decoded
    }
}

extension VarlinkClient {
    /// Calls one of bangfud's methods; every reply (several with `more`). An error reply throws `VarlinkError`.
    public func call(_ method: WireMethod, _ parameters: [String: JSONValue] = [:], more: Bool = false) throws
        -> [[String: JSONValue]]
    {
        try call(method.rawValue, parameters, more: more)
    }

    /// Calls a method by its typed parameters and decodes its one reply.
    public func call<Call: WireCall>(_ call: Call) throws -> Call.Reply {
        let replies = try self.call(Call.method.rawValue, call.fields, more: false)
        return try Call.Reply(parameters: replies.last)
    }

    /// Calls a method with `more` and decodes every reply (one page of a listing). An empty listing
    /// answers one reply without parameters: that is no item.
    public func stream<Call: WireCall>(_ call: Call) throws -> [Call.Reply] {
        let replies = try self.call(Call.method.rawValue, call.fields, more: true)
        if replies.count == 1, replies[0].isEmpty { return [] }
        return try replies.map { fields in try Call.Reply(parameters: fields) }
    }

    /// Calls a listing page after page, following `next`, and decodes every reply of every page.
    public func all<Call: WirePagedCall>(_ call: Call) throws -> [Call.Reply] {
        var call = call
        var replies: [Call.Reply] = []
        while true {
            let page = try stream(call)
            replies += page
            guard let next = page.last?.next else { return replies }
            call.after = next
        }
    }
}

extension WireMethod {
    /// The interface, e.g. `org.bangfu.Cases`.
    public var interface: String { String(rawValue[..<rawValue.lastIndex(of: ".")!]) }
    /// The method's name within its interface, e.g. `Get`.
    public var name: String { String(rawValue[rawValue.index(after: rawValue.lastIndex(of: ".")!)...]) }
}

/// The pieces generated `write(to:)` methods are made of: JSON text as `JSONValue.write` would
/// give it, appended straight to the reply's bytes (no dictionaries built and sorted per reply).
public enum WireText {
    /// `"name":`, after a comma unless it is the object's first key (`first` is then cleared).
    @inlinable
    public static func key(_ name: StaticString, first: inout Bool, to out: inout [UInt8]) {
        key(name, first: first, to: &out)
        first = false
    }

    @inlinable
    public static func key(_ name: StaticString, first: Bool, to out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes in out.append(contentsOf: bytes) }
        out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    public static func string(_ value: String, to out: inout [UInt8]) { JSONValue.writeString(value, to: &out) }
    public static func int(_ value: Int64, to out: inout [UInt8]) { JSONValue.int(value).write(to: &out) }
    public static func bool(_ value: Bool, to out: inout [UInt8]) { JSONValue.bool(value).write(to: &out) }
    public static func double(_ value: Double, to out: inout [UInt8]) { JSONValue.double(value).write(to: &out) }
    public static func object(_ value: [String: JSONValue], to out: inout [UInt8]) {
        JSONValue.object(value).write(to: &out)
    }

    public static func array<Element>(
        _ values: [Element], to out: inout [UInt8], _ element: (Element, inout [UInt8]) -> Void
    ) {
        out.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            element(value, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    public static func map<Element>(
        _ values: [String: Element], to out: inout [UInt8], _ element: (Element, inout [UInt8]) -> Void
    ) {
        out.append(UInt8(ascii: "{"))
        for (index, pair) in values.sorted(by: { left, right in left.key < right.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.writeString(pair.key, to: &out)
            out.append(UInt8(ascii: ":"))
            element(pair.value, &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
