import Foundation

/// An App Platform app. Only the parts an inventory needs are decoded; the spec's components
/// (services, workers, jobs, …) are left out.
public struct App: Decodable, Sendable, Hashable, Identifiable {
    public var id: String
    public var spec: Spec?
    /// The region's slug (`nyc`, `fra`, …), from the `region` object; the spec's own region is
    /// in ``Spec/region``.
    public var region: String?
    public var tierSlug: String?
    public var liveURL: String?
    public var defaultIngress: String?
    public var projectID: String?
    public var createdAt: Date?
    public var updatedAt: Date?
    public var lastDeploymentCreatedAt: Date?
    /// The deployment serving traffic, once there is one.
    public var activeDeployment: Deployment?

    /// The app's specification, as far as an inventory reads it.
    public struct Spec: Decodable, Sendable, Hashable {
        public var name: String?
        /// The region slug asked for (`nyc`, `ams`, `fra`, …).
        public var region: String?
    }

    /// One deployment of the app.
    public struct Deployment: Decodable, Sendable, Hashable {
        public var id: String?
        /// `PENDING_BUILD`, `BUILDING`, `PENDING_DEPLOY`, `DEPLOYING`, `ACTIVE`, `SUPERSEDED`,
        /// `ERROR` or `CANCELED`.
        public var phase: String?
        public var cause: String?
        public var createdAt: Date?
        public var updatedAt: Date?
    }

    private enum CodingKeys: String, CodingKey {
        case id, spec, region, tierSlug, liveURL = "liveUrl", defaultIngress, projectID = "projectId", createdAt, updatedAt
        case lastDeploymentCreatedAt, activeDeployment
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        spec = try container.decodeIfPresent(Spec.self, forKey: .spec)
        region = try container.decodeRegionSlugIfPresent(forKey: .region)
        tierSlug = try container.decodeIfPresent(String.self, forKey: .tierSlug)
        liveURL = try container.decodeIfPresent(String.self, forKey: .liveURL)
        defaultIngress = try container.decodeIfPresent(String.self, forKey: .defaultIngress)
        projectID = try container.decodeIfPresent(String.self, forKey: .projectID)
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
        lastDeploymentCreatedAt = try container.decodeIfPresent(Date.self, forKey: .lastDeploymentCreatedAt)
        activeDeployment = try container.decodeIfPresent(Deployment.self, forKey: .activeDeployment)
    }
}
