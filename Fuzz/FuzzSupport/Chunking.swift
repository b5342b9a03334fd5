/// The ways an input is cut into reads: the parser must not care where a read ends, since
/// TCP gives no say in it. Random cuts are derived from the input itself, so a failing input
/// always reproduces with the same cuts.
public enum Chunking: CaseIterable, Sendable {
    /// One read with everything.
    case whole
    /// One byte per read: every "need the next byte" path (CR at the end of a read, …).
    case byteByByte
    /// Reads of 1…16 bytes, cut pseudo-randomly.
    case smallRandom
    /// Reads of 1…1024 bytes, cut pseudo-randomly (closer to what a socket gives).
    case largeRandom

    /// How reports name it.
    public var name: String {
        switch self {
        case .whole: return "whole"
        case .byteByByte: return "byte-by-byte"
        case .smallRandom: return "random 1-16"
        case .largeRandom: return "random 1-1024"
        }
    }

    /// Chunk lengths summing to `data.count`.
    public func lengths(for data: UnsafeBufferPointer<UInt8>) -> [Int] {
        let n = data.count
        switch self {
        case .whole: return n == 0 ? [] : [n]
        case .byteByByte: return Array(repeating: 1, count: n)
        case .smallRandom: return Self.randomCuts(n, maxChunk: 16, seed: Self.fnv1a(data))
        case .largeRandom: return Self.randomCuts(n, maxChunk: 1024, seed: Self.fnv1a(data) ^ 0x9E37_79B9_7F4A_7C15)
        }
    }

    /// Lengths of 1 to `maxChunk` summing to `n`, from `seed`.
    private static func randomCuts(_ n: Int, maxChunk: Int, seed: UInt64) -> [Int] {
        var rng = SplitMix64(seed: seed)
        var lengths: [Int] = []
        var left = n
        while left > 0 {
            let length = min(left, 1 + Int(rng.next() % UInt64(maxChunk)))
            lengths.append(length)
            left -= length
        }
        return lengths
    }

    /// FNV-1a of the input: the seed of its random cuts.
    private static func fnv1a(_ data: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in data {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// A tiny deterministic generator (SplitMix64): no global state, same cuts every run.
public struct SplitMix64 {
    /// The generator's state.
    private var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next value.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
