public import Billing

/// Billing failures as API errors (the status the API answers, the exit code the CLI gives).
package enum BillingAPIError {
    package static func from(_ error: BillingError) -> APIError {
        switch error.code {
        case .notFound: APIError(404, error.code.rawValue, error.message)
        case .finalized, .busy: APIError(409, error.code.rawValue, error.message)
        case .invalidInput: APIError(409, "conflict", error.message)
        case .invalidField: APIError(400, error.code.rawValue, error.message)
        case .invalidRateCard, .noRateCard, .unknownPlan: APIError(422, error.code.rawValue, error.message)
        }
    }
}
