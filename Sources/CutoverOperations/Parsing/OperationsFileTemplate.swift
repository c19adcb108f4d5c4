/// The commented file `cutover new NAME --ops` writes.
public enum OperationsFileTemplate {
    /// A `.yaml` migration whose operations are all commented out examples: uncomment and edit
    /// the ones you need. Until one is, the file does not parse (`operations` is empty), so it
    /// cannot run by mistake.
    ///
    /// ```swift
    /// try OperationsFileTemplate.text.write(toFile: "migrations/20261201120000_split_name.yaml", atomically: true, encoding: .utf8)
    /// ```
    public static let text = """
        # An expand/contract migration: old and new application versions are served at once.
        # PostgreSQL: `cutover start ID`, roll out the new version, `cutover complete ID` (`cutover migrate` runs both at once).
        #
        # start     adds what the new version needs (shadow columns, triggers, concurrent indexes,
        #           NOT VALID checks) and a schema <schema>_<id> of views showing the new version
        #           its tables; the new version selects it with `SET search_path TO public_<id>, public`.
        # complete  after every old node is gone: validates, drops what only the old version used.
        # abort     before complete: undoes start; safe to run again.
        #
        # `up` is an SQL expression computing the new version's value from a row the old version
        # wrote (also run for the existing rows by the backfill); `down` computes the old
        # version's value from a row the new version wrote. Both read the row's columns by the
        # names of the version that wrote it.
        #
        # Uncomment and edit the operations you need (keep the two-space indent under `operations:`).
        operations:
        #  - create_table:
        #      name: orders
        #      columns:
        #        - { name: id, type: bigint, primary_key: true }
        #        - { name: user_id, type: bigint }
        #        - { name: total, type: "numeric(10,2)", nullable: false, default: "0" }
        #  - add_column:
        #      table: users
        #      column: { name: status, type: text, nullable: false, default: "'active'" }
        #      up: "CASE WHEN nickname = '' THEN 'new' ELSE 'active' END"
        #  - rename_column: { table: users, from: name, to: full_name }
        #  - alter_column:                    # any of: name, type, nullable, default, check, unique, references
        #      table: products
        #      column: price
        #      type: bigint
        #      check: { name: products_price_positive, constraint: "price > 0" }
        #      # unique: { name: products_price_key }
        #      # references: { name: products_vendor_fk, table: vendors, column: id, on_delete: CASCADE }
        #      up: "GREATEST(price, 1)::bigint"   # old version's value -> new column (satisfying the check)
        #      down: "price::integer"         # new version's value -> old column
        #  - drop_column:
        #      table: users
        #      column: nickname
        #      down: "''"                     # what the old version reads for the new version's rows
        #  - create_index: { name: users_status_idx, table: users, columns: [status], unique: false }
        #  - drop_index: { name: users_nickname_idx }
        #  - rename_table: { from: products, to: items }   # complete renames it; the new version sees `items` at once
        #  - drop_table: { table: sessions }               # hidden from the new version; complete drops it
        #  - add_constraint: { table: orders, name: orders_total_positive, type: check, check: "total >= 0" }
        #  - add_constraint:                  # type: check (with check), unique (columns) or foreign_key:
        #      table: orders                  # NOT VALID / a concurrent unique index at start, validated by complete
        #      name: orders_user_fk
        #      type: foreign_key
        #      columns: [user_id]
        #      references: { table: users, columns: [id] }
        #  - add_constraint: { table: users, name: users_full_name_key, type: unique, columns: [full_name] }
        #  - drop_constraint: { table: users, name: users_nickname_check }   # kept for the old version until complete
        #  - create_view:                     # in the version schema at start (its SQL reads the new version's names), in public at complete
        #      name: active_users
        #      sql: "SELECT id, full_name FROM users WHERE status = 'active'"
        #  - replace_function:                # in the version schema at start, in public at complete
        #      name: user_label
        #      args: "u users"
        #      returns: text
        #      language: sql                  # plpgsql by default
        #      body: "SELECT u.full_name || ' (' || u.status || ')'"
        #  - create_trigger:                  # created by complete; `at_start: true` fires it for both versions' writes
        #      table: orders
        #      name: orders_audit
        #      function: audit_row            # in public; a replace_function above it is created there first
        #      timing: after                  # before | after
        #      events: [insert, update]       # insert, update, delete, truncate
        #      for_each: row                  # row | statement
        #      columns: [total]               # optional: UPDATE OF these columns only
        #      when: "NEW.total IS DISTINCT FROM OLD.total"   # optional, row triggers; final column names
        #  - sql:                             # anything else; Cutover cannot tell what it locks
        #      up: CREATE EXTENSION IF NOT EXISTS citext
        #      down: DROP EXTENSION IF EXISTS citext

        """
}
