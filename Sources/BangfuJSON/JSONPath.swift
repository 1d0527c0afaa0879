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
