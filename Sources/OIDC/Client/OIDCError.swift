import HTTPClient

/// Everything that can go wrong in sign-in, refresh and validation, as typed cases a page
/// can explain and a log line can name. No case carries a token, code or secret.
public enum OIDCError: Error, Sendable, Equatable {
    /// Which outbound call failed.
    public enum Endpoint: String, Sendable, Equatable {
        case metadata, jwks, token
    }

    /// The provider could not be reached (refused, unresolvable, timeout, TLS, too large).
    case transport(TransportError, endpoint: Endpoint)
    /// The provider answered 4xx with an OAuth error body (e.g. invalid_client, invalid_scope).
    case provider(ProviderErrorResponse)
    /// The user must sign in again: the refresh token was revoked or expired
    /// (`invalid_grant`), or the provider asked for interaction, or no refresh token is cached.
    case interactionRequired(ProviderErrorResponse?)
    /// The provider answered 5xx.
    case providerUnavailable(status: Int, ProviderErrorResponse?)
    /// The provider answered something that is not a usable response (non-JSON body,
    /// missing fields, unexpected status).
    case invalidResponse(endpoint: Endpoint, status: Int, reason: String)
    /// The discovery document is unusable (missing endpoints, wrong issuer, http endpoints).
    case invalidMetadata(String)
    /// The authorization response carried `error` (e.g. access_denied, consent_required).
    case authorizationFailed(error: String, description: String?)
    /// The callback's `state` matched no pending sign-in of this session.
    case stateRejected(StateRejection)
    /// The callback had neither `code` nor `error`.
    case missingAuthorizationCode
    /// The ID token failed validation.
    case idTokenRejected(IDTokenRejection)
    /// The client credential could not be made: signing the assertion failed (bad key), or
    /// the federated token file is missing, empty or no JWT. A local problem; the reason
    /// (which may name a path) is for the log, never the page.
    case credentialFailure(String)

    /// A short, stable name for log lines and metrics.
    public var logReason: String {
        switch self {
        case .transport(let error, let endpoint): return "transport.\(endpoint.rawValue).\(TransportErrorName.of(error))"
        case .provider(let body): return "provider.\(LogSafe.token(body.error))"
        case .interactionRequired(let body): return "interaction_required" + (body.map { ".\(LogSafe.token($0.error))" } ?? "")
        case .providerUnavailable(let status, _): return "provider_unavailable.\(status)"
        case .invalidResponse(let endpoint, let status, _): return "invalid_response.\(endpoint.rawValue).\(status)"
        case .invalidMetadata: return "invalid_metadata"
        case .authorizationFailed(let error, _): return "authorization_failed.\(LogSafe.token(error))"
        case .stateRejected(let rejection): return "state_rejected.\(rejection.rawValue)"
        case .missingAuthorizationCode: return "missing_code"
        case .idTokenRejected(let rejection): return "id_token_rejected.\(rejection.logReason)"
        case .credentialFailure: return "credential_failure"
        }
    }

    /// What an operator needs to find the cause, for the log only: the endpoint and the
    /// transport's own words (host names, curl's error text). Nil for errors whose log
    /// reason says it all.
    public var detail: String? {
        guard case .transport(let error, let endpoint) = self else { return nil }
        return "\(endpoint.rawValue) endpoint: \(TransportErrorName.describe(error))"
    }

    /// True when the right response is to send the user to sign in again.
    public var needsInteractiveSignIn: Bool {
        switch self {
        case .interactionRequired, .stateRejected: return true
        default: return false
        }
    }
}

extension OIDCError: CustomStringConvertible {
    /// A description safe to show on an error page: provider error text and correlation
    /// ids help support; nothing secret is included.
    public var description: String {
        switch self {
        case .transport:
            // Host names and curl's words are for the operator (`detail`, logged), not the page.
            return "The identity provider could not be reached. Please try again in a moment; if it keeps happening, tell the people who run this site (the server log has the details)."
        case .provider(let body):
            return "The identity provider refused the request: \(body.summary)"
        case .interactionRequired(let body):
            return "Please sign in again." + (body.map { " (\($0.summary))" } ?? "")
        case .providerUnavailable(let status, let body):
            return "The identity provider is unavailable (HTTP \(status))." + (body.map { " \($0.summary)" } ?? "")
        case .invalidResponse(let endpoint, let status, let reason):
            return "The identity provider's \(endpoint.rawValue) endpoint sent an unusable response (HTTP \(status)): \(reason)."
        case .invalidMetadata(let reason):
            return "The identity provider's discovery document is unusable: \(reason)."
        case .authorizationFailed(let error, let description):
            return "Sign-in failed: \(error)" + (description.map { ": \($0)" } ?? ".")
        case .stateRejected(let rejection):
            return "This sign-in response does not belong to a sign-in started here (\(rejection.explanation)). Please sign in again."
        case .missingAuthorizationCode:
            return "The sign-in response had no authorization code."
        case .idTokenRejected(.tenantNotAllowed(let tid)):
            return "Your organisation's directory (tenant \(tid)) is not one this app lets sign in. If you think it should be, ask the people who run this site to add it."
        case .idTokenRejected(let rejection):
            return "The identity provider's ID token was rejected: \(rejection.logReason)."
        case .credentialFailure:
            // The reason names a setting and a path: for the log (written where it happened).
            return "This app could not prove its identity to the identity provider, so sign-in cannot go on. Nothing you did caused this; the people who run this site can find the reason in the server log."
        }
    }
}

/// Why a callback's `state` was refused.
public enum StateRejection: String, Sendable, Equatable {
    case missing
    /// Unknown to this session: forged, from another browser, or already redeemed.
    case unknown
    case expired
    /// Known to this browser, but its callback already ran (here or on another instance):
    /// a replayed callback URL.
    case replayed

    var explanation: String {
        switch self {
        case .missing: return "no state"
        case .unknown: return "unknown or already used"
        case .expired: return "it expired"
        case .replayed: return "it was already used"
        }
    }
}

/// Names for transport errors in log lines and pages.
enum TransportErrorName {
    static func of(_ error: TransportError) -> String {
        switch error {
        case .connectionRefused: return "connection_refused"
        case .cannotResolveHost: return "cannot_resolve_host"
        case .timedOut: return "timed_out"
        case .tlsFailure: return "tls_failure"
        case .responseTooLarge: return "response_too_large"
        case .invalidURL: return "invalid_url"
        case .other: return "other"
        }
    }

    static func describe(_ error: TransportError) -> String {
        switch error {
        case .connectionRefused(let host): return "connection refused by \(host)"
        case .cannotResolveHost(let host): return "cannot resolve \(host)"
        case .timedOut: return "timed out"
        case .tlsFailure(let detail): return "TLS failure (\(detail))"
        case .responseTooLarge(let limit): return "response larger than \(limit) bytes"
        case .invalidURL(let url): return "invalid URL \(url)"
        case .other(let detail): return detail
        }
    }
}

/// Makes provider- or attacker-supplied strings safe to put in a log line: short, and
/// only characters that cannot forge another line or field.
enum LogSafe {
    static func token(_ value: String, limit: Int = 64) -> String {
        let safe = value.unicodeScalars.prefix(limit).map { scalar -> Character in
            let allowed = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "-_.:#".unicodeScalars.contains(scalar)
            return allowed ? Character(scalar) : "?"
        }
        return safe.isEmpty ? "-" : String(safe)
    }
}
