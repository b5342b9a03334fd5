import Encodings
import Foundation
import OIDC
import Testing

/// The MSAL-schema cache: key formats, field names, serialization round trip.
@Suite struct TokenCacheTests {
    @Test func entriesUseMSALKeysAndFields() throws {
        let harness = Harness()
        var cache = TokenCache()
        _ = try harness.signIn(cache: &cache, refreshIn: 1800)
        let home = FakeIdentityProvider.homeAccountID
        let env = "login.microsoftonline.com"
        let realm = "9188040d-6c67-4c5b-b112-36a304b66dad"
        let now = harness.clock.epoch

        let object = try #require(try JSONSerialization.jsonObject(with: Data(cache.serialized())) as? [String: [String: [String: String]]])
        #expect(Set(object.keys) == ["AccessToken", "RefreshToken", "IdToken", "Account", "AppMetadata"])

        let at = try #require(object["AccessToken"]?["\(home)-\(env)-accesstoken-client-123-\(realm)-user.read offline_access openid profile"])
        #expect(at["credential_type"] == "AccessToken")
        #expect(at["secret"] == "access-1")
        #expect(at["home_account_id"] == home)
        #expect(at["environment"] == env)
        #expect(at["client_id"] == "client-123")
        #expect(at["realm"] == realm)
        #expect(at["target"] == "User.Read offline_access openid profile", "sorted as MSAL sorts (code point order)")
        #expect(at["token_type"] == "Bearer")
        #expect(at["cached_at"] == String(now))
        #expect(at["expires_on"] == String(now + 3600))
        #expect(at["extended_expires_on"] == String(now + 3600))
        #expect(at["refresh_on"] == String(now + 1800))

        let rt = try #require(object["RefreshToken"]?["\(home)-\(env)-refreshtoken-client-123--user.read offline_access openid profile"])
        #expect(rt["secret"] == "refresh-1")
        #expect(rt["credential_type"] == "RefreshToken")
        #expect(rt["last_modification_time"] == String(now))

        let idt = try #require(object["IdToken"]?["\(home)-\(env)-idtoken-client-123-\(realm)-"])
        #expect(idt["credential_type"] == "IdToken")
        #expect(idt["realm"] == realm)

        let account = try #require(object["Account"]?["\(home)-\(env)-\(realm)"])
        #expect(account["local_account_id"] == "00000000-0000-0000-66f3-3332eca7ea81")
        #expect(account["username"] == "ada@example.com")
        #expect(account["authority_type"] == "MSSTS")
        #expect(account["account_source"] == "authorization_code")

        #expect(object["AppMetadata"]?["appmetadata-\(env)-client-123"] == ["client_id": "client-123", "environment": env])
    }

    @Test func serializationRoundTrips() throws {
        let harness = Harness()
        var cache = TokenCache()
        let result = try harness.signIn(cache: &cache)
        let reloaded = try TokenCache(serialized: cache.serialized())
        #expect(reloaded == cache)
        #expect(reloaded.accounts == [result.account])
        // Also as part of an app's own Codable session value.
        struct Session: Codable { var cache: TokenCache; var flows: PendingFlows }
        let data = try JSONEncoder().encode(Session(cache: cache, flows: PendingFlows()))
        #expect(try JSONDecoder().decode(Session.self, from: data).cache == cache)
        var copy = reloaded
        #expect(try harness.client.acquireTokenSilently(account: result.account, cache: &copy).accessToken == "access-1")
    }

    @Test func readsNumbersAndMissingSections() throws {
        let json = #"{"AccessToken":{"k":{"credential_type":"AccessToken","secret":"s","home_account_id":"h","environment":"e","client_id":"c","target":"a b","realm":"r","cached_at":1,"expires_on":2}}}"#
        let cache = try TokenCache(serialized: Array(json.utf8))
        #expect(cache.accessTokens["k"]?.expiresOn == "2")
        #expect(cache.accessTokens["k"]?.tokenType == "Bearer")
        #expect(cache.refreshTokens.isEmpty && cache.accounts.isEmpty)
    }

    @Test func removingAnAccountForgetsItsTokens() throws {
        let harness = Harness()
        var cache = TokenCache()
        let result = try harness.signIn(cache: &cache)
        cache.remove(result.account)
        #expect(cache.isEmpty)
    }

    /// The JSON value the app keeps in the sealed session is the same schema as the file:
    /// written and read back without a string of JSON in between.
    @Test func theJSONValueRoundTrips() throws {
        let harness = Harness()
        var cache = TokenCache()
        let result = try harness.signIn(cache: &cache, refreshIn: 1800)
        let json = cache.json
        #expect(try TokenCache(json: json) == cache)
        #expect(json["AccessToken"]?.objectValue?.count == 1)
        #expect(json["Account"]?.objectValue?.values.first?["home_account_id"] == .string(result.account.homeAccountID))
        let fromFile = try #require(JSONValue.parseObject(cache.serialized()))
        #expect(JSONValue.object(fromFile) == json, "the file holds exactly the value")
        #expect(TokenCache().json == [:], "empty sections are left out")
    }

    @Test func anythingButAnObjectIsNotACache() {
        for value: JSONValue in [.string(#"{"AccessToken":{}}"#), .array([]), .null, .integer(1)] {
            #expect(throws: TokenCacheFormatError.self) { try TokenCache(json: value) }
        }
        #expect(throws: (any Error).self) { try TokenCache(serialized: Array("[1]".utf8)) }
        // Entries that are not objects, and fields of other types, are skipped, not fatal.
        let lenient = try? TokenCache(json: ["AccessToken": ["k": "junk", "ok": ["secret": .integer(7), "expires_on": .number(12.9), "realm": .bool(true)]]])
        #expect(lenient?.accessTokens.keys.sorted() == ["ok"])
        #expect(lenient?.accessTokens["ok"]?.secret == "7" && lenient?.accessTokens["ok"]?.expiresOn == "12")
        #expect(lenient?.accessTokens["ok"]?.realm == "")
    }
}
