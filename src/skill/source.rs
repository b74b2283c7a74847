//! Reading a skill or persona file safely: size cap before reading, binary and UTF-8 checks,
//! BOM stripping, and the split into YAML frontmatter and Markdown body (CRLF tolerant).

use std::io::Read as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Files above this size are refused before they are read.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A source file as text. Offsets used in diagnostics are byte offsets into `text`, which has
/// any UTF-8 byte order mark removed.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given (absolute or relative to the working directory).
    pub path: PathBuf,
    pub text: String,
    /// Whether the file started with a UTF-8 BOM (removed from `text`).
    pub had_bom: bool,
}

/// Why a file could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadProblem {
    /// The file could not be read at all.
    Io(String),
    /// The path is not a regular file (nor a link to one): what it is, "a FIFO". Never opened.
    NotRegular(&'static str),
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge(u64),
    /// The file contains NUL bytes: binary data.
    Binary,
    /// The file is not UTF-8; the first bad byte is at this 1-based line and column, at byte
    /// `offset` of the file and at byte `at` of `lossy` (the text after a BOM with every bad
    /// sequence replaced by U+FFFD, so a diagnostic can show the line).
    InvalidUtf8 { line: usize, column: usize, offset: usize, at: usize, lossy: String },
}

/// Reads a file, refusing it before reading when it is too large.
pub fn read(path: &Path) -> Result<SourceFile, ReadProblem> {
    from_bytes(path, read_raw(path).1?)
}

/// Reads a file's bytes, refusing it before reading when it is too large; also returns the
/// metadata of the opened file (for change detection), when it could be read.
pub fn read_raw(path: &Path) -> (Option<std::fs::Metadata>, Result<Vec<u8>, ReadProblem>) {
    // Look before opening: opening a FIFO for reading blocks until a writer comes.
    if let Err(what) = regular_file(path) {
        return (None, Err(ReadProblem::NotRegular(what)));
    }
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return (None, Err(ReadProblem::Io(e.to_string()))),
    };
    let metadata = match file.metadata() {
        Ok(metadata) => metadata,
        Err(e) => return (None, Err(ReadProblem::Io(e.to_string()))),
    };
    if !metadata.is_file() {
        // Swapped for something else since it was looked at.
        return (None, Err(ReadProblem::NotRegular(kind_of(metadata.file_type()))));
    }
    let len = metadata.len();
    if len > MAX_FILE_BYTES {
        return (Some(metadata), Err(ReadProblem::TooLarge(len)));
    }
    // One byte more than the size, so the end is found without growing the buffer.
    let mut bytes = Vec::with_capacity(len as usize + 1);
    // `take` bounds memory even when the file grows while it is read.
    if let Err(e) = file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        return (Some(metadata), Err(ReadProblem::Io(e.to_string())));
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return (Some(metadata), Err(ReadProblem::TooLarge(bytes.len() as u64)));
    }
    (Some(metadata), Ok(bytes))
}

/// Returns `Ok` when `path` is a regular file or a link to one, else what it is.
fn regular_file(path: &Path) -> Result<(), &'static str> {
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_file() => Ok(()),
        Ok(metadata) => Err(kind_of(metadata.file_type())),
        Err(_) if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) => {
            Err("a dangling symbolic link")
        }
        // Missing or unreadable: opening it says why.
        Err(_) => Ok(()),
    }
}

/// Returns what a file type is, for a message: "a directory", "a FIFO".
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Returns a file's text for showing a snippet: as read, or with invalid UTF-8 replaced.
pub fn read_for_snippet(path: &Path) -> Option<String> {
    match read(path) {
        Ok(src) => Some(src.text),
        Err(ReadProblem::InvalidUtf8 { lossy, .. }) => Some(lossy),
        Err(_) => None,
    }
}

/// Turns raw bytes into a source file.
pub fn from_bytes(path: &Path, mut bytes: Vec<u8>) -> Result<SourceFile, ReadProblem> {
    if bytes.contains(&0) {
        return Err(ReadProblem::Binary);
    }
    let had_bom = bytes.starts_with(b"\xEF\xBB\xBF");
    if had_bom {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile { path: path.to_owned(), text, had_bom }),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let valid = &e.as_bytes()[..offset];
            #[allow(clippy::naive_bytecount, reason = "only on the error path")]
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() + 1;
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            Err(ReadProblem::InvalidUtf8 { line, column, offset: offset + usize::from(had_bom) * 3, at: offset, lossy })
        }
    }
}

/// The parts of a file with frontmatter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// The YAML between the fences (byte range into the text).
    pub yaml: Range<usize>,
    /// The Markdown after the closing fence.
    pub body: Range<usize>,
    /// The opening fence line, for diagnostics about the frontmatter as a whole.
    pub open_fence: Range<usize>,
}

/// Why frontmatter could not be split off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitProblem {
    /// The text is empty or only white space.
    Empty,
    /// The first line is not `---`.
    Missing,
    /// No closing `---` line; the range is the opening fence.
    Unterminated(Range<usize>),
}

/// Splits `---` YAML `---` Markdown. Fence lines may end in `\r\n` and trailing spaces.
pub fn split(text: &str) -> Result<Parts, SplitProblem> {
    if text.trim().is_empty() {
        return Err(SplitProblem::Empty);
    }
    let mut lines = LineSpans::new(text);
    let first = lines.next().ok_or(SplitProblem::Empty)?;
    if !is_fence(&text[first.clone()]) {
        return Err(SplitProblem::Missing);
    }
    let yaml_start = first.end;
    for line in lines {
        let content = &text[line.clone()];
        if is_fence(content) || content.trim_end() == "..." {
            return Ok(Parts {
                yaml: yaml_start..line.start,
                body: line.end..text.len(),
                open_fence: trim_eol(text, first),
            });
        }
    }
    Err(SplitProblem::Unterminated(trim_eol(text, first)))
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

fn trim_eol(text: &str, range: Range<usize>) -> Range<usize> {
    let len = text[range.clone()].trim_end().len();
    range.start..range.start + len
}

/// Iterates over line ranges, each including its line terminator.
struct LineSpans<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> LineSpans<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }
}

impl Iterator for LineSpans<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i + 1);
        self.pos = end;
        Some(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lf_and_crlf() {
        let text = "---\nid: a\n---\n# Body\n";
        let parts = split(text).unwrap();
        assert_eq!(&text[parts.yaml.clone()], "id: a\n");
        assert_eq!(&text[parts.body.clone()], "# Body\n");
        let crlf = "---\r\nid: a\r\n---\r\nbody";
        let parts = split(crlf).unwrap();
        assert_eq!(&crlf[parts.yaml], "id: a\r\n");
        assert_eq!(&crlf[parts.body], "body");
    }

    #[test]
    fn reports_missing_and_unterminated() {
        assert_eq!(split(""), Err(SplitProblem::Empty));
        assert_eq!(split("  \n"), Err(SplitProblem::Empty));
        assert_eq!(split("# no frontmatter\n"), Err(SplitProblem::Missing));
        assert_eq!(split("---\nid: a\n"), Err(SplitProblem::Unterminated(0..3)));
    }

    #[test]
    fn strips_bom_and_locates_bad_utf8() {
        let f = from_bytes(Path::new("a.md"), b"\xEF\xBB\xBF---\n".to_vec()).unwrap();
        assert!(f.had_bom);
        assert_eq!(f.text, "---\n");
        let err = from_bytes(Path::new("a.md"), b"---\nid: \xFF\n".to_vec()).unwrap_err();
        let lossy = "---\nid: \u{FFFD}\n".to_owned();
        assert_eq!(err, ReadProblem::InvalidUtf8 { line: 2, column: 5, offset: 8, at: 8, lossy });
        assert_eq!(from_bytes(Path::new("a.md"), vec![1, 0, 2]).unwrap_err(), ReadProblem::Binary);
    }
}
