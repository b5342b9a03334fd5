import Foundation
import SessionStore

/// `hammer` mode: a second process doing locked read-modify-writes of one session, for the
/// cross-process test. Reads the session cookie value from stdin (never from the command line, where
/// other users could see it in `ps`).
struct Hammer {
    let directory: String
    let count: Int
    let keyPrefix: String

    init(arguments: [String]) throws {
        let options = try Options(arguments)
        guard let directory = options.positional.first else { throw Options.Invalid(description: "hammer needs a directory") }
        self.directory = directory
        self.count = try options.int("count", default: 100)
        self.keyPrefix = options.string("key-prefix") ?? "hammer"
    }

    func run() throws {
        guard let line = readLine(), let id = SessionCookie.sessionHandle(fromCookieValue: line) else {
            throw Options.Invalid(description: "expected a session cookie value on stdin")
        }
        let store = try FileSessionStore(directory: directory)
        for index in 0..<count {
            let updated = try store.update(id) { session in
                session.attributes["\(keyPrefix)\(index)"] = "1"
                session.attributes["counter"] = String(Int(session.attributes["counter"] ?? "0")! + 1)
            }
            guard updated != nil else { throw Options.Invalid(description: "session vanished after \(index) updates") }
        }
        print("ok \(count)")
    }
}
