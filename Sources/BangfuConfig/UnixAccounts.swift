import BangfuCore
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Unix accounts: who a uid is (user name and group names), as the grants name them. The daemon
/// asks it for each peer; the offline tools for the real uid that runs them, so that what they write
/// is recorded under who ran them, never under a name given on the command line.
public enum UnixAccounts {
    /// How long an account lookup is kept: the user database is read (files, NSS) at most this often
    /// per uid, not on every call; a changed group membership takes effect within this time.
    static let accountLifetime: Double = 10

    private static let accounts = Mutex<[UInt32: (account: (String, [String])?, until: Double)]>([:])

    /// The user name and group names of a uid, nil when it has no account.
    public static func account(uid: UInt32) -> (String, [String])? {
        let now = Date().timeIntervalSinceReferenceDate
        if let kept = accounts.withLock({ $0[uid] }), kept.until > now { return kept.account }
        let found = user(uid: uid).map { name, gid in (name, groups(user: name, gid: gid)) }
        accounts.withLock { $0[uid] = (found, now + accountLifetime) }
        return found
    }

    static func user(uid: UInt32) -> (String, UInt32)? {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(uid, &pwd, &buf, buf.count, &result) == 0, result != nil, let n = pwd.pw_name else {
            return nil
        }
        return (String(cString: n), pwd.pw_gid)
    }

    /// The group names of the account called `name`, empty when there is none.
    static func groups(name: String) -> [String] {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 16384)
        guard getpwnam_r(name, &pwd, &buf, buf.count, &result) == 0, result != nil else { return [] }
        return groups(user: name, gid: pwd.pw_gid)
    }

    static func groups(user: String, gid: UInt32) -> [String] {
        var count: Int32 = 64
        var ids = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, gid, &ids, &count) < 0 {
            ids = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(user, gid, &ids, &count)
        }
        return ids.prefix(Int(max(count, 0))).compactMap { g in
            var grp = group()
            var result: UnsafeMutablePointer<group>?
            var buf = [CChar](repeating: 0, count: 16384)
            guard getgrgid_r(g, &grp, &buf, buf.count, &result) == 0, result != nil, let n = grp.gr_name else {
                return nil
            }
            return String(cString: n)
        }
    }
}

extension BangfuConfiguration {
    /// The actor a uid is: its account's user and groups mapped to roles, or `uid:N` for a uid
    /// without an account. A `uid:N` grant holds either way (an account made later for the uid
    /// keeps its roles); the actor is named by the account when there is one.
    public func actor(uid: UInt32) -> Actor {
        guard let (name, groups) = UnixAccounts.account(uid: uid) else {
            return actor(user: "uid:\(uid)", groups: [], isRoot: uid == 0)
        }
        return actor(user: name, groups: groups, isRoot: uid == 0, uid: uid)
    }

    /// The actor a name given by a caller stands for (a helper to pair): the grants of the name
    /// and of its account's groups. Never root, whatever the name.
    public func actor(named name: String) -> Actor {
        actor(user: name, groups: name.hasPrefix("uid:") ? [] : UnixAccounts.groups(name: name), isRoot: false)
    }
}
