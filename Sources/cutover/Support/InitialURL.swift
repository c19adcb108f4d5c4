import CutoverCore
import Foundation

/// The URL `cutover init --url` writes into `cutover.toml`: as given, except that a password
/// is replaced by a `${CUTOVER_DEV_PASSWORD}` reference, since the file goes into git.
///
/// `postgres://app:s3cret@localhost/shop` → `postgres://app:${CUTOVER_DEV_PASSWORD}@localhost/shop`.
struct InitialURL {
    /// The environment variable the written URL reads its password from.
    static let passwordVariableName = "CUTOVER_DEV_PASSWORD"

    /// The text for `url = "…"`.
    let text: String
    /// The variable to export, when the URL had a password.
    let passwordVariable: String?

    init(_ given: String) {
        guard let parsed = try? DatabaseURL(given), parsed.password != nil,
            let scheme = given.range(of: "://")
        else {
            text = given
            passwordVariable = nil
            return
        }
        // The user information ends at the last '@' before the path.
        let afterScheme = given[scheme.upperBound...]
        let authorityEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        guard let at = afterScheme[..<authorityEnd].lastIndex(of: "@"),
            let colon = afterScheme[..<at].firstIndex(of: ":")
        else {
            text = given
            passwordVariable = nil
            return
        }
        text = String(given[..<given.index(after: colon)]) + "${\(Self.passwordVariableName)}" + String(given[at...])
        passwordVariable = Self.passwordVariableName
    }
}
