import Foundation
import GRDB
import GRDBSQLite
import Testing

@testable import BangfuStore

/// A fact row's canonical text built in Swift must be SQLite's `quote()` text byte for byte:
/// every audit entry hashes it, and `verify` rebuilds it in SQL. Compared here with SQLite itself
/// over values chosen to differ where a hand-written quoting would.
@Suite struct QuotedRowTests {
    /// Each row's text from `QuotedRow`, nil where it leaves the value to SQLite, and SQLite's own.
    /// `then` runs after the rows are in (for text no binding writes: a NUL inside, bytes not UTF-8).
    func texts(
        _ rows: [[(any DatabaseValueConvertible)?]], then: String = ""
    ) throws -> [(swift: [UInt8]?, sqlite: [UInt8])] {
        let queue = try DatabaseQueue()
        return try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c)")
            for (index, row) in rows.enumerated() {
                try db.execute(
                    sql: "INSERT INTO t (id, a, b, c) VALUES (?, ?, ?, ?)",
                    arguments: StatementArguments([Int64(index + 1)] + row))
            }
            if !then.isEmpty { try db.execute(sql: then) }
            // The statements are kept while their handles are used (released, GRDB finalizes them).
            let plainStatement = try db.makeStatement(sql: "SELECT id, a, b, c FROM t ORDER BY id")
            let quotedStatement = try db.makeStatement(
                sql: "SELECT quote(id) || char(31) || quote(a) || char(31) || quote(b) || char(31) || quote(c) "
                    + "FROM t ORDER BY id")
            let plain = plainStatement.sqliteStatement
            let quoted = quotedStatement.sqliteStatement
            var out: [(swift: [UInt8]?, sqlite: [UInt8])] = []
            while sqlite3_step(plain) == SQLITE_ROW, sqlite3_step(quoted) == SQLITE_ROW {
                var text: [UInt8] = []
                let built = QuotedRow.append(plain, from: 0, to: &text)
                let expected = UnsafeBufferPointer(
                    start: sqlite3_column_text(quoted, 0), count: Int(sqlite3_column_bytes(quoted, 0)))
                out.append((built ? text : nil, Array(expected)))
            }
            withExtendedLifetime((plainStatement, quotedStatement)) {}
            return out
        }
    }

    @Test func matchesSQLitesQuoteForEveryValueItBuilds() throws {
        let rows: [[(any DatabaseValueConvertible)?]] = [
            ["plain", 42, nil],
            ["it's 'quoted'", "''", "'"],
            ["张三 家庭 😀", "", " leading and trailing "],
            [Int64.min, Int64.max, -1],
            [0, "0", "NULL"],
            [Data(), Data([0, 0x27, 0xAB, 0xFF, 0x10]), "\u{1F}\n\t\\"],
            ["{\"plan\":\"oneOff\",\"fen\":100000}", "X'00'", "a\u{7F}b"],
        ]
        let results = try texts(rows)
        #expect(results.count == rows.count)
        for (index, result) in results.enumerated() {
            #expect(
                result.swift == result.sqlite,
                "row \(index + 1): \(String(decoding: result.swift ?? [], as: UTF8.self)) against \(String(decoding: result.sqlite, as: UTF8.self))"
            )
        }
        // Written out by hand for two rows, so the comparison itself cannot be vacuous.
        #expect(results[1].sqlite == Array("2\u{1F}'it''s ''quoted'''\u{1F}''''''\u{1F}''''".utf8))
        #expect(results[5].sqlite == Array("6\u{1F}X''\u{1F}X'0027ABFF10'\u{1F}'\u{1F}\n\t\\'".utf8))
    }

    /// Values SQLite quotes by rules of its own are left to it (the caller asks SQLite for the row).
    @Test func leavesRealsNulsAndBrokenTextToSQLite() throws {
        let rows: [[(any DatabaseValueConvertible)?]] = [
            [1.5, "a", "b"],
            ["a", "b", "c"],
            ["a", "b", "c"],
            [nil, "a", "b"],
        ]
        let results = try texts(
            rows,
            then: """
                UPDATE t SET b = CAST(X'6265666F726500616674657200' AS TEXT) WHERE id = 2;
                UPDATE t SET c = CAST(X'66C328' AS TEXT) WHERE id = 3;
                """)
        #expect(results.count == 4)
        #expect(results[0].swift == nil, "a real number")
        #expect(results[1].swift == nil, "text with a NUL, which quote() cuts")
        #expect(results[2].swift == nil, "bytes that are not UTF-8")
        #expect(results[3].swift == results[3].sqlite && results[3].swift != nil)
    }
}
