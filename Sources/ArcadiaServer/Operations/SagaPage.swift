/// A page of sagas and the cursor of the next one (nil when this is the last).
package struct SagaPage: Sendable {
    package var sagas: [SagaJSON]
    package var nextCursor: String?

    package init(sagas: [SagaJSON], nextCursor: String?) {
        self.sagas = sagas
        self.nextCursor = nextCursor
    }
}
