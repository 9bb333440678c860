/// The filters of a saga list, as text (the API's query and the CLI's flags); the engine side
/// checks them and names what is wrong.
package struct SagaQuery: Sendable, Hashable {
    package var status: String?
    package var template: String?
    package var kind: String?
    package var deployment: String?
    /// The `next_cursor` of the previous page.
    package var cursor: String?
    package var limit: Int

    package init(
        status: String? = nil, template: String? = nil, kind: String? = nil, deployment: String? = nil, cursor: String? = nil, limit: Int = 50
    ) {
        self.status = status
        self.template = template
        self.kind = kind
        self.deployment = deployment
        self.cursor = cursor
        self.limit = limit
    }
}
