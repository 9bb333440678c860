import Foundation

/// Checks of what a tenant or deployment may hold, shared by the CLI and the API; each failure
/// names the field and what it takes (``BillingError/Code/invalidField``).
public enum BillingValidation {
    /// Ids of tenants, deployments and plans: 1 to 64 of letters, digits, `-` and `_`.
    public static func identifier(_ text: String, _ what: String) throws {
        guard (1...64).contains(text.count), text.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") && $0.isASCII }) else {
            throw BillingError(.invalidField, "\(what) '\(text.prefix(64))' must be 1 to 64 letters, digits, - or _")
        }
    }

    public static func tenant(_ tenant: Tenant) throws {
        try identifier(tenant.id, "tenant id")
        guard !tenant.name.trimmingCharacters(in: .whitespaces).isEmpty, tenant.name.count <= 200 else {
            throw BillingError(.invalidField, "the name must be 1 to 200 characters")
        }
        guard tenant.billingEmail.contains("@"), tenant.billingEmail.count <= 320, !tenant.billingEmail.contains(where: \.isWhitespace) else {
            throw BillingError(.invalidField, "'\(tenant.billingEmail.prefix(64))' is not an email address")
        }
        if let problem = MoneyRounding.currencyProblem(tenant.currency) { throw BillingError(.invalidField, problem) }
    }

    public static func deployment(_ deployment: Deployment) throws {
        try identifier(deployment.id, "deployment id")
        try identifier(deployment.plan, "the plan")
        guard !deployment.region.isEmpty, deployment.region.count <= 32 else {
            throw BillingError(.invalidField, "the region must be a slug such as nyc3")
        }
        guard !deployment.name.isEmpty, deployment.name.count <= 200 else {
            throw BillingError(.invalidField, "the name must be 1 to 200 characters")
        }
    }
}
