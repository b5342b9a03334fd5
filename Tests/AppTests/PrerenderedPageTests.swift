@testable import App
import Foundation
import HTTPServer
import Testing

/// Prerendered pages give exactly what Mustache renders for the same values, whatever the
/// values hold, and decline whatever does not fit the model rather than guess.
@Suite struct PrerenderedPageTests {
    static let hostile = ["Zoë <script>alert(1)</script>", "a\"b'c&d", "\u{E000}0\u{E001}", "x\"\u{301} onload=1", "日本 😀", "--"]

    func pages(devIdentityProvider: Bool = false) throws -> PageRenderer {
        try PageRenderer(directory: TestApp.root.appendingPathComponent("Templates").path, devIdentityProvider: devIdentityProvider)
    }

    @Test func theSignedInHomePageIsMustachesOwn() throws {
        for dev in [false, true] {
            let pages = try pages(devIdentityProvider: dev)
            for isAdmin in [false, true] {
                let page = try #require(PrerenderedPage(pages: pages, template: "index", slots: SignedInUser.slotNames) { marker in
                    ["isAdmin": isAdmin, "user": Dictionary(uniqueKeysWithValues: SignedInUser.slotNames.map { ($0, marker($0)) })]
                })
                for (index, name) in Self.hostile.enumerated() {
                    let values = [name, Self.hostile[(index + 1) % Self.hostile.count], "token-\(index)"]
                    let expected = try #require(pages.html("index", ["isAdmin": isAdmin, "user": ["name": values[0], "username": values[1], "signOutToken": values[2]]]))
                    let body = try #require(page.body(values))
                    #expect(String(decoding: body, as: UTF8.self) == expected, "\(name)")
                }
            }
        }
    }

    @Test func theGraphPageWithAnyNumberOfRowsIsMustachesOwn() throws {
        let pages = try pages()
        let slots = SignedInUser.slotNames + ["endpoint", "rawJSON"]
        let page = try #require(PrerenderedPage(pages: pages, template: "graph", slots: slots, rows: (key: "fields", slots: ["name", "value"])) { marker in
            ["user": ["name": marker("name"), "username": marker("username"), "signOutToken": marker("signOutToken")],
             "endpoint": marker("endpoint"), "rawJSON": marker("rawJSON")]
        })
        for count in [0, 1, 3, 12] {
            let rows = (0..<count).map { [Self.hostile[$0 % Self.hostile.count], "value <\($0)> & \"more\""] }
            let values = ["Adele <b>", "adele@dev.example", "t0k3n", "https://graph.example/v1.0/me?x=1&y=2", "{\n  \"a\" : \"<b>\"\n}"]
            let expected = try #require(pages.html("graph", [
                "user": ["name": values[0], "username": values[1], "signOutToken": values[2]], "endpoint": values[3], "rawJSON": values[4],
                "fields": rows.map { ["name": $0[0], "value": $0[1]] },
            ]))
            let actual = String(decoding: try #require(page.body(values, rows: rows)), as: UTF8.self)
            if actual != expected {
                let common = zip(actual, expected).prefix { $0 == $1 }.count
                Issue.record("\(count) rows differ after \(common): ours \(actual.dropFirst(max(0, common - 40)).prefix(120).debugDescription) Mustache \(expected.dropFirst(max(0, common - 40)).prefix(120).debugDescription)")
            }
        }
    }

    @Test func whatDoesNotFitIsDeclined() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prerendered-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let templates = [
            "plain": "<p>{{a}}</p>",
            "section": "{{#a}}<p>{{a}}</p>{{/a}}{{^a}}none{{/a}}",
            "lastDiffers": "<ul>{{#rows}}<li>{{v}}{{^last()}},{{/last()}}</li>{{/rows}}</ul>",
            "indexed": "<ol>{{#rows}}<li>{{index()}} {{v}}</li>{{/rows}}</ol>",
            "noneText": "<ul>{{#rows}}<li>{{v}}</li>{{/rows}}{{^rows}}<li>none</li>{{/rows}}</ul>",
            "privateUse": "<p>\u{E001}{{a}}</p>",
        ]
        for (name, text) in templates { try text.write(to: directory.appendingPathComponent("\(name).mustache"), atomically: true, encoding: .utf8) }
        let pages = try PageRenderer(directory: directory.path)
        let plain = try #require(PrerenderedPage(pages: pages, template: "plain", slots: ["a"]) { ["a": $0("a")] })
        #expect(plain.body(["<x>"]).map { String(decoding: $0, as: UTF8.self) } == "<p>&lt;x&gt;</p>")
        #expect(plain.body([""]) == nil, "an empty value may change a section: Mustache renders it")
        #expect(plain.body(["a", "b"]) == nil, "wrong number of values")
        let section = try #require(PrerenderedPage(pages: pages, template: "section", slots: ["a"]) { ["a": $0("a")] })
        #expect(section.body([""]) == nil)
        #expect(PrerenderedPage(pages: pages, template: "lastDiffers", slots: [], rows: (key: "rows", slots: ["v"])) { _ in [:] } == nil,
                "rows that are not all alike")
        #expect(PrerenderedPage(pages: pages, template: "indexed", slots: [], rows: (key: "rows", slots: ["v"])) { _ in [:] } == nil)
        let noneText = try #require(PrerenderedPage(pages: pages, template: "noneText", slots: [], rows: (key: "rows", slots: ["v"])) { _ in [:] })
        #expect(noneText.body([], rows: []) == nil, "no rows shows something else: Mustache renders it")
        #expect(noneText.body([], rows: [["1"], ["2"]]).map { String(decoding: $0, as: UTF8.self) } == "<ul><li>1</li><li>2</li></ul>")
        #expect(PrerenderedPage(pages: pages, template: "privateUse", slots: ["a"]) { ["a": $0("a")] } == nil, "the template holds a marker character")
        #expect(PrerenderedPage(pages: pages, template: "missing", slots: []) { _ in [:] } == nil)
    }
}

extension PrerenderedPage: Equatable {
    /// Tests only ask whether one was made.
    public static func == (a: PrerenderedPage, b: PrerenderedPage) -> Bool { a.slotNames == b.slotNames }
}
