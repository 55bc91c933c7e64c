import GRDB

/// The journal's schema, as named migrations applied in order by ``JournalStore/init(path:busyTimeout:)``.
///
/// A migration, once released, is never edited: a schema change is a new named migration appended
/// here (and described in docs/journal.md). GRDB records applied names in `grdb_migrations`.
enum JournalMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-journal", migrate: v1Journal)
        migrator.registerMigration("v2-config-files", migrate: v2ConfigFiles)
        migrator.registerMigration("v3-lock-identity", migrate: v3LockIdentity)
        migrator.registerMigration("v4-lock-fence", migrate: v4LockFence)
        return migrator
    }

    /// Rollouts, their hosts, the per-host phase journal, events and inventory locks.
    ///
    /// No `ON DELETE CASCADE` anywhere and triggers that refuse deletes: a history row is never lost by
    /// accident. Status columns have no CHECK constraint so that a later version can add a status
    /// without rebuilding tables; the Swift enums are the only writers.
    private static func v1Journal(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE rollout (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    inventory TEXT NOT NULL,
                    playbook TEXT NOT NULL,
                    version TEXT NOT NULL,
                    previous_version TEXT,
                    strategy TEXT,
                    status TEXT NOT NULL,
                    started_by_user TEXT NOT NULL,
                    started_by_host TEXT NOT NULL,
                    started_by_pid INTEGER NOT NULL,
                    ci_job TEXT,
                    plan TEXT,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    exit_code INTEGER,
                    error TEXT
                );
                CREATE INDEX rollout_by_inventory ON rollout(inventory, started_at);
                CREATE INDEX rollout_by_status ON rollout(status);

                CREATE TABLE rollout_host (
                    id INTEGER PRIMARY KEY,
                    rollout_id INTEGER NOT NULL REFERENCES rollout(id),
                    position INTEGER NOT NULL,
                    batch INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    address TEXT,
                    from_version TEXT,
                    to_version TEXT NOT NULL,
                    strategy TEXT,
                    status TEXT NOT NULL,
                    error TEXT,
                    updated_at TEXT NOT NULL,
                    UNIQUE (rollout_id, name)
                );
                CREATE INDEX rollout_host_by_rollout ON rollout_host(rollout_id, status);
                CREATE INDEX rollout_host_by_name ON rollout_host(name);

                CREATE TABLE phase (
                    id INTEGER PRIMARY KEY,
                    rollout_id INTEGER NOT NULL REFERENCES rollout(id),
                    host_id INTEGER NOT NULL REFERENCES rollout_host(id),
                    name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    detail TEXT,
                    error TEXT
                );
                CREATE INDEX phase_by_rollout ON phase(rollout_id, host_id);
                CREATE INDEX phase_by_host ON phase(host_id);

                CREATE TABLE event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    rollout_id INTEGER REFERENCES rollout(id),
                    inventory TEXT,
                    kind TEXT NOT NULL,
                    message TEXT NOT NULL,
                    detail TEXT,
                    at TEXT NOT NULL
                );
                CREATE INDEX event_by_rollout ON event(rollout_id);
                CREATE INDEX event_by_inventory ON event(inventory, at);

                CREATE TABLE inventory_lock (
                    inventory TEXT PRIMARY KEY,
                    owner_user TEXT NOT NULL,
                    owner_host TEXT NOT NULL,
                    owner_pid INTEGER NOT NULL,
                    owner_ci_job TEXT,
                    owner_token TEXT NOT NULL,
                    acquired_at TEXT NOT NULL,
                    heartbeat_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL
                );
                """)
        for table in ["rollout", "rollout_host", "phase", "event"] {
            try db.execute(
                sql: """
                    CREATE TRIGGER \(table)_keep BEFORE DELETE ON \(table)
                    BEGIN SELECT RAISE(ABORT, 'journal history is never deleted'); END
                    """)
        }
    }

    /// Configuration files switched on hosts by `reload` rollouts: one row per file per host, with its SHA-256,
    /// when it went live and, if it was put back, when it stopped being live. Which configuration was live on
    /// a host at any moment is a query over these rows (``JournalStore/liveConfigFiles(inventory:host:at:)``).
    private static func v2ConfigFiles(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE config_file (
                    id INTEGER PRIMARY KEY,
                    rollout_id INTEGER NOT NULL REFERENCES rollout(id),
                    host_id INTEGER NOT NULL REFERENCES rollout_host(id),
                    path TEXT NOT NULL,
                    source TEXT,
                    sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    mode TEXT,
                    previous_sha256 TEXT,
                    switched_at TEXT NOT NULL,
                    restored_at TEXT
                );
                CREATE INDEX config_file_by_rollout ON config_file(rollout_id, host_id);
                CREATE INDEX config_file_by_host ON config_file(host_id, switched_at);
                CREATE TRIGGER config_file_keep BEFORE DELETE ON config_file
                BEGIN SELECT RAISE(ABORT, 'journal history is never deleted'); END;
                """)
    }

    /// The lock owner's process start time (`owner_started`), so that a takeover can tell a live holder from a
    /// later process that got its pid. Locks are keyed by the canonical inventory path from now on
    /// (``InventoryIdentity``); rows keyed by a typed path stay as they are and are matched when read.
    private static func v3LockIdentity(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE inventory_lock ADD COLUMN owner_started TEXT")
    }

    /// Fencing tokens (``FencingToken``): the token of the lease in force (`inventory_lock.fence`, NULL in a lock taken
    /// by an older controller), and per lock key the last token ever issued (`lock_fence`), kept when the lock row is
    /// released or removed so that no token is issued twice.
    private static func v4LockFence(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE inventory_lock ADD COLUMN fence INTEGER;
                CREATE TABLE lock_fence (
                    inventory TEXT PRIMARY KEY,
                    last_fence INTEGER NOT NULL,
                    issued_at TEXT NOT NULL
                );
                CREATE TRIGGER lock_fence_keep BEFORE DELETE ON lock_fence
                BEGIN SELECT RAISE(ABORT, 'fencing tokens are never forgotten'); END;
                """)
    }
}
