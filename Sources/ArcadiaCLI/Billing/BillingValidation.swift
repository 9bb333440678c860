import ArgumentParser

/// Checks of billing command input, before anything is opened.
enum BillingValidation {
    /// Ids of tenants, deployments and plans: 1 to 64 of letters, digits, `-` and `_`.
    static func identifier(_ text: String, _ what: String) throws {
        guard (1...64).contains(text.count), text.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") && $0.isASCII }) else {
            throw ValidationError("\(what) '\(text)' must be 1 to 64 letters, digits, - or _")
        }
    }
}
