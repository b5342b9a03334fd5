import CryptoSupport
import Encodings

/// Entra's `client_info` (base64url JSON with the user's home object id and tenant id),
/// from which MSAL derives `home_account_id` = "uid.utid".
struct ClientInfo: Sendable, Equatable {
    var uid: String
    var utid: String

    init?(encoded: String?) {
        guard let encoded, let bytes = Base64URL.decode(encoded), let object = JSONValue.parseObject(bytes),
              let uid = object["uid"]?.stringValue, let utid = object["utid"]?.stringValue
        else { return nil }
        self.uid = uid
        self.utid = utid
    }

    var homeAccountID: String { "\(uid).\(utid)" }
}
