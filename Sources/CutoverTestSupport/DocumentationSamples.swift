/// The code samples of a DocC article kept in a Swift file of the tests, so they compile and
/// run: each sits between `// sample(NAME): begin` and `// sample: end`, and a test checks the
/// article still shows exactly that text.
public enum DocumentationSamples {
    /// The marked samples of `source`, in order, each as its name and its lines.
    public static func marked(in source: String) -> [(name: String, text: String)] {
        var blocks: [(name: String, text: String)] = []
        var current: (name: String, lines: [Substring])?
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("// sample("), let close = line.firstIndex(of: ")") {
                current = (String(line[line.index(line.startIndex, offsetBy: 10)..<close]), [])
            } else if line == "// sample: end", let block = current {
                blocks.append((block.name, block.lines.joined(separator: "\n")))
                current = nil
            } else if current != nil {
                current!.lines.append(line)
            }
        }
        return blocks
    }
}
