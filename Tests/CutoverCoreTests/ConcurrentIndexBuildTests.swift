import CutoverCore
import Testing

@Suite("reading CREATE INDEX CONCURRENTLY")
struct ConcurrentIndexBuildTests {
    @Test("the name, the table as written and the rest of the statement")
    func parts() throws {
        let build = try #require(ConcurrentIndexBuild("CREATE INDEX CONCURRENTLY users_email ON users (email)"))
        #expect(build == ConcurrentIndexBuild(isUnique: false, indexName: "users_email", table: "users", definition: "(email)"))
    }

    @Test("UNIQUE, IF NOT EXISTS, quoted and qualified names, ONLY, comments and line breaks")
    func variants() throws {
        let build = try #require(ConcurrentIndexBuild(#"""
            create unique index concurrently if not exists "Email ""Idx""" -- why
            on only /* nested /* comment */ */ app . "Users"
              USING btree (lower(email)) WHERE deleted_at IS NULL
            """#))
        #expect(build.isUnique)
        #expect(build.indexName == #"Email "Idx""#)
        #expect(build.table == #"app . "Users""#)
        #expect(build.definition == "USING btree (lower(email)) WHERE deleted_at IS NULL")
        #expect(ConcurrentIndexBuild("CREATE INDEX CONCURRENTLY Mixed_Case ON t (a)")?.indexName == "mixed_case")
    }

    @Test("an unnamed index")
    func unnamed() throws {
        let build = try #require(ConcurrentIndexBuild("CREATE INDEX CONCURRENTLY ON t ((v + 1))"))
        #expect(build.indexName == nil)
        #expect(build.table == "t")
        #expect(build.definition == "((v + 1))")
    }

    @Test("other statements are not read", arguments: [
        "CREATE INDEX users_email ON users (email)",
        "DROP INDEX CONCURRENTLY users_email",
        "CREATE INDEX CONCURRENTLY users_email ON users",
        #"CREATE INDEX CONCURRENTLY "unterminated ON users (email)"#,
        "REINDEX INDEX CONCURRENTLY users_email",
        "",
    ])
    func others(sql: String) {
        #expect(ConcurrentIndexBuild(sql) == nil)
    }
}
