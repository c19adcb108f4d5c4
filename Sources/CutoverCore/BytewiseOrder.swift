extension String {
    /// Whether `self` sorts before `other` by UTF-8 bytes: the same order as `<` for ASCII
    /// text, and much cheaper than `<`'s Unicode-aware comparison, which matters when a
    /// thousand file names or ids are sorted on every command.
    public func precedesBytewise(_ other: String) -> Bool {
        var left = self
        var right = other
        return left.withUTF8 { a in
            right.withUTF8 { b in
                for index in 0..<min(a.count, b.count) where a[index] != b[index] {
                    return a[index] < b[index]
                }
                return a.count < b.count
            }
        }
    }
}
