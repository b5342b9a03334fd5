/// A first-in first-out ring buffer with a bound: `push` fails once `capacity` elements
/// wait, and `pop` clears the slot it takes, so whatever an element holds (a request and
/// its body) is released as soon as it is taken, not when the queue next empties.
struct BoundedQueue<Element> {
    /// The most elements that may wait.
    let capacity: Int
    /// The ring; grows by doubling up to `capacity`, so an idle queue costs nothing.
    private var slots: [Element?] = []
    /// Index of the oldest element.
    private var head = 0
    /// Elements waiting.
    private(set) var count = 0

    /// An empty queue holding at most `capacity` elements (at least 1).
    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Nothing is waiting.
    var isEmpty: Bool { count == 0 }

    /// Appends `element`; false, leaving the queue as it was, when it is full.
    mutating func push(_ element: Element) -> Bool {
        guard count < capacity else { return false }
        if count == slots.count { grow() }
        slots[(head + count) % slots.count] = element
        count += 1
        return true
    }

    /// Takes the oldest element out.
    mutating func pop() -> Element? {
        guard count > 0 else { return nil }
        let element = slots[head].take()
        head = (head + 1) % slots.count
        count -= 1
        return element
    }

    /// Takes every element out, oldest first.
    mutating func removeAll() -> [Element] {
        var all: [Element] = []
        all.reserveCapacity(count)
        while let element = pop() { all.append(element) }
        return all
    }

    /// Doubles the ring (at least 16 slots, at most `capacity`), oldest element first.
    private mutating func grow() {
        let size = min(capacity, max(16, slots.count * 2))
        var grown = [Element?](repeating: nil, count: size)
        for i in 0..<count { grown[i] = slots[(head + i) % slots.count].take() }
        slots = grown
        head = 0
    }
}
