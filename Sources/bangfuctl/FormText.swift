import BangfuVarlink
import BangfuWire
import Foundation

/// Application forms as people read them: the help type's labels for keys, amounts in yuan.
enum FormText {
    /// Each help type's fields by key (read once per command that shows forms; empty in English).
    static func labels(_ global: Global) -> [String: [String: Wire.Admin.Field]] {
        guard global.zh, !global.json else { return [:] }
        let plugins = global.call(Wire.Admin.Plugins()).loaded
        return Dictionary(
            plugins.map { plugin in
                (plugin.id, Dictionary(plugin.fields.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first }))
            }, uniquingKeysWith: { first, _ in first })
    }

    /// `个人自付医疗费用 ¥800.00；原因 …`, keys in order.
    static func text(_ fields: [String: JSONValue], _ labels: [String: Wire.Admin.Field], _ global: Global) -> String {
        fields.keys.sorted().compactMap { key in
            guard let value = fields[key] else { return nil }
            let field = labels[key]
            let name = field.map { global.zh ? $0.labelZh : $0.labelEn } ?? key
            switch value {
            case .int(let number) where field?.type == "money": return "\(name) \(yuan(number))"
            case .int(let number): return "\(name) \(number)"
            case .string(let text): return "\(name) \(text)"
            case .bool(let flag): return "\(name) \(flag ? (global.zh ? "是" : "yes") : (global.zh ? "否" : "no"))"
            default: return nil
            }
        }.joined(separator: global.zh ? "；" : "; ")
    }
}
