import BangfuCore
import Crypto
import Foundation
import Yams

/// The configuration as instances sharing a store compare it: one SHA-256 per top-level key of
/// the file, over a canonical text of its value (mapping keys sorted, scalars as written), so that
/// reordering or comments change nothing and a differing key can be named.
///
/// `store` is left out: how each host reaches the database may differ. Files the configuration
/// names (a calendar) are compared by their path, not their contents.
public enum ConfigurationDigest {
    /// Keys each host may set for itself.
    public static let local: Set<String> = ["store"]

    /// Digest per top-level key of the YAML text (an empty file has none).
    public static func digests(yaml text: String) throws -> [String: String] {
        guard let root = try Yams.compose(yaml: text), case .mapping(let mapping) = root else { return [:] }
        var digests: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = key.string, !local.contains(name) else { continue }
            digests[name] = SHA256.hash(data: Data(canonical(value).utf8)).hexString
        }
        return digests
    }

    private static func canonical(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return "s" + String(scalar.string.utf8.count) + ":" + scalar.string
        case .sequence(let sequence):
            return "[" + sequence.map(canonical).joined(separator: ",") + "]"
        case .mapping(let mapping):
            let pairs = mapping.map { key, value in (canonical(key), canonical(value)) }
                .sorted { first, second in first.0 < second.0 }
            return "{" + pairs.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
        case .alias:
            return "*"
        }
    }
}
