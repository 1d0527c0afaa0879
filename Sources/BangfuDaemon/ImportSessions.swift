import BangfuCore
import Foundation

/// Imports under way: the heading, the defaults and the rows a caller has sent, until its Finish.
///
/// Kept in memory and bounded (sessions, rows, bytes, an hour): an import is one person's upload,
/// and a session nobody finishes is dropped, nothing of it written.
actor ImportSessions {
    struct Session: Sendable {
        let owner: String
        let columns: [String]
        let fields: [Int: ArchiveImport.Field]
        let defaults: ArchiveImport.Defaults
        let dryRun: Bool
        let started: Date
        var rows: [(row: Int, cells: [String])] = []
        var bytes = 0
    }

    static let maximumSessions = 16
    static let maximumRows = 1_000_000
    static let maximumBytes = 256 << 20
    static let maximumCells = 200
    static let lifetime: TimeInterval = 3_600

    private var sessions: [String: Session] = [:]
    /// Finishes under way: whose, how many households, how many done.
    private var running: [String: (owner: String, households: Int, done: Int)] = [:]

    /// Starts an import for `owner`; its id.
    func begin(_ session: Session) throws -> String {
        sessions = sessions.filter { _, kept in kept.started.timeIntervalSinceNow > -Self.lifetime }
        guard sessions.count < Self.maximumSessions else {
            throw BangfuError(
                .invalidInput, zh: "同时进行的导入过多：请等其他导入完成后再试",
                en: "too many imports under way: try again when others have finished")
        }
        let id = UUID().uuidString.lowercased()
        sessions[id] = session
        return id
    }

    /// Adds rows numbered from `first`; how many the import holds now.
    func add(_ id: String, owner: String, first: Int, rows: [[String]]) throws -> Int {
        guard var session = sessions[id], session.owner == owner else { throw Self.notFound(id) }
        let bytes = rows.reduce(0) { total, cells in total + cells.reduce(0) { $0 + $1.utf8.count } }
        guard session.rows.count + rows.count <= Self.maximumRows, session.bytes + bytes <= Self.maximumBytes,
            rows.allSatisfy({ $0.count <= Self.maximumCells }), (2...Self.maximumRows + 1).contains(first)
        else {
            sessions[id] = nil
            throw BangfuError(
                .invalidInput,
                zh: "导入过大（最多 \(Self.maximumRows) 行、每行 \(Self.maximumCells) 列）：请分成几个文件导入",
                en:
                    "the import is too large (at most \(Self.maximumRows) rows of \(Self.maximumCells) columns): split the file"
            )
        }
        for (offset, cells) in rows.enumerated() { session.rows.append((first + offset, cells)) }
        session.bytes += bytes
        sessions[id] = session
        return session.rows.count
    }

    /// The import's rows, ending it; its progress is kept until `finished`.
    func finish(_ id: String, owner: String) throws -> Session {
        guard let session = sessions[id], session.owner == owner else { throw Self.notFound(id) }
        sessions[id] = nil
        running[id] = (owner, 0, 0)
        return session
    }

    /// How far the Finish of `id` has come.
    func record(_ id: String, households: Int, done: Int) {
        guard let progress = running[id] else { return }
        running[id] = (progress.owner, households, done)
    }

    /// The Finish of `id` answered (or failed): no progress to tell any more.
    func finished(_ id: String) { running[id] = nil }

    /// Households read and done, for the import's owner only.
    func progress(_ id: String, owner: String) throws -> (households: Int, done: Int) {
        guard let progress = running[id], progress.owner == owner else { throw Self.notFound(id) }
        return (progress.households, progress.done)
    }

    /// Another caller's import is answered as a missing one.
    static func notFound(_ id: String) -> BangfuError {
        BangfuError(
            .notFound, zh: "导入 \(id) 不存在或已超时：请重新开始导入", en: "import \(id) does not exist or has expired: start again")
    }
}
