import ArcadiaServer
import ArgumentParser
import Foundation

/// The exit codes of the saga, inventory and drift commands (README, "Exit codes"), the same on
/// the database and through the API; a refused request uses the BSD `sysexits` codes (as the
/// argument parser does for bad flags, 64), so they never clash with a command's own results.
enum CLIExit {
    /// The saga ended but did not complete (rolled back, failed, killed).
    static let sagaNotCompleted = ExitCode(1)
    /// The request was refused as invalid (unknown template, bad inputs, bad filter, too large): EX_DATAERR.
    static let invalid = ExitCode(65)
    /// No such saga (or route): EX_NOINPUT.
    static let notFound = ExitCode(66)
    /// The saga's state does not allow that, a sync is already running, or too many bad tokens
    /// (try again later): EX_TEMPFAIL.
    static let conflict = ExitCode(75)
    /// The token is missing, unknown, revoked, or its role may not do that: EX_NOPERM.
    static let refused = ExitCode(77)
    /// The server could not be reached or failed: EX_UNAVAILABLE.
    static let unavailable = ExitCode(69)
    /// Something failed that is not one of the above (an answer this CLI cannot read, a database
    /// error): EX_SOFTWARE.
    static let internalError = ExitCode(70)

    /// Prints the error (and its details) to standard error and answers its exit code.
    static func report(_ error: APIError) -> ExitCode {
        var text = "error: \(error.message)\n"
        for detail in error.details { text += "  \(detail)\n" }
        FileHandle.standardError.write(Data(text.utf8))
        return code(status: error.status)
    }

    /// Prints any other failure (never with a secret: errors here carry none) and answers 70.
    static func report(unexpected error: any Error) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(String(describing: error).prefix(500))\n".utf8))
        return internalError
    }

    static func code(status: Int) -> ExitCode {
        switch status {
        case 401, 403: refused
        case 404: notFound
        case 409, 429: conflict
        case 400..<500: invalid
        default: unavailable
        }
    }
}
