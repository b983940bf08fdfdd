//! Source files and locations.
//!
//! Every diagnostic points into a [`SourceMap`]: the files that were read, their display
//! names and their text. Positions are 1-based lines and 1-based columns counted in
//! characters (what editors and GitHub annotations expect).

use std::fmt;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A position in a source file: 1-based line, 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column number in characters, starting at 1.
    pub col: u32,
}

impl Pos {
    /// A position from a 1-based line and 1-based column.
    #[must_use]
    pub const fn new(line: u32, col: u32) -> Self {
        Self { line, col }
    }
}

/// A range in one source file; `end` is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// First character of the range.
    pub start: Pos,
    /// One past the last character of the range.
    pub end: Pos,
}

impl Span {
    /// A range in `file` from `start` to `end`.
    #[must_use]
    pub const fn new(file: FileId, start: Pos, end: Pos) -> Self {
        Self { file, start, end }
    }

    /// An empty range at `pos`.
    #[must_use]
    pub const fn point(file: FileId, pos: Pos) -> Self {
        Self {
            file,
            start: pos,
            end: pos,
        }
    }

    /// The start of a file (line 1, column 1), for problems that concern a whole file.
    #[must_use]
    pub const fn file_start(file: FileId) -> Self {
        Self::point(file, Pos::new(1, 1))
    }
}

/// One file that was read: its name as shown to users and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    text: String,
    /// Byte offset of each line's start (`u32`: files are at most 32 MB, see
    /// [`crate::load::Limits`]; a larger text saturates, only ever shown).
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// A file named `name` (as it should appear in diagnostics) with contents `text`.
    #[must_use]
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts =
            Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
        line_starts.push(0);
        line_starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        Self {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The display name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text of 1-based line `line`, without its line terminator, or `None` past the end.
    #[must_use]
    pub fn line(&self, line: u32) -> Option<&str> {
        let idx = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(idx)? as usize;
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.text.len(), |&e| e as usize);
        let l = self.text.get(start..end)?;
        Some(l.trim_end_matches(['\n', '\r']))
    }

    /// Masks a secret in the shown text: on 1-based `line`, everything from character
    /// column `col` to the end of the line (after the key's `:` when `col` points at a key)
    /// becomes `********`. The text is only ever shown in reports, never parsed again.
    pub fn redact(&mut self, line: u32, col: u32) {
        let Some(idx) = usize::try_from(line).ok().and_then(|l| l.checked_sub(1)) else {
            return;
        };
        let Some(start) = self.line_starts.get(idx).map(|&s| s as usize) else {
            return;
        };
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.text.len(), |&e| e as usize);
        let Some(current) = self.text.get(start..end) else {
            return;
        };
        let body = current.trim_end_matches(['\n', '\r']);
        let chars: Vec<char> = body.chars().collect();
        let from = (col.saturating_sub(1) as usize).min(chars.len());
        let cut = chars[from..]
            .iter()
            .position(|&c| c == ':')
            .map_or(from, |p| from + p + 1);
        if chars[cut..].iter().all(|c| c.is_whitespace()) {
            return;
        }
        let mut replaced: String = chars[..cut].iter().collect();
        replaced.push_str(if cut > from { " ********" } else { "********" });
        replaced.push_str(&current[body.len()..]);
        self.text.replace_range(start..end, &replaced);
        *self = SourceFile::new(
            std::mem::take(&mut self.name),
            std::mem::take(&mut self.text),
        );
    }

    /// Shows the file under another name (a file read from a git revision is shown as
    /// `REV:path`, not as the temporary copy it was loaded from).
    pub fn rename(&mut self, name: impl Into<String>) {
        self.name = name.into();
    }

    /// The number of lines.
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// All files read during one run, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(file);
        id
    }

    /// The file with id `id`, for changing (see [`SourceFile::redact`]).
    pub fn get_mut(&mut self, id: FileId) -> Option<&mut SourceFile> {
        self.files.get_mut(id.0 as usize)
    }

    /// The file with id `id`.
    ///
    /// # Panics
    /// Only if `id` did not come from this map, which is a bug in tagc.
    #[must_use]
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Looks up a file by id without panicking.
    #[must_use]
    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// The display name of a file, or `<unknown>`.
    #[must_use]
    pub fn name(&self, id: FileId) -> &str {
        self.try_get(id).map_or("<unknown>", SourceFile::name)
    }

    /// Every file with its id, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based_and_strip_terminators() {
        let f = SourceFile::new("a.yaml", "a: 1\r\nb: 2\n");
        assert_eq!(f.line(1), Some("a: 1"));
        assert_eq!(f.line(2), Some("b: 2"));
        assert_eq!(f.line(3), Some(""));
        assert_eq!(f.line(4), None);
        assert_eq!(f.line(0), None);
    }
}
