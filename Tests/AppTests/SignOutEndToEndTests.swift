import App
import Foundation
import Testing

/// End-to-end, in-process (`RunningApp`): another site tries to sign a user out with the
/// user's own cookie (a link, an image, a form); the user stays signed in, and the app's
/// own button still signs out in one click.
@Suite struct SignOutEndToEndTests {
    @Test func forgedSignOutsLeaveTheUserSignedIn() throws {
        let app = try RunningApp()
        let victim = app.browser()
        let home = try app.signIn(victim, as: "adele")
        let button = try #require(HTML.form(in: home.body))
        let attacker = app.browser()
        try app.signIn(attacker, as: "alex")
        let attackersToken = try #require(HTML.form(in: attacker.get("/").body)).fields

        let crossSite = [("Sec-Fetch-Site", "cross-site"), ("Origin", "https://evil.example")]
        // A link or an image on another site.
        #expect(try victim.send(path: "/logout", headers: [("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Dest", "image")]).status == 200)
        // A form on another site, even one that somehow knew the token.
        #expect(try victim.post("/logout", form: [], headers: crossSite).status == 403)
        #expect(try victim.post("/logout", form: button.fields, headers: crossSite).status == 403)
        #expect(try victim.post("/logout", form: button.fields, headers: [("Origin", "https://evil.example")]).status == 403)
        #expect(try victim.post("/logout", form: button.fields, headers: [("Sec-Fetch-Site", "same-site")]).status == 403)
        // Without Fetch Metadata (an old browser, a script): no token, or another session's.
        #expect(try victim.post("/logout", form: []).status == 403)
        #expect(try victim.post("/logout", form: attackersToken).status == 403)

        #expect(app.sessionFiles().count == 2)
        #expect(try victim.get("/").body.contains("Welcome, Adele Vance"))
        #expect(try victim.get("/graph").status == 200)
        #expect(app.log.count(containing: "Sign-out refused") == 6)

        // The app's own button: same origin, the session's token, one click.
        let signedOut = try victim.post(button.action, form: button.fields,
                                        headers: [("Sec-Fetch-Site", "same-origin"), ("Origin", app.base)])
        #expect(signedOut.status == 303)
        try app.expectSignedOut(victim)
        #expect(try attacker.get("/").body.contains("Welcome, Alex Wilber"), "the other user is untouched")
    }
}
