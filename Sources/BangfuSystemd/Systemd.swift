import CSystemd
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// What bangfud tells systemd (sd_notify) and learns from it (socket activation, watchdog).
///
/// Without a service manager (no NOTIFY_SOCKET, no LISTEN_FDS) every call is a harmless no-op.
public enum Systemd {
    /// Sends a notification such as `READY=1` or `STATUS=...`; true when a manager received it.
    @discardableResult
    public static func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    public static func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }
    public static func status(_ text: String) { notify("STATUS=\(text)") }
    public static func stopping(status: String) { notify("STOPPING=1\nSTATUS=\(status)") }

    /// `RELOADING=1` with the monotonic time systemd 253+ expects (older versions ignore it).
    public static func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let usec = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
        notify("RELOADING=1\nMONOTONIC_USEC=\(usec)")
    }

    public static func watchdogPing() { notify("WATCHDOG=1") }

    /// The watchdog interval systemd set for this process (WATCHDOG_USEC), if any.
    public static func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    /// File descriptors passed by socket activation (starting at 3), with their names.
    /// Clears the environment variables so children do not inherit them.
    public static func listenFDs() -> [(fd: Int32, name: String)] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let n = sd_listen_fds_with_names(1, &names)
        guard n > 0 else { return [] }
        defer { free(names) }
        return (0..<Int(n)).map { i in
            let name = names?[i].map { String(cString: $0) } ?? "unknown"
            free(names?[i])
            return (SD_LISTEN_FDS_START + Int32(i), name)
        }
    }

    /// Whether stderr is connected to the journal (JOURNAL_STREAM matches stderr's device and inode).
    public static func stderrIsJournal() -> Bool {
        guard let value = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }
}

/// A swift-log handler that writes structured entries to the journal: MESSAGE, PRIORITY,
/// CODE_FILE, CODE_LINE, CODE_FUNC, SYSLOG_IDENTIFIER and every metadata key upper-cased
/// (so `journalctl CASE_ID=BF-2026-000123` finds a case's lines).
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let identifier: String
    let label: String

    public init(label: String, identifier: String = "bangfud") {
        self.label = label
        self.identifier = identifier
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// Journal field names: upper-case letters, digits and underscores, not starting with '_'.
    static func fieldName(_ key: String) -> String? {
        let up = key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        let name = String(up.drop { $0 == "_" || $0.isNumber })
        return name.isEmpty || name.count > 64 ? nil : name
    }

    public func log(event: LogEvent) {
        var fields = [
            "MESSAGE=\(event.message)", "PRIORITY=\(Self.priority(event.level))", "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(event.file)", "CODE_LINE=\(event.line)", "CODE_FUNC=\(event.function)", "LOGGER=\(label)",
        ]
        for (k, v) in self.metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            if let name = Self.fieldName(k) { fields.append("\(name)=\(v)") }
        }
        JournalLogHandler.send(fields)
    }

    /// sd_journal_sendv: returns false when no journal is there (the entry is then lost).
    @discardableResult
    public static func send(_ fields: [String]) -> Bool {
        let datas = fields.map { Array($0.utf8) }
        var iovecs: [iovec] = []
        var keep: [UnsafeMutableRawPointer] = []
        for d in datas {
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(d.count, 1), alignment: 1)
            d.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: d.count) }
            keep.append(p)
            iovecs.append(iovec(iov_base: p, iov_len: d.count))
        }
        defer { keep.forEach { $0.deallocate() } }
        return iovecs.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) } == 0
    }
}
