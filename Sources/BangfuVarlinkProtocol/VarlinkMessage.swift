import Foundation

/// A call as it arrives: `{"method": "iface.Method", "parameters": {...}, "more"?: true, "oneway"?: true}`.
public struct VarlinkCall: Codable, Sendable, Hashable {
    public var method: String
    public var parameters: [String: JSONValue]?
    public var more: Bool?
    public var oneway: Bool?
    public var upgrade: Bool?

    public init(method: String, parameters: [String: JSONValue]? = nil, more: Bool? = nil, oneway: Bool? = nil) {
        self.method = method
        self.parameters = parameters
        self.more = more
        self.oneway = oneway
    }

    /// The interface part of the method name (`org.bangfu.Cases` of `org.bangfu.Cases.Get`).
    public var interface: String {
        guard let dot = method.lastIndex(of: ".") else { return "" }
        return String(method[..<dot])
    }
    public var member: String {
        guard let dot = method.lastIndex(of: ".") else { return method }
        return String(method[method.index(after: dot)...])
    }
}

/// A reply: parameters, `continues` while a `more` stream goes on, or an `error` name with its parameters.
public struct VarlinkReply: Codable, Sendable, Hashable {
    /// The parameters as values (nil when they came as text).
    private var values: [String: JSONValue]?
    /// The parameters' JSON text, when a method wrote it straight: a case read's reply is written
    /// once, not built as values and then written.
    public private(set) var parametersText: [UInt8]?
    public var continues: Bool?
    public var error: String?

    public init(parameters: [String: JSONValue]? = nil, continues: Bool? = nil, error: String? = nil) {
        self.values = parameters
        self.continues = continues
        self.error = error
    }

    /// A reply whose parameters are the JSON object text `parametersText`.
    public init(parametersText: [UInt8]) {
        self.parametersText = parametersText
    }

    /// The parameters as values (read from the text when they came as text).
    public var parameters: [String: JSONValue]? {
        get {
            guard let parametersText else { return values }
            return (try? JSONValue.parse(parametersText))?.objectValue
        }
        set {
            values = newValue
            parametersText = nil
        }
    }

    enum CodingKeys: String, CodingKey { case parameters, continues, error }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        values = try container.decodeIfPresent([String: JSONValue].self, forKey: .parameters)
        continues = try container.decodeIfPresent(Bool.self, forKey: .continues)
        error = try container.decodeIfPresent(String.self, forKey: .error)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(parameters, forKey: .parameters)
        try container.encodeIfPresent(continues, forKey: .continues)
        try container.encodeIfPresent(error, forKey: .error)
    }

    public static func == (left: VarlinkReply, right: VarlinkReply) -> Bool {
        left.parameters == right.parameters && left.continues == right.continues && left.error == right.error
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(parameters)
        hasher.combine(continues)
        hasher.combine(error)
    }
}

/// A typed varlink error: its fully qualified name and parameters, as declared in the interface.
public struct VarlinkError: Error, Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var parameters: [String: JSONValue]

    public init(_ name: String, _ parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    public var description: String {
        let text = parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.stringValue ?? "\($0.value)")" }
            .joined(separator: ", ")
        return text.isEmpty ? name : "\(name): \(text)"
    }

    public static func interfaceNotFound(_ i: String) -> VarlinkError {
        VarlinkError("org.varlink.service.InterfaceNotFound", ["interface": .string(i)])
    }
    public static func methodNotFound(_ m: String) -> VarlinkError {
        VarlinkError("org.varlink.service.MethodNotFound", ["method": .string(m)])
    }
    public static func invalidParameter(_ p: String) -> VarlinkError {
        VarlinkError("org.varlink.service.InvalidParameter", ["parameter": .string(p)])
    }
    public static let permissionDenied = VarlinkError("org.varlink.service.PermissionDenied")
    public static let expectedMore = VarlinkError("org.varlink.service.ExpectedMore")
}

/// Who is calling, from the socket (SO_PEERCRED), never from the message.
public struct PeerCredentials: Sendable, Hashable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

/// One request as a method sees it.
public struct VarlinkRequest: Sendable {
    public var call: VarlinkCall
    public var peer: PeerCredentials

    public init(call: VarlinkCall, peer: PeerCredentials) {
        self.call = call
        self.peer = peer
    }

    public var parameters: JSONValue { .object(call.parameters ?? [:]) }
    public var wantsMore: Bool { call.more ?? false }

    /// The parameters decoded into a method's parameter type; a mismatch is `InvalidParameter`.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try parameters.decodeParameter(type)
    }
}

extension JSONValue {
    /// Decodes this value as a method's parameter; a refusal is `InvalidParameter` naming the field,
    /// under `field` when this value is itself one field of the parameters.
    public func decodeParameter<T: Decodable>(_ type: T.Type, field: String? = nil) throws -> T {
        func named(_ path: [CodingKey]) -> String {
            let names = (field.map { [$0] } ?? []) + path.map(\.stringValue)
            return names.isEmpty ? "parameters" : names.joined(separator: ".")
        }
        do {
            return try decode(type)
        } catch let DecodingError.keyNotFound(key, context) {
            throw VarlinkError.invalidParameter(named(context.codingPath + [key]))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context), let
            DecodingError.dataCorrupted(context)
        {
            throw VarlinkError.invalidParameter(named(context.codingPath))
        } catch {
            throw VarlinkError.invalidParameter(field ?? "parameters")
        }
    }
}

/// What a method answers: one reply, or several for a `more` call (continues on all but the last).
public enum VarlinkResponse: Sendable {
    case reply([String: JSONValue])
    /// One reply whose parameters are already JSON object text.
    case text([UInt8])
    case stream([[String: JSONValue]])

    /// One reply from an Encodable struct.
    public static func encoding<T: Encodable>(_ value: T) throws -> VarlinkResponse {
        guard case .object(let o) = try JSONValue(encoding: value) else { return .reply([:]) }
        return .reply(o)
    }
}

/// A method implementation.
public typealias VarlinkMethod = @Sendable (VarlinkRequest) async throws -> VarlinkResponse

/// An interface: its name, its IDL text (served by GetInterfaceDescription) and its methods.
public struct VarlinkInterface: Sendable {
    public var name: String
    public var description: String
    public var methods: [String: VarlinkMethod]

    public init(name: String, description: String, methods: [String: VarlinkMethod]) {
        self.name = name
        self.description = description
        self.methods = methods
    }

    /// Method names declared in the IDL text, to check them against the implementations.
    public var declaredMethods: [String] {
        description.split(separator: "\n").compactMap { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("method ") else { return nil }
            return String(t.dropFirst(7).prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces)
        }
    }
}
