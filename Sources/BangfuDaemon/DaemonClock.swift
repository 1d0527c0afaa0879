import BangfuCore
import Foundation
import Synchronization

/// The daemon's clock: the system's, or a manual one for tests and demos that only moves when
/// told to, is kept in the state directory across restarts and never goes back.
public final class DaemonClock: Sendable {
    /// nil for the system clock; the file holding the manual time otherwise.
    let file: String?
    let manualNow: Mutex<Date>
    /// Poked whenever the manual clock moves or a deadline may have changed; the timer service waits on it.
    public let wake = WakeSignal()

    init(file: String?, start: Date) {
        self.file = file
        manualNow = Mutex(start)
    }

    /// The system clock.
    public static func system() -> DaemonClock { DaemonClock(file: nil, start: Date()) }

    /// A manual clock kept in `stateDir/clock`: it resumes where it stopped; `start` only moves it forward.
    public static func manual(stateDir: String, start: Date?) throws -> DaemonClock {
        // The state directory is made here as bangfud makes it without the flag (the clock comes first).
        do {
            try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        } catch {
            throw BangfuError(
                .storage, zh: "无法创建状态目录 \(stateDir)", en: "cannot create the state directory \(stateDir)")
        }
        let file = URL(fileURLWithPath: stateDir).appendingPathComponent("clock").path
        var now = start ?? Date()
        if let text = try? String(contentsOfFile: file, encoding: .utf8) {
            guard let ms = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw BangfuError(
                    .invalidConfig, zh: "手动时钟文件 \(file) 已损坏：请删除后以 --clock manual:START 重新开始",
                    en: "manual clock file \(file) is damaged: delete it and start again with --clock manual:START")
            }
            let saved = Date(timeIntervalSince1970: Double(ms) / 1000)
            now = max(saved, start ?? saved)
        }
        let c = DaemonClock(file: file, start: now)
        try c.persist(now)
        return c
    }

    public var isManual: Bool { file != nil }

    public func now() -> Date {
        file == nil ? Date() : manualNow.withLock { $0 }
    }

    /// Moves the manual clock forward and wakes the timers; refused on the system clock.
    @discardableResult
    public func advance(seconds: Int64) throws -> Date {
        guard file != nil else {
            throw BangfuError(
                .invalidInput, zh: "bangfud 使用系统时钟，不能拨动：仅在以 --clock manual 启动时可用",
                en: "bangfud runs on the system clock, which cannot be moved: only with --clock manual")
        }
        guard seconds > 0, seconds <= 10 * 366 * 86400 else {
            throw BangfuError(
                .invalidInput, zh: "只能向前拨动，且不超过 10 年", en: "the clock only moves forward, by at most 10 years")
        }
        // Business dates stay within what calendars and case numbers are made for.
        let limit = Date(timeIntervalSince1970: 7_258_118_400)  // 2200-01-01T00:00:00Z
        let next = try manualNow.withLock { now -> Date in
            let moved = now.addingTimeInterval(Double(seconds))
            guard moved < limit else {
                throw BangfuError(
                    .invalidInput, zh: "手动时钟不能拨到 2200 年以后", en: "the manual clock cannot move past the year 2200",
                    context: ["field": "seconds"])
            }
            now = moved
            return now
        }
        try persist(next)
        wake.poke()
        return next
    }

    /// Wakes whoever waits on `changes` (a new deadline was armed).
    public func poke() { wake.poke() }

    func persist(_ d: Date) throws {
        guard let file else { return }
        let tmp = file + ".tmp"
        do {
            try String(Int64((d.timeIntervalSince1970 * 1000).rounded())).write(
                toFile: tmp, atomically: false, encoding: .utf8)
            _ = rename(tmp, file)
        } catch {
            throw BangfuError(.storage, zh: "无法保存手动时钟到 \(file)", en: "cannot save the manual clock to \(file)")
        }
    }

    /// Parses `manual`, `manual:2027-02-04T09:00` (business zone) or `system`.
    public static func parse(_ spec: String, stateDir: String, zone: BusinessZone) throws -> DaemonClock {
        if spec == "system" { return .system() }
        guard spec == "manual" || spec.hasPrefix("manual:") else {
            throw BangfuError(
                .invalidInput, zh: "--clock 只能是 system、manual 或 manual:YYYY-MM-DDTHH:MM",
                en: "--clock must be system, manual or manual:YYYY-MM-DDTHH:MM")
        }
        var start: Date?
        if spec.hasPrefix("manual:") {
            let t = String(spec.dropFirst(7))
            guard t.count == 16 || t.count == 10, let day = try? LocalDate(parsing: String(t.prefix(10))) else {
                throw BangfuError(
                    .invalidDate, zh: "--clock manual: 后应写 YYYY-MM-DDTHH:MM",
                    en: "--clock manual: needs YYYY-MM-DDTHH:MM")
            }
            var secs = 0
            if t.count == 16 {
                guard let h = Int(t.dropFirst(11).prefix(2)), let m = Int(t.suffix(2)), (0..<24).contains(h),
                    (0..<60).contains(m)
                else {
                    throw BangfuError(
                        .invalidDate, zh: "--clock manual: 时间无效", en: "--clock manual: invalid time of day")
                }
                secs = h * 3600 + m * 60
            }
            start = zone.startOfDay(day).addingTimeInterval(Double(secs))
        }
        return try manual(stateDir: stateDir, start: start)
    }
}

/// A wake-up with memory: `poke` before `wait` is not lost; `wait` returns on a poke, a timeout or cancellation.
public final class WakeSignal: Sendable {
    let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    public init() {}

    public func poke() {
        let w = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.pending = true
            return nil
        }
        w?.resume()
    }

    /// Waits for a poke, at most `timeout` (forever when nil).
    public func wait(timeout: Duration?) async {
        let timer = timeout.map { t in
            Task {
                try? await Task.sleep(for: t)
                if !Task.isCancelled { self.poke() }
            }
        }
        defer { timer?.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.pending || Task.isCancelled {
                        s.pending = false
                        return true
                    }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            self.poke()
        }
    }
}
