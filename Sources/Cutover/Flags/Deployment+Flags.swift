import CutoverCore

/// Run-time switches (`cutover flag`, `cutover maintenance`): the `flags` table of the target.
extension Deployment {
    /// Every switch of the target database, by name (empty before the first is set).
    public func flags() async throws -> [FeatureFlag] {
        try await withSession { try await FlagStore(database: $0).all() }
    }

    /// The switch named `name`, or nil when it was never set.
    public func flag(named name: String) async throws -> FeatureFlag? {
        try await withSession { try await FlagStore(database: $0).flag(name) }
    }

    /// Turns a switch on or off, creating it when missing.
    ///
    /// ```swift
    /// try await deployment.setFlag("new_checkout", enabled: true, requires: MigrationID("20261124130000"), percent: 10)
    /// ```
    ///
    /// - Parameters:
    ///   - name: the switch.
    ///   - enabled: on or off.
    ///   - requires: the migration that must be applied before it can be on; nil keeps the stored one.
    ///   - clearRequires: removes the stored requirement.
    ///   - percent: the share of keys (0–100) it is on for; nil keeps the stored one (all keys for a new switch).
    /// - Returns: the switch as stored.
    /// - Throws: `CutoverError` `.invalidArgument` for an empty name or a percent outside 0–100;
    ///   `.flagRequirementNotMet` when the required migration is not applied (the database's
    ///   trigger refuses it, so a hand-written `UPDATE` is refused too).
    public func setFlag(
        _ name: String, enabled: Bool, requires: MigrationID? = nil, clearRequires: Bool = false, percent: Int? = nil
    ) async throws -> FeatureFlag {
        guard !name.isEmpty, name.count <= 200 else {
            throw CutoverError(.invalidArgument, "a switch needs a name of 1 to 200 characters", hint: "for example `cutover flag set new_checkout on`")
        }
        if let percent, !(0...100).contains(percent) {
            throw CutoverError(.invalidArgument, "--percent must be between 0 and 100, not \(percent)", hint: "for example `--percent 10` for one key in ten")
        }
        return try await withSession { database in
            let store = FlagStore(database: database)
            try await store.prepare()
            return try await store.set(name, enabled: enabled, requires: requires, clearRequires: clearRequires, percent: percent, by: RunnerIdentity.appliedBy)
        }
    }

    /// Removes a switch; returns whether there was one.
    public func deleteFlag(_ name: String) async throws -> Bool {
        try await withSession { try await FlagStore(database: $0).delete(name) }
    }

    /// Turns the built-in ``FeatureFlag/maintenance`` switch on or off.
    public func setMaintenance(_ on: Bool) async throws -> FeatureFlag {
        try await setFlag(FeatureFlag.maintenance, enabled: on)
    }
}
