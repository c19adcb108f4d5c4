extension CutoverError.Code {
    // MARK: - 1: an operation failed

    /// A backup could not be taken (tool missing or too old, dump failed, folder not
    /// writable, disk full). `cutover migrate` changes nothing when its backup fails.
    public static let backupFailed = Self("backup_failed", exitCode: 1)
    /// A restore failed; a database it created is dropped again, a replaced one keeps its
    /// old contents.
    public static let restoreFailed = Self("restore_failed", exitCode: 1)
    /// A clone could not be made or dropped.
    public static let cloneFailed = Self("clone_failed", exitCode: 1)

    // MARK: - 3: findings

    /// `cutover backup verify` found that a backup does not match its catalog entry (file
    /// checksum, schema or row counts).
    public static let backupMismatch = Self("backup_mismatch", exitCode: 3)
}
