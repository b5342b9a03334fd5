@testable import HTTPServer
import Testing

/// The worker queue's ring: first in, first out, bounded, and a taken element released.
@Suite struct BoundedQueueTests {
    final class Tracked {
        let onDeinit: () -> Void
        init(_ onDeinit: @escaping () -> Void) { self.onDeinit = onDeinit }
        deinit { onDeinit() }
    }

    @Test func firstInFirstOutWithinItsBound() {
        var queue = BoundedQueue<Int>(capacity: 40)
        var pushed: [Bool] = []
        for i in 0..<41 { pushed.append(queue.push(i)) }
        #expect(pushed == Array(repeating: true, count: 40) + [false])
        var popped: [Int] = []
        for _ in 0..<25 { popped.append(queue.pop()!) }
        #expect(popped == Array(0..<25))
        // Wrapped around the ring: still in order, still bounded.
        pushed = []
        for i in 40..<66 { pushed.append(queue.push(i)) }
        #expect(pushed == Array(repeating: true, count: 25) + [false])
        let rest = queue.removeAll()
        #expect(rest == Array(25..<65))
        let none = queue.pop()
        #expect(queue.isEmpty && none == nil)
    }

    @Test func aTakenElementIsReleasedAtOnce() {
        var released = 0
        var queue = BoundedQueue<Tracked>(capacity: 4)
        _ = queue.push(Tracked { released += 1 })
        _ = queue.push(Tracked { released += 1 })
        _ = queue.pop()
        #expect(released == 1)
        #expect(queue.count == 1)
    }
}
