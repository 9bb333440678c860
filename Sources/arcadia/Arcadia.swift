import ArcadiaCLI
import ArgumentParser

/// The `arcadia` executable: everything lives in `ArcadiaCLI`.
@main
struct Arcadia {
    static func main() async {
        await ArcadiaCommand.runFromCommandLine()
    }
}
