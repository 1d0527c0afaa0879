import BangfuCore
import Foundation

/// Where a PostgreSQL store is (`store: { kind: postgres, url: …, password_file: … }`) and how its
/// password is found: a file, else the systemd credential `postgres-password`; never the URL, the
/// configuration file or a command line (all readable by more people than the password should be).
public struct PostgresSettings: Sendable, Equatable {
    /// A libpq connection string or URL, without a password.
    public var url: String
    /// A file holding the password (one line); nil: the credential, else none (peer or trust login).
    public var passwordFile: String?

    public init(url: String, passwordFile: String? = nil) throws {
        try Self.refusePassword(in: url)
        self.url = url
        self.passwordFile = passwordFile
    }

    /// The password from its file, else from the systemd credential `postgres-password`, else nil.
    public func password() throws -> String? {
        let credential = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"].map { "\($0)/postgres-password" }
        guard let path = passwordFile ?? credential.flatMap({ FileManager.default.fileExists(atPath: $0) ? $0 : nil })
        else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .newlines)
        } catch {
            throw BangfuError(
                .invalidConfig, zh: "无法读取 PostgreSQL 口令文件 \(path)：请检查路径和权限（bangfud 的用户须能读取）",
                en:
                    "cannot read the PostgreSQL password file \(path): check the path and that bangfud's user can read it"
            )
        }
    }

    /// Refuses a URL (`postgresql://u:secret@h/db`) or keyword string (`password=secret`) that carries a password.
    public static func refusePassword(in url: String) throws {
        let inURL = URLComponents(string: url)?.password != nil
        let inKeywords = url.split(separator: " ").contains { part in
            part.lowercased().hasPrefix("password=")
        }
        guard !inURL && !inKeywords else {
            throw BangfuError(
                .invalidConfig,
                zh: "PostgreSQL 连接串中不要写口令：请用 password_file（或 --password-file）或 systemd 凭据 postgres-password",
                en:
                    "keep the password out of the PostgreSQL URL: use password_file (or --password-file) or the systemd credential postgres-password"
            )
        }
    }
}

/// Which store bangfud keeps its records in.
public enum StoreChoice: Sendable, Equatable {
    /// One SQLite file in the state directory (the default: one city union on one machine).
    case sqlite
    /// A PostgreSQL database, shared by every bangfud instance configured with it.
    case postgres(PostgresSettings)

    /// Whether other instances may share the store (identities must then be names, not uids).
    public var isShared: Bool {
        if case .postgres = self { return true }
        return false
    }
}
