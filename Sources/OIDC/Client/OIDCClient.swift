import CryptoSupport
import FoundationEssentials
import HTTPClient
import JOSE
import Logging

/// The OpenID Connect client the app uses: authorize URL, callback handling, silent token
/// acquisition and sign-out URL. One instance per process, shared by all requests; its
/// methods block on network I/O and are meant to run on the server's worker threads.
///
///     let client = OIDCClient(configuration: config, transport: CurlTransport())
///     // /login:      let url = try client.beginSignIn(options: .init(returnPath: "/"), flows: &browserFlows)
///     // /getAToken:  let flow = try client.pendingFlow(for: response, in: &browserFlows)   // state first
///     //              let signIn = try client.completeSignIn(response, flow: flow, cache: &tokenCache)
///     // /call-api:   let token = try client.acquireTokenSilently(account: signIn.account, cache: &session.tokenCache)
///     // /logout:     let url = try client.endSessionURL(postLogoutRedirectURI: home, idTokenClaims: signIn.claims) ?? "/"
public final class OIDCClient: Sendable {
    public let configuration: OIDCConfiguration
    /// The shared discovery document and signing keys.
    public let metadataStore: ProviderMetadataStore
    let transport: any HTTPTransport
    let clock: @Sendable () -> Date
    let random: any RandomSource
    let logger: Logger
    let refreshes: SingleFlight<RefreshOutcome>
    /// The tenant a GUID Entra authority pins, worked out once (`tenantRefusal`).
    let pinnedTenantID: String?

    /// Access tokens with less life left than this are refreshed rather than returned.
    public static let minimumAccessTokenLifetime: TimeInterval = 300

    public init(configuration: OIDCConfiguration, transport: any HTTPTransport,
                clock: @escaping @Sendable () -> Date = Date.init,
                random: any RandomSource = OpenSSLRandom(),
                logger: Logger = Logger(label: "oidc")) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
        self.random = random
        self.logger = logger
        self.metadataStore = ProviderMetadataStore(authority: configuration.authority, transport: transport, clock: clock, logger: logger)
        self.refreshes = SingleFlight(retention: 30, clock: clock)
        self.pinnedTenantID = Self.pinnedTenantID(of: configuration.authority)
    }

    var tokenEndpointClient: TokenEndpointClient {
        TokenEndpointClient(configuration: configuration, transport: transport, random: random, logger: logger)
    }

    // MARK: - Sign-in

    /// Builds the authorize URL for a new sign-in and records the attempt in `flows`
    /// (which the app keeps for the browser until the callback): expired attempts and the
    /// oldest beyond `maximumPendingFlows` are dropped. Redirect the browser to the URL.
    public func beginSignIn(options: SignInOptions = SignInOptions(), flows: inout PendingFlows) throws(OIDCError) -> String {
        let request = try authorizationRequest(options: options)
        flows.add(request.flow, now: clock(), limit: configuration.maximumPendingFlows, lifetime: configuration.flowLifetime)
        return request.url
    }

    /// The authorize URL and flow record without storing the record anywhere.
    public func authorizationRequest(options: SignInOptions = SignInOptions()) throws(OIDCError) -> AuthorizationRequest {
        let metadata = try metadataStore.metadata()
        return AuthorizationRequestBuilder(configuration: configuration, random: random)
            .build(metadata: metadata, options: options, now: clock())
    }

    /// The pending sign-in the callback's `state` names, taken out of `flows` (compared in
    /// constant time; taken even when expired, so every state works at most once). Throws
    /// `.stateRejected` when there is none or it expired: nothing else of the response is
    /// looked at before this.
    public func pendingFlow(for response: AuthorizationResponse, in flows: inout PendingFlows) throws(OIDCError) -> PendingFlow {
        do {
            return try flows.redeem(state: response.state, now: clock(), lifetime: configuration.flowLifetime)
        } catch {
            logger.notice("Sign-in callback rejected", metadata: ["reason": "\(error.logReason)"])
            throw error
        }
    }

    /// When `flow` stops being redeemable.
    public func expiry(of flow: PendingFlow) -> Date {
        flow.createdAt.addingTimeInterval(configuration.flowLifetime)
    }

    /// When the youngest of `flows` stops being redeemable; nil when there is none.
    public func expiry(of flows: PendingFlows) -> Date? {
        flows.flows.map { expiry(of: $0) }.max()
    }

    /// Handles the redirect back from the provider: checks state against `flows` before
    /// anything else (`pendingFlow(for:in:)`), then completes the sign-in with that flow.
    public func completeSignIn(_ response: AuthorizationResponse, flows: inout PendingFlows, cache: inout TokenCache) throws(OIDCError) -> SignInResult {
        let flow = try pendingFlow(for: response, in: &flows)
        return try completeSignIn(response, flow: flow, cache: &cache)
    }

    /// Completes the sign-in `flow` started, once the callback's state has been matched to
    /// it (`pendingFlow(for:in:)`): the provider's error if it sent one, else the code is
    /// redeemed, the ID token validated (nonce included) and the tokens stored in `cache`.
    public func completeSignIn(_ response: AuthorizationResponse, flow: PendingFlow, cache: inout TokenCache) throws(OIDCError) -> SignInResult {
        if let error = response.error {
            let failure = OIDCError.authorizationFailed(error: error, description: response.errorDescription)
            logger.notice("Provider reported a sign-in error", metadata: ["reason": "\(failure.logReason)"])
            throw failure
        }
        guard let code = response.code, !code.isEmpty else { throw .missingAuthorizationCode }

        let metadata = try metadataStore.metadata()
        let tokens = try tokenEndpointClient.redeemCode(code, flow: flow, tokenEndpoint: metadata.tokenEndpoint, now: clock())
        guard let idToken = tokens.idToken else {
            throw .invalidResponse(endpoint: .token, status: 200, reason: "no id_token in the response")
        }
        let claims = try validateIDToken(idToken, issuer: metadata.issuer, nonce: flow.nonce, previous: nil)

        let homeAccountID = Self.homeAccountID(tokens: tokens, claims: claims)
        let account = cache.add(tokens, idTokenClaims: claims, context: cacheContext(
            homeAccountID: homeAccountID, requestedScopes: flow.scopes, grantType: "authorization_code"))
        logger.info("Signed in", metadata: ["tenant": "\(LogSafe.token(claims.tenantID ?? "-"))"])
        return SignInResult(claims: claims, account: account, returnPath: flow.returnPath,
                            grantedScopes: tokens.scope ?? flow.scopes)
    }

    // MARK: - Shared helpers

    /// The key the account's tokens are cached under: "uid.utid" from the token endpoint's
    /// client_info (Entra), as MSAL keys accounts; without it the validated ID token's
    /// subject, as MSAL does too (validation ensured one exists). Never the callback URL's
    /// client_info: the browser writes that URL, and a forged one would file this user's
    /// tokens under another account's key.
    static func homeAccountID(tokens: TokenResponse, claims: IDTokenClaims) -> String {
        ClientInfo(encoded: tokens.clientInfo)?.homeAccountID ?? claims.subject ?? ""
    }

    func validateIDToken(_ idToken: String, issuer: String, nonce: String?, previous: IDTokenClaims?) throws(OIDCError) -> IDTokenClaims {
        let expectations = IDTokenValidator.Expectations(
            issuer: issuer, clientID: configuration.clientID, now: clock(), clockSkew: configuration.clockSkew,
            nonce: nonce, previous: previous, tenants: configuration.tenants)
        let store = metadataStore
        let keys = IDTokenValidator.KeySource(
            current: { () throws(OIDCError) -> JWKSet in try store.signingKeys() },
            refetch: { (kid: String) throws(OIDCError) -> JWKSet? in try store.keysAfterUnknownKeyID(kid) })
        do {
            return try IDTokenValidator().validate(idToken, expecting: expectations, keys: keys)
        } catch {
            logger.warning("ID token rejected", metadata: ["reason": "\(error.logReason)"])
            throw error
        }
    }

    func cacheContext(homeAccountID: String, requestedScopes: [String], grantType: String) -> TokenCache.Context {
        TokenCache.Context(homeAccountID: homeAccountID, environment: configuration.authority.host,
                           realm: configuration.authority.realm, clientID: configuration.clientID,
                           requestedScopes: requestedScopes, grantType: grantType, now: clock())
    }
}
