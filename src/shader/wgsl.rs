//! The WGSL sources as the engine carries them: each file's comments, indentation and
//! trailing blanks removed at compile time by [`wgsl!`], every line kept.
//!
//! The comments are a third of the WGSL and, gzipped, about 11 KB of the page's wasm;
//! the shader compiler needs none of them. Lines are kept (an emptied line stays as an
//! empty line) so that a line number in a shader compiler's message is still the line
//! of the `.wgsl` file it came from. WGSL has no string literals, so `//` always starts
//! a comment; the sources use no `/* */` comments (a test checks).

/// The source of the WGSL file at `$path` (relative to the invoking file, as for
/// `include_str!`), stripped of comments and indentation during compilation; only the
/// stripped text is in the binary. Several paths give one source, the files one after
/// the other (a shader's part too long for one file: the first file's line numbers hold).
macro_rules! wgsl {
    ($($path:literal),+) => {{
        // Each file ends with a newline, so the next begins on a line of its own.
        const SOURCE: &str = concat!($(include_str!($path)),+);
        const LENGTH: usize = $crate::shader::wgsl::stripped_length(SOURCE);
        const STRIPPED: [u8; LENGTH] = $crate::shader::wgsl::strip::<LENGTH>(SOURCE);
        match ::core::str::from_utf8(&STRIPPED) {
            Ok(text) => text,
            Err(_) => panic!("a WGSL source is not UTF-8"),
        }
    }};
}

/// Length of `source` once stripped.
pub const fn stripped_length(source: &str) -> usize {
    strip_into(source.as_bytes(), &mut [])
}

/// `source` stripped, `N` bytes long (`N` = [`stripped_length`]).
pub const fn strip<const N: usize>(source: &str) -> [u8; N] {
    let mut out = [0u8; N];
    strip_into(source.as_bytes(), &mut out);
    out
}

const fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte == b'\t' || byte == b'\r'
}

/// Writes each line of `source` without its indentation, its `//` comment and its
/// trailing blanks into `out`, newlines kept, and returns the length; an empty `out`
/// only counts. (A `const fn`, hence the index loops.)
const fn strip_into(source: &[u8], out: &mut [u8]) -> usize {
    let counting = out.is_empty();
    let mut length = 0;
    let mut line_start = 0;
    while line_start < source.len() {
        let mut line_end = line_start;
        while line_end < source.len() && source[line_end] != b'\n' {
            line_end += 1;
        }
        let mut start = line_start;
        while start < line_end && is_blank(source[start]) {
            start += 1;
        }
        let mut end = start;
        while end < line_end
            && !(source[end] == b'/' && end + 1 < line_end && source[end + 1] == b'/')
        {
            end += 1;
        }
        while end > start && is_blank(source[end - 1]) {
            end -= 1;
        }
        let mut k = start;
        while k < end {
            if !counting {
                out[length] = source[k];
            }
            length += 1;
            k += 1;
        }
        if line_end < source.len() {
            if !counting {
                out[length] = b'\n';
            }
            length += 1;
        }
        line_start = line_end + 1;
    }
    length
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripped(source: &str) -> String {
        let mut out = vec![0u8; stripped_length(source)];
        strip_into(source.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn comments_and_indentation_go_and_every_line_stays() {
        let source = "// a header\nfn f(a: f32) -> f32 {\n    let b = a * 2.0; // twice\n\t\n    return b / 3.0;  \n}\n";
        assert_eq!(
            stripped(source),
            "\nfn f(a: f32) -> f32 {\nlet b = a * 2.0;\n\nreturn b / 3.0;\n}\n"
        );
        assert_eq!(stripped(source).lines().count(), source.lines().count());
        assert_eq!(stripped("x / y // z"), "x / y");
        assert_eq!(stripped(""), "");
    }

    #[test]
    fn the_compile_time_strip_is_the_same() {
        const TEXT: &str = wgsl!("../gpu/shaders/run.wgsl");
        let source = include_str!("../gpu/shaders/run.wgsl");
        assert_eq!(TEXT, stripped(source));
        assert!(!TEXT.contains("//"));
        assert_eq!(TEXT.lines().count(), source.lines().count());
        assert!(TEXT.len() < source.len());
        // Two files: one after the other, every line of each kept.
        const BOTH: &str = wgsl!("../gpu/shaders/run.wgsl", "../gpu/shaders/run.wgsl");
        assert_eq!(BOTH, format!("{TEXT}{TEXT}"));
        assert!(source.ends_with('\n'));
    }

    #[test]
    fn no_source_uses_block_comments() {
        fn visit(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    visit(&path, found);
                } else if path.extension().is_some_and(|e| e == "wgsl") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    // A file's last line ends, so `wgsl!` can join files.
                    assert!(
                        text.ends_with('\n'),
                        "{} has no last newline",
                        path.display()
                    );
                    assert!(
                        !text.contains("/*"),
                        "{} has a block comment",
                        path.display()
                    );
                    found.push(path.display().to_string());
                }
            }
        }
        let mut found = Vec::new();
        visit(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")),
            &mut found,
        );
        assert!(found.len() > 20, "{found:?}");
    }
}
