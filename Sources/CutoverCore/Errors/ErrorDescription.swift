import Foundation

/// One readable sentence for any error that reaches a message: a `CutoverError`'s message,
/// and for Foundation's file errors the path and the system's reason (`No such file or
/// directory`) — never `Error Domain=NSCocoaErrorDomain Code=4 …`.
///
/// ```swift
/// do { try text.write(toFile: path, atomically: true, encoding: .utf8) }
/// catch { throw CutoverError(.ioFailed, "cannot write \(path): \(ErrorDescription.of(error))") }
/// ```
public enum ErrorDescription {
    /// The sentence for `error`.
    public static func of(_ error: any Error) -> String {
        if let error = error as? CutoverError { return error.message }
        if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
        let nsError = error as NSError
        guard nsError.domain == NSCocoaErrorDomain || nsError.domain == NSPOSIXErrorDomain else { return "\(error)" }
        var reason: String?
        if nsError.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(nsError.code)))
        } else if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(underlying.code)))
        } else if let cocoa = error as? CocoaError {
            reason = switch cocoa.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: "no such file"
            case .fileReadNoPermission, .fileWriteNoPermission: "permission denied"
            case .fileWriteOutOfSpace: "no space left on the device"
            case .fileWriteVolumeReadOnly: "the volume is read-only"
            case .fileWriteFileExists: "the file exists already"
            case .fileReadCorruptFile: "the file is damaged or not in the expected format"
            case .fileReadInapplicableStringEncoding, .fileWriteInapplicableStringEncoding: "the text is not valid UTF-8"
            default: nil
            }
        }
        let path = (nsError.userInfo[NSFilePathErrorKey] as? String) ?? (nsError.userInfo[NSURLErrorKey] as? URL)?.path
        let text = reason ?? nsError.localizedFailureReason ?? "error \(nsError.code)"
        return path.map { "\($0): \(text)" } ?? text
    }
}
