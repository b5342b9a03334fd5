import CryptoSupport
import FoundationEssentials

/// The sign-in attempts one session has pending, keyed by state. Several may be open at
/// once (sign-in started in two tabs); each expires, the count is capped, and each can be
/// redeemed once. A plain Codable value: the app keeps it for the browser (a sealed cookie).
public struct PendingFlows: Sendable, Equatable, Codable {
    public private(set) var flows: [PendingFlow]

    public init(flows: [PendingFlow] = []) {
        self.flows = flows
    }

    public var isEmpty: Bool { flows.isEmpty }

    /// Adds `flow`, first dropping expired flows and then the oldest ones beyond `limit`,
    /// so a session cannot accumulate attempts without bound.
    public mutating func add(_ flow: PendingFlow, now: Date, limit: Int = 5, lifetime: TimeInterval = 600) {
        removeExpired(now: now, lifetime: lifetime)
        flows.append(flow)
        flows.sort { $0.createdAt < $1.createdAt }
        if flows.count > max(1, limit) { flows.removeFirst(flows.count - max(1, limit)) }
    }

    /// Removes and returns the flow whose state equals `state`. The flow is removed even
    /// when expired, so every state is usable at most once.
    public mutating func redeem(state: String?, now: Date, lifetime: TimeInterval = 600) throws(OIDCError) -> PendingFlow {
        guard let state, !state.isEmpty else { throw .stateRejected(.missing) }
        // Compare against every flow in constant time and without stopping early, so timing
        // tells an attacker neither how much of a state matched nor which flow it was.
        var matchIndex: Int?
        for (index, flow) in flows.enumerated() where ConstantTime.equals(flow.state, state) {
            matchIndex = index
        }
        guard let matchIndex else { throw .stateRejected(.unknown) }
        let flow = flows.remove(at: matchIndex)
        guard now.timeIntervalSince(flow.createdAt) <= lifetime else { throw .stateRejected(.expired) }
        return flow
    }

    /// Drops the oldest flow (a carrier with less room than `limit` flows, such as a
    /// cookie, makes room this way).
    public mutating func dropOldest() {
        if !flows.isEmpty { flows.removeFirst() }
    }

    /// Drops every flow older than `lifetime`.
    public mutating func removeExpired(now: Date, lifetime: TimeInterval = 600) {
        flows.removeAll { now.timeIntervalSince($0.createdAt) > lifetime }
    }
}
