@_exported import BangfuJSON

extension VarlinkCall {
    /// A call from one message's JSON text; anything else than a varlink call object is an error.
    public init<C: Collection>(parsing bytes: C) throws where C.Element == UInt8 {
        guard case .object(let o) = try JSONValue.parse(bytes) else {
            throw JSONValue.ParseError(offset: 0, reason: "a call must be an object")
        }
        guard case .string(let method) = o["method"] else {
            throw JSONValue.ParseError(offset: 0, reason: "a call needs a method name")
        }
        func flag(_ key: String) throws -> Bool? {
            switch o[key] {
            case nil, .null: return nil
            case .bool(let b): return b
            default: throw JSONValue.ParseError(offset: 0, reason: "\(key) must be true or false")
            }
        }
        var parameters: [String: JSONValue]?
        switch o["parameters"] {
        case nil, .null: parameters = nil
        case .object(let p): parameters = p
        default: throw JSONValue.ParseError(offset: 0, reason: "parameters must be an object")
        }
        self.init(method: method, parameters: parameters, more: try flag("more"), oneway: try flag("oneway"))
        upgrade = try flag("upgrade")
    }

    /// The call as JSON text.
    public var jsonBytes: [UInt8] {
        var o: [String: JSONValue] = ["method": .string(method)]
        if let parameters { o["parameters"] = .object(parameters) }
        if let more { o["more"] = .bool(more) }
        if let oneway { o["oneway"] = .bool(oneway) }
        if let upgrade { o["upgrade"] = .bool(upgrade) }
        return JSONValue.object(o).jsonBytes
    }
}

extension VarlinkReply {
    /// A reply from one message's JSON text.
    public init<C: Collection>(parsing bytes: C) throws where C.Element == UInt8 {
        guard case .object(let o) = try JSONValue.parse(bytes) else {
            throw JSONValue.ParseError(offset: 0, reason: "a reply must be an object")
        }
        var parameters: [String: JSONValue]?
        if case .object(let p) = o["parameters"] { parameters = p }
        var continues: Bool?
        if case .bool(let b) = o["continues"] { continues = b }
        var error: String?
        if case .string(let e) = o["error"] { error = e }
        self.init(parameters: parameters, continues: continues, error: error)
    }

    /// The reply as JSON text.
    public var jsonBytes: [UInt8] {
        if let parametersText, continues == nil, error == nil {
            var out = Array(#"{"parameters":"#.utf8)
            out.reserveCapacity(parametersText.count + 16)
            out.append(contentsOf: parametersText)
            out.append(UInt8(ascii: "}"))
            return out
        }
        var o: [String: JSONValue] = [:]
        if let parameters { o["parameters"] = .object(parameters) }
        if let continues { o["continues"] = .bool(continues) }
        if let error { o["error"] = .string(error) }
        return JSONValue.object(o).jsonBytes
    }
}
