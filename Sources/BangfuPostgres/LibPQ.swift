import BangfuCore
import CLibPQ

/// libpq's functions, loaded the first time bangfu connects to PostgreSQL: a daemon on SQLite (the
/// default) never maps libpq and the TLS, Kerberos and LDAP libraries it links.
enum LibPQ {
    /// The table of functions; a typed error naming the package when libpq is not installed.
    static func functions() throws -> bangfu_libpq {
        var reason = [CChar](repeating: 0, count: 512)
        guard let table = bangfu_libpq_load(&reason, reason.count) else {
            let why = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw BangfuError(
                .storage, zh: "无法加载 PostgreSQL 客户端库 libpq.so.5（\(why)）：请安装 libpq5（apt-get install libpq5）",
                en:
                    "cannot load PostgreSQL's client library libpq.so.5 (\(why)): install libpq5 (apt-get install libpq5)"
            )
        }
        return table.pointee
    }

    /// A string libpq returns (text it owns); empty for none.
    static func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }
}
