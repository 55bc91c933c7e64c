import Foundation
import RolloutJSON

/// A configuration file a `reload` rollout switched on a host, as given to
/// ``JournalStore/recordConfigFiles(_:host:in:at:)``.
public struct ConfigFileEntry: Sendable, Hashable {
    /// The absolute path on the host.
    public var path: String
    /// The local template or file it came from.
    public var source: String?
    /// SHA-256 of the bytes now at `path`, lowercase hex.
    public var sha256: String
    public var size: Int
    /// Octal permission bits (`0644`).
    public var mode: String?
    /// SHA-256 of the file it replaced; nil when there was none.
    public var previousSHA256: String?

    public init(
        path: String, source: String? = nil, sha256: String, size: Int, mode: String? = nil,
        previousSHA256: String? = nil
    ) {
        self.path = path
        self.source = source
        self.sha256 = sha256
        self.size = size
        self.mode = mode
        self.previousSHA256 = previousSHA256
    }
}

/// A configuration file as the journal records it: what went live on which host, when, and whether it was
/// put back (`restored_at`, after a failed reload or a rollback). The file's own fields (`path`, `sha256`, ...)
/// are those of its ``ConfigFileEntry``, read through this record.
@dynamicMemberLookup
public struct ConfigFileRecord: Sendable, Hashable, Encodable {
    public var rolloutID: Int64
    public var host: String
    /// The file as it was switched.
    public var file: ConfigFileEntry
    public var switchedAt: Date
    /// When the previous file was put back; nil while this one is live (as far as the journal knows).
    public var restoredAt: Date?

    public subscript<Value>(dynamicMember field: KeyPath<ConfigFileEntry, Value>) -> Value { file[keyPath: field] }

    enum CodingKeys: String, CodingKey {
        case rolloutID = "rollout_id"
        case host, path, source, sha256, size, mode
        case previousSHA256 = "previous_sha256"
        case switchedAt = "switched_at"
        case restoredAt = "restored_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeJournal(rolloutID, forKey: .rolloutID)
        try container.encodeJournal(host, forKey: .host)
        try container.encodeJournal(file.path, forKey: .path)
        try container.encodeJournal(file.source, forKey: .source)
        try container.encodeJournal(file.sha256, forKey: .sha256)
        try container.encodeJournal(file.size, forKey: .size)
        try container.encodeJournal(file.mode, forKey: .mode)
        try container.encodeJournal(file.previousSHA256, forKey: .previousSHA256)
        try container.encodeJournal(switchedAt, forKey: .switchedAt)
        try container.encodeJournal(restoredAt, forKey: .restoredAt)
    }

    func write(to writer: JSONWriter) {
        writer.beginObject()
        writer.field("host", host)
        writer.field("mode", file.mode)
        writer.field("path", file.path)
        writer.field("previous_sha256", file.previousSHA256)
        writer.field("restored_at", restoredAt)
        writer.field("rollout_id", rolloutID)
        writer.field("sha256", file.sha256)
        writer.field("size", file.size)
        writer.field("source", file.source)
        writer.field("switched_at", switchedAt)
        writer.endObject()
    }
}
