import NIOHTTP1

extension DigitalOceanClient {
    /// `GET /v2/projects`.
    public func projects() -> PaginatedSequence<Project> {
        collection(Project.self, "/v2/projects", key: "projects")
    }

    /// `GET /v2/projects/{project_id}`.
    public func project(id: String) async throws -> Project {
        try await object(Project.self, .GET, "/v2/projects/\(id)", key: "project")
    }

    /// `GET /v2/projects/default`: the project new resources go to when none is named.
    public func defaultProject() async throws -> Project {
        try await object(Project.self, .GET, "/v2/projects/default", key: "project")
    }

    /// `GET /v2/projects/{project_id}/resources`: what is assigned to a project, by URN
    /// (`default` names the default project).
    public func projectResources(projectID: String) -> PaginatedSequence<ProjectResource> {
        collection(ProjectResource.self, "/v2/projects/\(projectID)/resources", key: "resources")
    }
}
