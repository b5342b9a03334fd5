import App
import Foundation
import Testing

/// Reading `.env`: comments, quotes, `export`, and a line that is no setting.
@Suite struct DotEnvTests {
    @Test func parsesCommentsQuotesAndExport() throws {
        let values = try DotEnv.parse("""
        # a comment
        CLIENT_ID=abc
        export SCOPE="User.Read Mail.Read"
        CLIENT_SECRET='s3cr=t'
        PORT=8080  # local

        EMPTY=
        """)
        #expect(values["CLIENT_ID"] == "abc")
        #expect(values["SCOPE"] == "User.Read Mail.Read")
        #expect(values["CLIENT_SECRET"] == "s3cr=t")
        #expect(values["PORT"] == "8080")
        #expect(values["EMPTY"] == "")
    }

    @Test func rejectsALineWithoutEquals() {
        #expect(throws: ConfigurationError.self) { try DotEnv.parse("CLIENT_ID abc") }
    }
}
