import AccessControl

/// The token of the request being handled, set by ``APIMiddleware`` for the generated handlers
/// (which see only their typed input).
enum AuthenticatedToken {
    @TaskLocal static var current: AccessToken?

    /// The request's token, or 401.
    static func require() throws -> AccessToken {
        guard let current else { throw APIError.unauthorized("this route needs Authorization: Bearer <token> (arcadia token create)") }
        return current
    }

    /// The request's token if it may perform `permission`, else 403 naming the role.
    static func require(_ permission: Permission) throws -> AccessToken {
        let token = try require()
        guard token.allows(permission) else {
            throw APIError.forbidden("a \(token.role.rawValue) token may not \(Self.describe(permission))")
        }
        return token
    }

    /// The request's token if it may read `tenantID`'s data: any reader, or a tenant token of
    /// that tenant; else 403.
    static func requireTenant(_ tenantID: String) throws -> AccessToken {
        let token = try require()
        guard token.allows(.read) || token.allows(.readOwnTenant, tenant: tenantID) else {
            throw APIError.forbidden(
                token.role == .tenant ? "a tenant token sees only its own tenant" : "a \(token.role.rawValue) token may not read this")
        }
        return token
    }

    private static func describe(_ permission: Permission) -> String {
        switch permission {
        case .read: "read this"
        case .operateSagas: "start or change sagas (operator or admin)"
        case .operateInventory: "trigger inventory syncs (operator or admin)"
        case .administer: "administer (admin only)"
        case .readOwnTenant: "read another tenant's data"
        }
    }
}
