import ArgumentParser
import Billing

/// Checks of billing command input, before anything is opened: ``Billing/BillingValidation`` as
/// the argument parser's validation errors.
enum BillingFlags {
    static func check(_ body: () throws -> Void) throws {
        do { try body() } catch let error as BillingError { throw ValidationError(error.message) }
    }
}
