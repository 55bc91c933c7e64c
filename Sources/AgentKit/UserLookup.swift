import Glibc

/// Looks users and groups up by name (or numeric id) before a fork, never in the child.
enum UserLookup {
    struct Identity {
        var uid: uid_t
        var gid: gid_t
        var groups: [gid_t]
        var home: String
    }

    static func user(_ name: String, group: String?) throws -> Identity {
        guard let entry = getpwnam(name) ?? UInt32(name).flatMap({ getpwuid($0) }) else {
            throw AgentError("config.user", "user '\(name)' does not exist; create it or fix `user:`")
        }
        let uid = entry.pointee.pw_uid
        var gid = entry.pointee.pw_gid
        let home = String(cString: entry.pointee.pw_dir)
        if let group { gid = try groupID(group) }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, gid, &groups, &count)
        }
        return Identity(uid: uid, gid: gid, groups: Array(groups.prefix(Int(max(count, 0)))), home: home)
    }

    static func groupID(_ name: String) throws -> gid_t {
        if let entry = getgrnam(name) { return entry.pointee.gr_gid }
        if let number = UInt32(name) { return number }
        throw AgentError("config.group", "group '\(name)' does not exist; create it or fix the config")
    }

    /// `user` or `user:group` → (uid, gid).
    static func owner(_ text: String) throws -> (uid_t, gid_t) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let identity = try user(parts[0], group: parts.count > 1 ? parts[1] : nil)
        return (identity.uid, identity.gid)
    }
}
