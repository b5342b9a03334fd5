/// The app reports configuration problems with the OIDC module's `ConfigurationError`
/// (key + reason), so every start-up error, whichever layer finds it, reads the same way.
@_exported import struct OIDC.ConfigurationError
