import SQLite

/// The job database's schema as numbered migrations. Constraints do the validation: a bad state, a final job
/// without `finished_at`, a running job without owner and lease, or a second unfinished job for one data dir is
/// refused by SQLite itself.
///
/// Every index costs a page write per commit that touches it (the commit rate is bound by that), so there are
/// just two on `jobs`: the partial unique index on unfinished jobs (which also serves the queries for queued or
/// running jobs, through `unfinished`) and the claim's.
enum JobSchema {
    static let migrator = Migrator([
        Migration(1, "jobs, attempts, events", sql: version1)
    ])

    /// `jobs` read through the unfinished-jobs index, for queries over queued or running jobs only (without
    /// statistics SQLite would scan the whole history instead). The query must repeat `unfinishedCondition`.
    static let unfinishedJobs = "jobs INDEXED BY jobs_one_unfinished_per_data_dir"
    static let unfinishedCondition = "state IN ('queued', 'running')"

    static let version1 = """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('image', 'bootstrap', 'replica')),
            source TEXT NOT NULL CHECK (source IN ('auto', 'cli', 'http')),
            scope TEXT NOT NULL,
            data_dir TEXT NOT NULL CHECK (data_dir <> ''),
            state TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
            options TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options) AND json_type(options) = 'object'),
            not_before INTEGER NOT NULL,
            cycle INTEGER NOT NULL DEFAULT 0 CHECK (cycle >= 0),
            owner_host TEXT,
            owner_boot_id TEXT,
            owner_pid INTEGER,
            owner_start_time INTEGER,
            lease_expires_at INTEGER,
            cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            finished_at INTEGER,
            last_error TEXT,
            CHECK ((state IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL)),
            CHECK ((state = 'running') = (lease_expires_at IS NOT NULL)),
            CHECK (state <> 'running' OR (owner_host IS NOT NULL AND owner_boot_id IS NOT NULL
                AND owner_pid IS NOT NULL AND owner_start_time IS NOT NULL)),
            CHECK (cancel_requested = 0 OR state = 'running')
        ) STRICT;
        CREATE UNIQUE INDEX jobs_one_unfinished_per_data_dir ON jobs (data_dir) WHERE state IN ('queued', 'running');
        CREATE INDEX jobs_claimable ON jobs (not_before, id) WHERE state = 'queued';

        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            cycle INTEGER NOT NULL CHECK (cycle >= 0),
            position INTEGER NOT NULL CHECK (position >= 0),
            method TEXT NOT NULL CHECK (method <> ''),
            command TEXT,
            argv TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(argv) AND json_type(argv) = 'array'),
            clone_source TEXT,
            started_at INTEGER NOT NULL,
            finished_at INTEGER,
            outcome TEXT CHECK (outcome IN ('succeeded', 'failed', 'signalled', 'timed_out', 'interrupted', 'not_run')),
            detail TEXT,
            exit_code INTEGER,
            signal INTEGER,
            stdout_tail BLOB NOT NULL DEFAULT x'',
            stderr_tail BLOB NOT NULL DEFAULT x'',
            output_bytes INTEGER NOT NULL DEFAULT 0 CHECK (output_bytes >= 0),
            log_path TEXT,
            hook_pid INTEGER,
            hook_pgid INTEGER,
            hook_start_time INTEGER,
            last_line TEXT,
            progress_at INTEGER,
            CHECK ((finished_at IS NULL) = (outcome IS NULL)),
            CHECK (finished_at IS NULL OR finished_at >= started_at),
            CHECK (outcome IS NOT 'succeeded' OR exit_code = 0)
        ) STRICT;
        CREATE INDEX attempts_by_job ON attempts (job_id, id);
        CREATE UNIQUE INDEX attempts_one_open_per_job ON attempts (job_id) WHERE finished_at IS NULL;

        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
            at INTEGER NOT NULL,
            message TEXT NOT NULL CHECK (message <> '')
        ) STRICT;
        CREATE INDEX events_by_job ON events (job_id, id);
        """
}
