import Crypto
import Foundation

/// SHA-256 digests as lowercase hex, the form `sha256sum` prints and the journal stores.
public enum Digest {
    /// The SHA-256 of `bytes`.
    public static func sha256Hex(_ bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).hexString
    }
}

extension SHA256.Digest {
    /// The digest as 64 lowercase hex digits.
    public var hexString: String {
        map { String(format: "%02x", $0) }.joined()
    }
}
