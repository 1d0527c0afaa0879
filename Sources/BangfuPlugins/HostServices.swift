import BangfuPluginKit
import Foundation
import Logging

/// What one plugin may ask of the host: its own configuration values, the clock, a logger.
final class HostServices: @unchecked Sendable {
    let helpType: String
    private let lock = NSLock()
    private var _settings: [String: FormValue]
    private var _clock: @Sendable () -> Date
    private var _logger: Logger

    init(helpType: String, settings: [String: FormValue], clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.helpType = helpType
        _settings = settings
        _clock = clock
        _logger = logger
    }

    /// New settings, clock and logger for a library already loaded (a reload re-reads configuration).
    func update(settings: [String: FormValue], clock: @escaping @Sendable () -> Date, logger: Logger) {
        lock.lock()
        defer { lock.unlock() }
        _settings = settings
        _clock = clock
        _logger = logger
    }

    var settings: [String: FormValue] {
        lock.lock()
        defer { lock.unlock() }
        return _settings
    }
    var clock: @Sendable () -> Date {
        lock.lock()
        defer { lock.unlock() }
        return _clock
    }
    var logger: Logger {
        lock.lock()
        defer { lock.unlock() }
        return _logger
    }

    /// A C table pointing at `services`; both are kept for the life of the process.
    static func makeTable(_ services: HostServices) -> UnsafePointer<bangfu_host> {
        let t = UnsafeMutablePointer<bangfu_host>.allocate(capacity: 1)
        t.initialize(
            to: bangfu_host(
                abi_version: BANGFU_PLUGIN_ABI_VERSION,
                struct_size: UInt32(MemoryLayout<bangfu_host>.size),
                context: Unmanaged.passRetained(services).toOpaque(),
                log: { ctx, level, msg, len in
                    guard let ctx, let msg else { return }
                    let s = Unmanaged<HostServices>.fromOpaque(ctx).takeUnretainedValue()
                    let text = String(decoding: UnsafeBufferPointer(start: msg, count: min(len, 4096)), as: UTF8.self)
                    let lvl: Logger.Level =
                        switch level {
                        case BANGFU_LOG_DEBUG: .debug
                        case BANGFU_LOG_WARNING: .warning
                        case BANGFU_LOG_ERROR: .error
                        default: .info
                        }
                    s.logger.log(level: lvl, "\(text)", metadata: ["HELP_TYPE": "\(s.helpType)"])
                },
                config_get: { ctx, key, len, out in
                    guard let ctx, let key, let out else { return BANGFU_ERROR }
                    let s = Unmanaged<HostServices>.fromOpaque(ctx).takeUnretainedValue()
                    let k = String(decoding: UnsafeBufferPointer(start: key, count: len), as: UTF8.self)
                    guard let v = s.settings[k], let data = try? JSONEncoder().encode(v) else { return BANGFU_ERROR }
                    let p = malloc(max(data.count, 1))!.assumingMemoryBound(to: UInt8.self)
                    data.copyBytes(to: p, count: data.count)
                    out.pointee = bangfu_buffer(data: p, len: data.count)
                    return BANGFU_OK
                },
                now_unix_ms: { ctx in
                    guard let ctx else { return 0 }
                    let s = Unmanaged<HostServices>.fromOpaque(ctx).takeUnretainedValue()
                    return Int64((s.clock().timeIntervalSince1970 * 1000).rounded())
                },
                free_buffer: { _, buffer in free(buffer.data) }
            ))
        return UnsafePointer(t)
    }
}
