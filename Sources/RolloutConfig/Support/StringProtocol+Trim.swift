extension StringProtocol {
    /// The text without leading and trailing whitespace (Foundation-free, for the hot parsing paths).
    func trimmingWhitespace() -> SubSequence {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return s
    }
}

extension String {
    /// Whether any character is whitespace (`Character.isWhitespace`), deciding ASCII text by its bytes: the
    /// Unicode properties lookup was a tenth of loading a 10,000-host inventory.
    var containsWhitespace: Bool {
        var ascii = true
        for byte in utf8 {
            if byte >= 0x80 {
                ascii = false
                break
            }
            // Space, and `\t` `\n` `\u{0B}` `\u{0C}` `\r`: the ASCII characters that are whitespace.
            if byte == 0x20 || (0x09...0x0D).contains(byte) { return true }
        }
        return ascii ? false : contains(where: \.isWhitespace)
    }
}
